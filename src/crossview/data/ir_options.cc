#include "crossview/data/ir_options.h"

#include <cmath>
#include <set>

#include "crossview/util/errors.h"

namespace crossview::data {
namespace {

void CheckPositive(const char* field, double value) {
  if (!(value > 0.0) || !std::isfinite(value)) {
    throw CV_ERROR(InvalidArgumentError, std::string(field) + " must be positive and finite")
        .With("value", value);
  }
}

void CheckCount(const char* field, int value, int min_value, int max_value) {
  if (value < min_value || value > max_value) {
    throw CV_ERROR(InvalidArgumentError, std::string(field) + " is out of range")
        .With("value", value)
        .With("min", min_value)
        .With("max", max_value);
  }
}

void CheckTilt(const char* field, double tilt_deg) {
  if (!(tilt_deg >= 0.0 && tilt_deg < 90.0)) {
    throw CV_ERROR(InvalidArgumentError, std::string(field) + " must be in [0, 90) deg")
        .With("value", tilt_deg);
  }
}

void CheckHfov(const char* field, double hfov_deg) {
  if (!(hfov_deg > 0.0 && hfov_deg < 180.0)) {
    throw CV_ERROR(InvalidArgumentError, std::string(field) + " must be in (0, 180) deg")
        .With("value", hfov_deg);
  }
}

}  // namespace

const char* IrLayoutName(IrLayout layout) {
  switch (layout) {
    case IrLayout::kUniversity1652: return "university1652";
    case IrLayout::kSues200: return "sues200";
    case IrLayout::kMultitemporal: return "multitemporal";
  }
  return "?";
}

const char* TemporalModeName(TemporalMode mode) {
  switch (mode) {
    case TemporalMode::kSame: return "same";
    case TemporalMode::kCross: return "cross";
    case TemporalMode::kMulti: return "multi";
  }
  return "?";
}

IrLayout ParseIrLayout(const std::string& name) {
  for (IrLayout l : {IrLayout::kUniversity1652, IrLayout::kSues200, IrLayout::kMultitemporal}) {
    if (name == IrLayoutName(l)) return l;
  }
  throw CV_ERROR(InvalidArgumentError, "unknown layout '" + name + "'")
      .Hint("valid layouts: university1652, sues200, multitemporal");
}

TemporalMode ParseTemporalMode(const std::string& name) {
  for (TemporalMode m : {TemporalMode::kSame, TemporalMode::kCross, TemporalMode::kMulti}) {
    if (name == TemporalModeName(m)) return m;
  }
  throw CV_ERROR(InvalidArgumentError, "unknown temporal mode '" + name + "'")
      .Hint("valid modes: same, cross, multi");
}

void SpiralPattern::Check() const {
  CheckCount("spiral.total_views", total_views, 1, 999);
  CheckCount("spiral.num_views", num_views, 1, total_views);
  if (num_views == 1 && total_views > 1) {
    throw CV_ERROR(InvalidArgumentError, "spiral.num_views must be at least 2 (first and last view)")
        .With("num_views", num_views);
  }
  CheckPositive("spiral.height_first_m", height_first_m);
  CheckPositive("spiral.height_last_m", height_last_m);
  CheckTilt("spiral.tilt_first_deg", tilt_first_deg);
  CheckTilt("spiral.tilt_last_deg", tilt_last_deg);
  CheckHfov("spiral.hfov_deg", hfov_deg);
  if (!std::isfinite(bearing_step_deg)) {
    throw CV_ERROR(InvalidArgumentError, "spiral.bearing_step_deg must be finite");
  }
}

void SuesPattern::Check() const {
  if (heights_m.empty()) throw CV_ERROR(InvalidArgumentError, "sues.heights_m must not be empty");
  std::set<int> seen;
  for (int h : heights_m) {
    CheckCount("sues.heights_m", h, 1, 100000);
    if (!seen.insert(h).second) {
      throw CV_ERROR(InvalidArgumentError, "sues.heights_m lists a height twice").With("height_m", h);
    }
  }
  CheckCount("sues.views_per_height", views_per_height, 1, 99);
  CheckTilt("sues.tilt_deg", tilt_deg);
  CheckHfov("sues.hfov_deg", hfov_deg);
}

void TargetSelectionOptions::Check() const {
  CheckPositive("selection.min_spacing_m", min_spacing_m);
  CheckCount("selection.poisson_attempts", poisson_attempts, 1, 1000);
  if (!(featureless_highpass_std >= 0.0)) {
    throw CV_ERROR(InvalidArgumentError, "selection.featureless_highpass_std must be >= 0")
        .With("value", featureless_highpass_std);
  }
  CheckCount("selection.thumbnail_size_px", thumbnail_size_px, 16, 512);
  CheckPositive("selection.thumbnail_blur_sigma_px", thumbnail_blur_sigma_px);
  CheckCount("selection.thumbnail_max_shift_px", thumbnail_max_shift_px, 0, thumbnail_size_px / 4);
  if (!(duplicate_ncc > 0.0 && duplicate_ncc <= 1.0)) {
    throw CV_ERROR(InvalidArgumentError, "selection.duplicate_ncc must be in (0, 1]")
        .With("value", duplicate_ncc);
  }
  CheckCount("selection.max_redraws", max_redraws, 0, 1000);
}

void IrSynthOptions::Check() const {
  if (layout == IrLayout::kMultitemporal && temporal != TemporalMode::kMulti) {
    throw CV_ERROR(InvalidArgumentError, "the multitemporal layout needs temporal = multi")
        .With("temporal", TemporalModeName(temporal))
        .Hint("drop --temporal, or use --layout university1652");
  }
  std::set<std::string> seen;
  for (const auto* list : {&train_families, &validation_families, &test_families}) {
    for (const auto& f : *list) {
      if (!seen.insert(f).second) {
        throw CV_ERROR(InvalidArgumentError, "a family is listed twice across the splits")
            .With("family", f)
            .Hint("a family belongs to exactly one of train, validation and test");
      }
    }
  }
  CheckCount("train_targets_per_family", train_targets_per_family, 0, 9999);
  CheckCount("test_targets_per_family", test_targets_per_family, 0, 9999);
  CheckCount("distractors", distractors, 0, 9999);
  if (!(distractor_min_fraction >= 0.0 && distractor_min_fraction <= 10.0)) {
    throw CV_ERROR(InvalidArgumentError, "distractor_min_fraction must be in [0, 10]")
        .With("value", distractor_min_fraction);
  }
  if (!(distractor_min_spacing_m >= 0.0) || !std::isfinite(distractor_min_spacing_m)) {
    throw CV_ERROR(InvalidArgumentError, "distractor_min_spacing_m must be >= 0")
        .With("value", distractor_min_spacing_m);
  }
  CheckCount("drone_size_px", drone_size_px, 16, 4096);
  CheckCount("satellite_size_px", satellite_size_px, 16, 4096);
  CheckPositive("satellite_side_m", satellite_side_m);
  if (!(satellite_effective_gsd_m >= 0.0) || !std::isfinite(satellite_effective_gsd_m)) {
    throw CV_ERROR(InvalidArgumentError, "satellite_effective_gsd_m must be >= 0 (0 = off)")
        .With("value", satellite_effective_gsd_m);
  }
  spiral.Check();
  sues.Check();
  selection.Check();
  drone_photometric.Check();
  satellite_photometric.Check();
  occlusion.Check();
  CheckCount("contact_sheet_targets", contact_sheet_targets, 0, 100);
  CheckCount("contact_sheet_views", contact_sheet_views, 1, 20);
  if (source.enabled()) {
    if (!(source.gsd_m >= 0.0) || !std::isfinite(source.gsd_m)) {
      throw CV_ERROR(InvalidArgumentError, "source.gsd_m must be >= 0 (0 = take it from the file)")
          .With("value", source.gsd_m);
    }
    CheckPositive("source.max_megapixels", source.max_megapixels);
    if (!train_families.empty() || !validation_families.empty() || !test_families.empty()) {
      throw CV_ERROR(InvalidArgumentError, "family lists do not apply to --source datasets")
          .Hint("a --source dataset splits each file into a train half and a test half");
    }
  } else if (source.gsd_m != 0.0) {
    throw CV_ERROR(InvalidArgumentError, "--gsd-m only applies with --source")
        .With("gsd_m", source.gsd_m);
  }
}

const std::vector<std::string>& IrPresetNames() {
  static const std::vector<std::string> kNames = {"tiny", "ci", "full"};
  return kNames;
}

IrSynthOptions IrPreset(const std::string& name) {
  IrSynthOptions o;
  o.preset = name;
  if (name == "tiny") {
    // §5.2: 4 train and 2 test families, 4 targets each, 4 drone views (positions 1, 19, 36,
    // 54), 96 px, 2 SUES views per height, 4 distractors. Unit tests generate it.
    o.train_families = {"australia_suburbs", "california-industry", "drycrop", "uk-countryside1"};
    o.test_families = {"california-town2", "uk-countryside2"};
    o.train_targets_per_family = o.test_targets_per_family = 4;
    o.distractors = 4;
    o.spiral.num_views = 4;
    o.drone_size_px = o.satellite_size_px = 96;
    o.sues.views_per_height = 2;
  } else if (name == "ci") {
    // Every train and test family, ≤ 8 targets each; the §5.1 validation families are written
    // as their own split (val/); 12 views at 128 px; 15 distractors; 10 SUES views per height.
    o.validation_families = {"australia_suburbs", "drycrop"};
    o.train_targets_per_family = o.test_targets_per_family = 8;
    o.distractors = 15;
    o.spiral.num_views = 12;
    o.drone_size_px = o.satellite_size_px = 128;
    o.sues.views_per_height = 10;
  } else if (name == "full") {
    // Every family, ≤ 40 targets each, all 54 views at 256 px, distractors ≥ 35 % of the test
    // targets, 50 SUES views per height, plus the cross-"season" and occlusion test sets.
    o.validation_families = {"australia_suburbs", "drycrop"};
    o.train_targets_per_family = o.test_targets_per_family = 40;
    o.distractors = 0;
    o.distractor_min_fraction = 0.35;
    o.spiral.num_views = 54;
    o.drone_size_px = o.satellite_size_px = 256;
    o.sues.views_per_height = 50;
    o.cross_test_set = true;
    o.occlusion_test_set = true;
  } else {
    throw CV_ERROR(InvalidArgumentError, "unknown preset '" + name + "'")
        .Hint("valid presets: tiny, ci, full");
  }
  return o;
}

}  // namespace crossview::data

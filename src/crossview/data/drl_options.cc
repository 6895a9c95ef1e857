#include "crossview/data/drl_options.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "crossview/util/errors.h"

namespace crossview::data {
namespace {

void CheckCount(const char* field, int value, int min_value, int max_value) {
  if (value < min_value || value > max_value) {
    throw CV_ERROR(InvalidArgumentError, std::string(field) + " is out of range")
        .With("value", value)
        .With("min", min_value)
        .With("max", max_value);
  }
}

void CheckInterval(const char* field, double value, double lo, double hi) {
  if (!(value >= lo && value <= hi)) {
    throw CV_ERROR(InvalidArgumentError, std::string(field) + " is out of range")
        .With("value", value)
        .With("min", lo)
        .With("max", hi);
  }
}

constexpr double kDegToRad = M_PI / 180.0;

}  // namespace

TargetSelectionOptions DrlDefaultSelection() {
  TargetSelectionOptions s;
  s.min_spacing_m = 80.0;  // §3.7 rule 1 for UL14
  return s;
}

void DrlSynthOptions::Check() const {
  std::set<std::string> seen;
  for (const auto* list : {&train_families, &test_families}) {
    for (const auto& f : *list) {
      if (!seen.insert(f).second) {
        throw CV_ERROR(InvalidArgumentError, "a family is listed twice across the splits")
            .With("family", f)
            .Hint("a family belongs to exactly one of train and test");
      }
    }
  }
  CheckCount("train_family_draws", train_family_draws, 0, 999);
  CheckCount("test_family_draws", test_family_draws, 0, 999);
  CheckCount("train_places_per_family", train_places_per_family, 0, 9999);
  CheckCount("test_places_per_family", test_places_per_family, 0, 9999);
  CheckCount("train_places", train_places, 0, 9999);
  CheckCount("test_places", test_places, 0, 9999);
  if (heights_m.empty()) throw CV_ERROR(InvalidArgumentError, "heights_m must not be empty");
  std::set<int> heights;
  for (int h : heights_m) {
    CheckCount("heights_m", h, 1, 10000);
    if (!heights.insert(h).second) throw CV_ERROR(InvalidArgumentError, "heights_m lists a height twice").With("height_m", h);
  }
  if (!(hfov_deg > 0.0 && hfov_deg < 170.0)) {
    throw CV_ERROR(InvalidArgumentError, "hfov_deg must be in (0, 170) deg").With("value", hfov_deg);
  }
  CheckUniformRange("yaw_deg", yaw_deg, -180.0, 180.0);
  CheckCount("uav_size_px", uav_size_px, 16, 4096);
  CheckCount("search_maps", search_maps, 1, 99);
  CheckCount("search_map_size_px", search_map_size_px, 16, 8192);
  CheckInterval("search_map_min_factor", search_map_min_factor, 0.1, 100.0);
  CheckInterval("search_map_max_factor", search_map_max_factor, search_map_min_factor, 100.0);
  if (search_maps == 1 && search_map_max_factor != search_map_min_factor) {
    throw CV_ERROR(InvalidArgumentError, "one search map needs search_map_max_factor == search_map_min_factor")
        .With("min", search_map_min_factor)
        .With("max", search_map_max_factor);
  }
  CheckInterval("search_offset_fraction", search_offset_fraction, 0.0, 0.99);
  CheckCount("train_satellite_size_px", train_satellite_size_px, 16, 8192);
  CheckInterval("train_satellite_side_factor", train_satellite_side_factor, 0.1, 100.0);
  if (!(satellite_effective_gsd_m >= 0.0) || !std::isfinite(satellite_effective_gsd_m)) {
    throw CV_ERROR(InvalidArgumentError, "satellite_effective_gsd_m must be >= 0 (0 = off)")
        .With("value", satellite_effective_gsd_m);
  }
  selection.Check();
  uav_photometric.Check();
  satellite_photometric.Check();
  CheckCount("contact_sheet_places", contact_sheet_places, 0, 100);
  CheckCount("contact_sheet_maps", contact_sheet_maps, 1, 99);
  if (source.enabled()) {
    if (!(source.gsd_m >= 0.0) || !std::isfinite(source.gsd_m)) {
      throw CV_ERROR(InvalidArgumentError, "source.gsd_m must be >= 0 (0 = take it from the file)")
          .With("value", source.gsd_m);
    }
    if (!train_families.empty() || !test_families.empty()) {
      throw CV_ERROR(InvalidArgumentError, "family lists do not apply to --source datasets")
          .Hint("a --source dataset splits each file into a train half and a test half");
    }
  } else if (source.gsd_m != 0.0) {
    throw CV_ERROR(InvalidArgumentError, "--gsd-m only applies with --source").With("gsd_m", source.gsd_m);
  }
}

double DrlSynthOptions::FootprintWidthM(double height_m) const {
  return 2.0 * height_m * std::tan(0.5 * hfov_deg * kDegToRad);
}

double DrlSynthOptions::SearchMapSideM(double height_m, int index) const {
  const double t = search_maps > 1 ? static_cast<double>(index) / (search_maps - 1) : 0.0;
  return FootprintWidthM(height_m) * (search_map_min_factor + (search_map_max_factor - search_map_min_factor) * t);
}

double DrlSynthOptions::TrainSatelliteSideM(double height_m) const {
  return train_satellite_side_factor * SearchMapSideM(height_m, search_maps - 1);
}

int DrlSynthOptions::MaxHeightM() const { return *std::max_element(heights_m.begin(), heights_m.end()); }

const std::vector<std::string>& DrlPresetNames() {
  static const std::vector<std::string> kNames = {"tiny", "ci", "full"};
  return kNames;
}

DrlSynthOptions DrlPreset(const std::string& name) {
  DrlSynthOptions o;
  o.preset = name;
  if (name == "tiny") {
    // §5.2: 8 / 4 places, 2 per family from 4 train and 2 test families drawn with the seed;
    // UAV 128 px, training satellite 320 px, 12 search maps of 768 px. Unit tests generate it.
    o.train_family_draws = 4;
    o.test_family_draws = 2;
    o.train_places_per_family = o.test_places_per_family = 2;
    o.train_places = 8;
    o.test_places = 4;
    o.uav_size_px = 128;
    o.train_satellite_size_px = 320;
  } else if (name == "ci") {
    // Every train and test family, ≤ 4 places each, 64 / 16 places; UAV 256, satellite 640.
    o.train_places_per_family = o.test_places_per_family = 4;
    o.train_places = 64;
    o.test_places = 16;
    o.uav_size_px = 256;
    o.train_satellite_size_px = 640;
  } else if (name == "full") {
    // Every family, ≤ 48 places each, up to 700 / 240 places; UAV 512, satellite 1280 (UL14's).
    o.train_places_per_family = o.test_places_per_family = 48;
    o.train_places = 700;
    o.test_places = 240;
    o.uav_size_px = 512;
    o.train_satellite_size_px = 1280;
  } else {
    throw CV_ERROR(InvalidArgumentError, "unknown preset '" + name + "'").Hint("valid presets: tiny, ci, full");
  }
  return o;
}

}  // namespace crossview::data

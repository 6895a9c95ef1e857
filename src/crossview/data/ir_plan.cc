#include "crossview/data/ir_plan.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "crossview/data/target_selection.h"
#include "crossview/data/validity.h"
#include "crossview/util/errors.h"
#include "crossview/util/random.h"

namespace crossview::data {
namespace {

int SplitRank(const std::string& split) {
  if (split == "train") return 0;
  if (split == "validation") return 1;
  if (split == "test") return 2;
  return 3;
}

}  // namespace

int IrPlan::Count(const std::string& split) const {
  return static_cast<int>(std::count_if(targets.begin(), targets.end(),
                                        [&](const PlannedTarget& t) { return t.split == split; }));
}

std::string TargetId(int n) {
  if (n < 0 || n >= 9999) {
    throw CV_ERROR(InvalidArgumentError, "too many targets for 4-digit IDs").With("targets", n + 1).Hint("lower the per-family caps");
  }
  char buf[8];
  std::snprintf(buf, sizeof(buf), "%04d", n + 1);
  return buf;
}

bool DroneViewFits(const MapFrame& map, const cv::Mat& nodata, const PinholeCamera& camera, const CameraPose& pose) {
  if (!CheckDroneView(map, camera, pose).valid) return false;
  if (nodata.empty()) return true;
  const cv::Matx33d map_from_image = ImageFromMap(camera, pose, map).inv();
  const int step = std::max(1, camera.width_px / 48);
  for (int v = 0; v < camera.height_px; v += step) {
    for (int u = 0; u < camera.width_px; u += step) {
      const cv::Vec2d q = ApplyHomography(map_from_image, {u + 0.5, v + 0.5});
      const int c = std::clamp(static_cast<int>(std::floor(q[0])), 0, nodata.cols - 1);
      const int r = std::clamp(static_cast<int>(std::floor(q[1])), 0, nodata.rows - 1);
      if (nodata.at<uint8_t>(r, c) != 0) return false;
    }
  }
  return true;
}

bool TileFits(const MapFrame& map, const cv::Mat& nodata, const cv::Vec2d& centre_en_m, double side_m) {
  const ViewValidity v = CheckNorthUpTile(map, centre_en_m, side_m);
  if (!v.valid) return false;
  if (nodata.empty()) return true;
  const int x0 = std::max(0, static_cast<int>(std::floor(v.corners_xy_px[0][0])));
  const int y0 = std::max(0, static_cast<int>(std::floor(v.corners_xy_px[0][1])));
  const int x1 = std::min(nodata.cols, static_cast<int>(std::ceil(v.corners_xy_px[2][0])));
  const int y1 = std::min(nodata.rows, static_cast<int>(std::ceil(v.corners_xy_px[2][1])));
  if (x1 <= x0 || y1 <= y0) return true;
  return cv::countNonZero(nodata(cv::Rect(x0, y0, x1 - x0, y1 - y0))) == 0;
}

IrPlan PlanIrTargets(const IrSynthOptions& o, const SynthCatalog& catalog, const std::vector<LoadedMap>& maps,
                     int jobs) {
  IrPlan plan;
  plan.views = o.layout == IrLayout::kSues200 ? AllSuesViews(o.sues) : SpiralViews(o.spiral);
  plan.drone_reach_m = MaxLookAtReachM(plan.views, o.drone_size_px);
  const double half_side_m = 0.5 * o.satellite_side_m;
  plan.reach_m = std::max(plan.drone_reach_m, half_side_m);
  plan.families.resize(catalog.families.size());
  const Rng root(o.seed);
  const TargetSelectionOptions& sel = o.selection;

  auto base_of = [&](size_t fi) -> const MapSource& {
    return catalog.sources[static_cast<size_t>(catalog.families[fi].members[0])];
  };
  auto map_of = [&](size_t fi) -> const LoadedMap& {
    const LoadedMap& m = maps.at(static_cast<size_t>(catalog.families[fi].members[0]));
    CV_CHECK(m.pyramid != nullptr);
    return m;
  };
  auto choose_gallery_member = [&](const SynthFamily& f, int cand) {
    if (f.members.size() < 2) return f.members[0];
    Rng rng = root.Fork("member/" + f.name + "/" + std::to_string(cand));
    return f.members[static_cast<size_t>(rng.UniformInt(1, static_cast<int64_t>(f.members.size()) - 1))];
  };

  // Capacity and candidates per target family.
  std::vector<std::vector<cv::Vec2d>> candidates(catalog.families.size());
  for (size_t fi = 0; fi < catalog.families.size(); ++fi) {
    const SynthFamily& fam = catalog.families[fi];
    if (fam.split == "distractor") continue;
    const MapSource& base = base_of(fi);
    FamilyPlan& fp = plan.families[fi];
    fp.centre_region_xy_px = SiteCentreRegionXyPx(base, fam, plan.reach_m);
    if (!fp.centre_region_xy_px) {
      fp.skipped_reason = SkippedForCapacity(base, fam, plan.reach_m,
                                             "drone reach " + MetresText(plan.drone_reach_m) + ", tile half-side " +
                                                 MetresText(half_side_m));
      continue;
    }
    candidates[fi] = SiteCandidates(base, *fp.centre_region_xy_px, sel.min_spacing_m, sel.poisson_attempts,
                                    root.Fork("candidates/" + fam.name));
    fp.candidates = static_cast<int>(candidates[fi].size());
  }

  // Validity of every view and of the tile, with β₀ redrawn (§3.6).
  const SiteDrawFn draw_beta0 = [&](const SiteFamily& f, int ci, int attempt) {
    const SynthFamily& fam = catalog.families[static_cast<size_t>(f.family)];
    Rng rng = root.Fork("beta0/" + fam.name + "/" + std::to_string(ci) + "/" + std::to_string(attempt));
    SiteDraw d;
    d.value = 360.0 * rng.Uniform01();
    const cv::Vec2d& centre = f.candidates[static_cast<size_t>(ci)];
    d.fits = TileFits(f.base->frame, f.map->nodata, centre, o.satellite_side_m);
    for (size_t v = 0; v < plan.views.size() && d.fits; ++v) {
      const DroneViewSpec& spec = plan.views[v];
      d.fits = DroneViewFits(f.base->frame, f.map->nodata, spec.Camera(o.drone_size_px), spec.Pose(centre, d.value));
    }
    return d;
  };

  std::vector<PlannedTarget> targets;
  DuplicateIndex test_index(sel.thumbnail_max_shift_px);
  for (const std::string split : {"train", "validation", "test"}) {
    DuplicateIndex local_index(sel.thumbnail_max_shift_px);
    DuplicateIndex& index = split == std::string("test") ? test_index : local_index;
    const int cap = split == std::string("train") ? o.train_targets_per_family : o.test_targets_per_family;
    std::vector<SiteFamily> slots;
    for (size_t fi = 0; fi < catalog.families.size(); ++fi) {
      const SynthFamily& fam = catalog.families[fi];
      if (fam.split != split || !plan.families[fi].skipped_reason.empty()) continue;
      slots.push_back({static_cast<int>(fi), &base_of(fi), &map_of(fi), candidates[fi], cap});
    }
    SiteSelectionParams params;
    params.thumbnail_side_m = o.satellite_side_m;
    params.order = SiteOrder::kFamilyByFamily;
    params.jobs = jobs;
    std::vector<TargetRejections> rejections;
    const std::vector<SelectedSite> sites = SelectSites(slots, sel, params, draw_beta0, index, &rejections);
    for (size_t s = 0; s < slots.size(); ++s) plan.families[static_cast<size_t>(slots[s].family)].rejections = rejections[s];
    for (const SelectedSite& site : sites) {
      const size_t fi = static_cast<size_t>(slots[site.slot].family);
      const SynthFamily& fam = catalog.families[fi];
      PlannedTarget t;
      t.split = split;
      t.family = static_cast<int>(fi);
      t.source = fam.members[0];
      t.candidate_index = site.candidate_index;
      t.centre_en_m = site.centre_en_m;
      t.centre_xy_px = base_of(fi).frame.XyFromEn(site.centre_en_m);
      t.beta0_deg = site.draw_value;
      t.redraws = site.redraws;
      t.gallery_source = choose_gallery_member(fam, site.candidate_index);
      t.highpass_std = site.highpass_std;
      t.duplicate_score = site.duplicate_score;
      targets.push_back(t);
      ++plan.families[fi].targets_placed;
    }
  }

  // Distractors, round-robin over the pools in family order.
  int n_test = 0;
  for (const PlannedTarget& t : targets) n_test += (t.split == "test");
  plan.distractors_requested =
      std::max(o.distractors, static_cast<int>(std::ceil(o.distractor_min_fraction * n_test - 1e-9)));
  const double spacing_m = o.distractor_min_spacing_m > 0.0 ? o.distractor_min_spacing_m : sel.min_spacing_m;
  std::vector<size_t> pools;
  std::vector<std::vector<cv::Vec2d>> pool_cands(catalog.families.size());
  for (size_t fi = 0; fi < catalog.families.size() && plan.distractors_requested > 0; ++fi) {
    const SynthFamily& fam = catalog.families[fi];
    if (fam.split != "distractor" && fam.split != "test") continue;
    const MapSource& base = base_of(fi);
    const std::optional<cv::Rect2d> region = SiteCentreRegionXyPx(base, fam, half_side_m);
    if (!region) {
      if (fam.split == "distractor") {
        plan.families[fi].skipped_reason = "a " + MetresText(o.satellite_side_m) + " tile does not fit; the texture is " +
                                           MetresText(base.frame.WidthM()) + " x " + MetresText(base.frame.HeightM());
      }
      continue;
    }
    plan.families[fi].centre_region_xy_px = plan.families[fi].centre_region_xy_px.value_or(*region);
    std::vector<cv::Vec2d> cands = SiteCandidates(base, *region, spacing_m, sel.poisson_attempts,
                                              root.Fork("distractor-candidates/" + fam.name));
    // Keep one tile side from every target on the same ground.
    cands.erase(std::remove_if(cands.begin(), cands.end(),
                               [&](const cv::Vec2d& p) {
                                 for (const PlannedTarget& t : targets) {
                                   if (t.source == fam.members[0] && cv::norm(t.centre_en_m - p) < o.satellite_side_m) {
                                     return true;
                                   }
                                 }
                                 return false;
                               }),
                cands.end());
    plan.families[fi].candidates = std::max(plan.families[fi].candidates, static_cast<int>(cands.size()));
    pool_cands[fi] = std::move(cands);
    pools.push_back(fi);
  }
  std::vector<size_t> next(catalog.families.size(), 0);
  int placed = 0;
  for (bool progress = true; progress && placed < plan.distractors_requested;) {
    progress = false;
    for (size_t fi : pools) {
      if (placed >= plan.distractors_requested) break;
      const std::vector<cv::Vec2d>& cands = pool_cands[fi];
      const SynthFamily& fam = catalog.families[fi];
      const LoadedMap& map = map_of(fi);
      const MapFrame& frame = base_of(fi).frame;
      while (next[fi] < cands.size()) {
        const size_t ci = next[fi]++;
        progress = true;
        if (!TileFits(frame, map.nodata, cands[ci], o.satellite_side_m)) {
          ++plan.families[fi].rejections.out_of_map;
          continue;
        }
        const TileThumbnail thumb = RenderTileThumbnail(*map.pyramid, frame, cands[ci], o.satellite_side_m,
                                                        sel.thumbnail_size_px, sel.thumbnail_blur_sigma_px);
        const double score = test_index.BestMatch(thumb, sel.duplicate_ncc);
        if (score >= sel.duplicate_ncc) {
          ++plan.families[fi].rejections.duplicate;
          continue;
        }
        test_index.Add(thumb);
        PlannedTarget t;
        t.split = "distractor";
        t.family = static_cast<int>(fi);
        t.source = fam.members[0];
        t.candidate_index = static_cast<int>(ci);
        t.centre_en_m = cands[ci];
        t.centre_xy_px = frame.XyFromEn(cands[ci]);
        t.gallery_source = choose_gallery_member(fam, static_cast<int>(ci));
        t.highpass_std = thumb.highpass_std;
        t.duplicate_score = score;
        targets.push_back(t);
        ++plan.families[fi].distractors_placed;
        ++placed;
        break;
      }
    }
  }

  std::stable_sort(targets.begin(), targets.end(), [&](const PlannedTarget& a, const PlannedTarget& b) {
    const int ra = SplitRank(a.split), rb = SplitRank(b.split);
    if (ra != rb) return ra < rb;
    const int fa = catalog.families[static_cast<size_t>(a.family)].order;
    const int fb = catalog.families[static_cast<size_t>(b.family)].order;
    if (fa != fb) return fa < fb;
    return a.candidate_index < b.candidate_index;
  });
  for (size_t i = 0; i < targets.size(); ++i) targets[i].id = TargetId(static_cast<int>(i));
  plan.targets = std::move(targets);
  return plan;
}

}  // namespace crossview::data

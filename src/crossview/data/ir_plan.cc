#include "crossview/data/ir_plan.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "crossview/data/target_selection.h"
#include "crossview/data/validity.h"
#include "crossview/util/errors.h"
#include "crossview/util/parallel.h"
#include "crossview/util/random.h"

namespace crossview::data {
namespace {

int SplitRank(const std::string& split) {
  if (split == "train") return 0;
  if (split == "validation") return 1;
  if (split == "test") return 2;
  return 3;
}

// `region` shrunk by `margin_px` on every side and intersected with `other` (either may be unset).
std::optional<cv::Rect2d> Intersect(const std::optional<cv::Rect2d>& region, const std::optional<cv::Rect2d>& half,
                                    double margin_px) {
  if (!region) return std::nullopt;
  if (!half) return region;
  const double x0 = std::max(region->x, half->x + margin_px);
  const double y0 = std::max(region->y, half->y + margin_px);
  const double x1 = std::min(region->x + region->width, half->x + half->width - margin_px);
  const double y1 = std::min(region->y + region->height, half->y + half->height - margin_px);
  if (x1 < x0 || y1 < y0) return std::nullopt;
  return cv::Rect2d(x0, y0, x1 - x0, y1 - y0);
}

std::string Metres(double m) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f m", m);
  return buf;
}

// Candidate centres (ground frame) of one family inside `region_px` of its base map.
std::vector<cv::Vec2d> Candidates(const MapSource& base, const cv::Rect2d& region_px, double spacing_m,
                                  int attempts, Rng rng) {
  const MapFrame& f = base.frame;
  const cv::Vec2d top_left = f.EnFromXy({region_px.x, region_px.y});
  const cv::Rect2d region_en(top_left[0], top_left[1] - region_px.height * f.gsd_m, region_px.width * f.gsd_m,
                             region_px.height * f.gsd_m);
  std::vector<cv::Vec2d> points = PoissonDiskSamples(region_en, spacing_m, attempts, rng);
  if (base.periodic_half) {  // columns [0, W/2) strictly
    points.erase(std::remove_if(points.begin(), points.end(),
                                [&](const cv::Vec2d& p) { return f.XyFromEn(p)[0] >= 0.5 * f.width_px; }),
                 points.end());
  }
  return points;
}

// Thumbnails of candidates [begin, end), rendered in parallel (pure functions of the candidate).
std::vector<TileThumbnail> Thumbnails(const std::vector<cv::Vec2d>& cands, size_t begin, size_t end,
                                      const LoadedMap& map, const MapFrame& frame, const IrSynthOptions& o, int jobs) {
  std::vector<TileThumbnail> out(end - begin);
  ParallelFor(static_cast<int64_t>(end - begin), jobs, [&](int64_t i) {
    out[static_cast<size_t>(i)] = RenderTileThumbnail(*map.pyramid, frame, cands[begin + static_cast<size_t>(i)],
                                                      o.satellite_side_m, o.selection.thumbnail_size_px,
                                                      o.selection.thumbnail_blur_sigma_px);
  });
  return out;
}

struct FamilyWork {
  std::vector<cv::Vec2d> candidates;
};

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
  std::vector<FamilyWork> work(catalog.families.size());
  for (size_t fi = 0; fi < catalog.families.size(); ++fi) {
    const SynthFamily& fam = catalog.families[fi];
    if (fam.split == "distractor") continue;
    const MapSource& base = base_of(fi);
    const double margin_px = plan.reach_m / base.frame.gsd_m;
    FamilyPlan& fp = plan.families[fi];
    fp.centre_region_xy_px = Intersect(TargetCentreRegionXyPx(base.frame, plan.reach_m, base.periodic_half),
                                       fam.half_xy_px, margin_px);
    if (!fp.centre_region_xy_px) {
      const double w = fam.half_xy_px ? fam.half_xy_px->width : base.frame.width_px;
      const double h = fam.half_xy_px ? fam.half_xy_px->height : base.frame.height_px;
      fp.skipped_reason = "needs " + Metres(plan.reach_m) + " of map on every side of a target (drone reach " +
                          Metres(plan.drone_reach_m) + ", tile half-side " + Metres(half_side_m) + "); " +
                          (fam.half_xy_px ? "the half" : "the texture") + " is " + Metres(w * base.frame.gsd_m) +
                          " x " + Metres(h * base.frame.gsd_m) + (base.periodic_half ? " (left half only)" : "");
      continue;
    }
    work[fi].candidates = Candidates(base, *fp.centre_region_xy_px, sel.min_spacing_m, sel.poisson_attempts,
                                     root.Fork("candidates/" + fam.name));
    fp.candidates = static_cast<int>(work[fi].candidates.size());
  }

  std::vector<PlannedTarget> targets;
  DuplicateIndex test_index(sel.thumbnail_max_shift_px);
  for (const std::string split : {"train", "validation", "test"}) {
    DuplicateIndex local_index(sel.thumbnail_max_shift_px);
    DuplicateIndex& index = split == std::string("test") ? test_index : local_index;
    const int cap = split == std::string("train") ? o.train_targets_per_family : o.test_targets_per_family;
    for (size_t fi = 0; fi < catalog.families.size(); ++fi) {
      const SynthFamily& fam = catalog.families[fi];
      if (fam.split != split || !plan.families[fi].skipped_reason.empty()) continue;
      FamilyPlan& fp = plan.families[fi];
      const MapSource& base = base_of(fi);
      const LoadedMap& map = map_of(fi);
      const std::vector<cv::Vec2d>& cands = work[fi].candidates;
      const size_t batch = static_cast<size_t>(std::max(8, 4 * ResolveJobs(jobs)));
      std::vector<TileThumbnail> thumbs;
      size_t thumbs_begin = 0;
      for (size_t ci = 0; ci < cands.size() && fp.targets_placed < cap; ++ci) {
        if (ci >= thumbs_begin + thumbs.size()) {
          thumbs_begin = ci;
          thumbs = Thumbnails(cands, ci, std::min(cands.size(), ci + batch), map, base.frame, o, jobs);
        }
        const TileThumbnail& thumb = thumbs[ci - thumbs_begin];
        if (thumb.highpass_std < sel.featureless_highpass_std) {
          ++fp.rejections.featureless;
          continue;
        }
        const double score = index.BestMatch(thumb, sel.duplicate_ncc);
        if (score >= sel.duplicate_ncc) {
          ++fp.rejections.duplicate;
          continue;
        }
        // Validity of every view and of the tile, with β₀ redrawn (§3.6).
        int attempt = 0;
        bool fits = false;
        double beta0 = 0.0;
        for (; attempt <= sel.max_redraws && !fits; ++attempt) {
          Rng rng = root.Fork("beta0/" + fam.name + "/" + std::to_string(ci) + "/" + std::to_string(attempt));
          beta0 = 360.0 * rng.Uniform01();
          fits = TileFits(base.frame, map.nodata, cands[ci], o.satellite_side_m);
          for (size_t v = 0; v < plan.views.size() && fits; ++v) {
            const DroneViewSpec& spec = plan.views[v];
            fits = DroneViewFits(base.frame, map.nodata, spec.Camera(o.drone_size_px), spec.Pose(cands[ci], beta0));
          }
          if (!fits) ++fp.rejections.redraws;
        }
        if (!fits) {
          ++fp.rejections.out_of_map;
          continue;
        }
        index.Add(thumb);
        PlannedTarget t;
        t.split = split;
        t.family = static_cast<int>(fi);
        t.source = fam.members[0];
        t.candidate_index = static_cast<int>(ci);
        t.centre_en_m = cands[ci];
        t.centre_xy_px = base.frame.XyFromEn(cands[ci]);
        t.beta0_deg = beta0;
        t.redraws = attempt - 1;
        t.gallery_source = choose_gallery_member(fam, static_cast<int>(ci));
        t.highpass_std = thumb.highpass_std;
        t.duplicate_score = score;
        targets.push_back(t);
        ++fp.targets_placed;
      }
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
    const std::optional<cv::Rect2d> region = Intersect(
        TargetCentreRegionXyPx(base.frame, half_side_m, base.periodic_half), fam.half_xy_px, half_side_m / base.frame.gsd_m);
    if (!region) {
      if (fam.split == "distractor") {
        plan.families[fi].skipped_reason = "a " + Metres(o.satellite_side_m) + " tile does not fit; the texture is " +
                                           Metres(base.frame.WidthM()) + " x " + Metres(base.frame.HeightM());
      }
      continue;
    }
    plan.families[fi].centre_region_xy_px = plan.families[fi].centre_region_xy_px.value_or(*region);
    std::vector<cv::Vec2d> cands = Candidates(base, *region, spacing_m, sel.poisson_attempts,
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

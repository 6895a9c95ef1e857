// Where the places of a synthetic dataset go (spec data.md §3.6, §3.7): the steps every
// generator shares, `synth ir` targets and `synth drl` UAV places alike.
//
// Per family (ground frame of its base texture):
// 1. Capacity: centres keep `margin_m` of map on every side (left half only for periodic
//    textures, inside its half for user orthophotos); a family where nothing fits is skipped with
//    the reason.
// 2. Candidates: seeded Poisson-disk sampling (d_min) in that region, shuffled.
// Then, over the families of one split, candidates in shuffled order:
// 3. featureless test and 4. near-duplicate test on the candidate's satellite-tile thumbnail
//    (target_selection.h) against every thumbnail accepted before it;
// 5. validity: the caller's draw (a bearing, a yaw, …) is redrawn up to max_redraws times until
//    everything it renders fits; otherwise the candidate is dropped (out_of_map). Test sets are
//    never padded.
// 6. caps: per family, and optionally in total. Families are visited one after the other
//    (kFamilyByFamily: each fills its cap before the next starts) or in turns (kRoundRobin: one
//    accepted place per family per turn, so a total cap spreads over the families).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "crossview/data/ir_options.h"
#include "crossview/data/synth_sources.h"
#include "crossview/data/target_selection.h"
#include "crossview/util/random.h"

namespace crossview::data {

struct TargetRejections {
  int featureless = 0;
  int duplicate = 0;
  int out_of_map = 0;  // candidates dropped after max_redraws redraws
  int redraws = 0;     // rejected draws (including those of dropped candidates)
};

// Per-family bookkeeping of a plan (written to the manifest's families and sources arrays).
struct FamilyPlan {
  std::optional<cv::Rect2d> centre_region_xy_px;  // base pixels; unset when skipped
  int candidates = 0;
  int targets_placed = 0;
  int distractors_placed = 0;
  TargetRejections rejections;
  std::string skipped_reason;  // "" when used
};

// "12.5 m".
std::string MetresText(double m);

// Step 1: the capacity region of `family` (its base map `base`) for a margin of `margin_m`, in
// base pixels; nullopt when nothing fits.
std::optional<cv::Rect2d> SiteCentreRegionXyPx(const MapSource& base, const SynthFamily& family, double margin_m);
// The reason recorded for a skipped family: "needs <margin> of map on every side of a place
// (<why>); the texture is W x H" (with "the half" and "(left half only)" where they apply).
std::string SkippedForCapacity(const MapSource& base, const SynthFamily& family, double margin_m,
                               const std::string& why);

// Step 2: Poisson-disk centres (ground frame, metres) inside `region_xy_px` of `base`, at least
// `spacing_m` apart, shuffled with `rng`; periodic textures keep columns [0, W/2) only.
std::vector<cv::Vec2d> SiteCandidates(const MapSource& base, const cv::Rect2d& region_xy_px, double spacing_m,
                                      int attempts, Rng rng);

// One family taking part in a selection.
struct SiteFamily {
  int family = -1;                    // index into SynthCatalog::families (passed back, not used)
  const MapSource* base = nullptr;    // the family's base texture
  const LoadedMap* map = nullptr;     // its pixels
  std::vector<cv::Vec2d> candidates;  // step 2's output
  int cap = 0;                        // most places accepted from this family
};

// The caller's validity test for one draw of its random parameters: `attempt` counts from 0.
struct SiteDraw {
  bool fits = false;
  double value = 0.0;  // the drawn parameter, kept for the accepted draw (e.g. β₀ or a yaw)
};
using SiteDrawFn = std::function<SiteDraw(const SiteFamily& family, int candidate, int attempt)>;

enum class SiteOrder { kFamilyByFamily, kRoundRobin };

struct SiteSelectionParams {
  double thumbnail_side_m = 300.0;  // ground side of the tile the thumbnail is made from
  SiteOrder order = SiteOrder::kFamilyByFamily;
  int total_cap = -1;               // across the families; -1 = none
  int jobs = 1;                     // threads rendering thumbnails (the result does not depend on it)
};

struct SelectedSite {
  size_t slot = 0;          // index into the SiteFamily list
  int candidate_index = 0;  // position in that family's candidate list
  cv::Vec2d centre_en_m{0.0, 0.0};
  double draw_value = 0.0;
  int redraws = 0;  // rejected draws before the accepted one
  double highpass_std = 0.0;
  double duplicate_score = 0.0;  // best NCC against the thumbnails accepted before it
};

// Steps 3 to 6 over `families`, in acceptance order. `index` holds the thumbnails accepted so far
// in this split (it may be shared with a later selection, e.g. the distractors); `rejections`
// (one per family, may be null) is added to.
std::vector<SelectedSite> SelectSites(const std::vector<SiteFamily>& families, const TargetSelectionOptions& selection,
                                      const SiteSelectionParams& params, const SiteDrawFn& draw, DuplicateIndex& index,
                                      std::vector<TargetRejections>* rejections);

}  // namespace crossview::data

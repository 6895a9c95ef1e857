// Target planning for `synth ir` (spec data.md §3.6, §3.7, §4): where the targets and distractors
// go, which views they get, and their IDs. Pure geometry plus satellite-tile thumbnails; nothing
// is written. The selection steps are site_selection.h's, families visited one after the other.
//
// Per family (ground frame of its base texture):
// 1. Capacity: target centres must keep every footprint inside the map: a margin of
//    reach = max(largest drone-view reach of the pattern, satellite half-side) on every side, left
//    half only for periodic textures, inside its half for user orthophotos. A family where no
//    centre fits is skipped and the reason recorded.
// 2. Candidates: Poisson-disk (d_min) in that region, shuffled, seeded per family.
// Per split (train, validation, test), families in table order, candidates in shuffled order until
// the family's cap:
// 3. featureless test, 4. near-duplicate test against every accepted thumbnail of the split,
// 5. validity of every view (§3.6) with β₀ redrawn up to max_redraws times, else the target is
//    dropped (out_of_map). Test sets are never padded.
// Distractors (gallery-only tiles) come round-robin from the distractor textures and the test
// families, at least one tile side from every target of the same ground, and pass the duplicate
// test against the test targets and the distractors accepted before them.
// IDs (4 digits from 0001) follow (split: train, validation, test, distractor; family; candidate).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "crossview/data/flight_pattern.h"
#include "crossview/data/ir_options.h"
#include "crossview/data/site_selection.h"
#include "crossview/data/synth_sources.h"

namespace crossview::data {

struct PlannedTarget {
  std::string id;            // 4 digits
  std::string split;         // train, validation, test, distractor
  int family = -1;           // index into SynthCatalog::families
  int source = -1;           // the family's base texture; centre_xy_px is in its pixels
  int candidate_index = 0;   // position in the family's shuffled candidate list
  cv::Vec2d centre_en_m{0.0, 0.0};
  cv::Vec2d centre_xy_px{0.0, 0.0};
  double beta0_deg = 0.0;    // drone bearing origin (not used by distractors)
  int redraws = 0;           // rejected β₀ draws before this one
  int gallery_source = -1;   // member for gallery tiles under cross/multi (the base when alone)
  double highpass_std = 0.0;
  double duplicate_score = 0.0;  // best NCC against the accepted thumbnails before it
};

struct IrPlan {
  std::vector<DroneViewSpec> views;  // the pattern (every SUES height, or the spiral subset)
  double drone_reach_m = 0.0;
  double reach_m = 0.0;              // the capacity margin used for targets
  std::vector<PlannedTarget> targets;  // sorted by id
  std::vector<FamilyPlan> families;    // parallel to SynthCatalog::families
  int distractors_requested = 0;

  int Count(const std::string& split) const;
};

// `maps[i]` must hold the pixels of every base texture (members[0]) of the catalogue's families;
// other entries may be empty. `jobs` threads render candidate thumbnails.
IrPlan PlanIrTargets(const IrSynthOptions& options, const SynthCatalog& catalog,
                     const std::vector<LoadedMap>& maps, int jobs);

// Whether a drone view or a satellite tile of `map` stays inside it and off its no-data pixels
// (`nodata` may be empty). Exposed for tests.
bool DroneViewFits(const MapFrame& map, const cv::Mat& nodata, const PinholeCamera& camera,
                   const CameraPose& pose);
bool TileFits(const MapFrame& map, const cv::Mat& nodata, const cv::Vec2d& centre_en_m, double side_m);

// The 4-digit ID of the n-th target (0-based): 0 → "0001". Throws InvalidArgumentError past 9999.
std::string TargetId(int n);

}  // namespace crossview::data

// Which images a `synth ir` dataset holds and where each one goes (spec data.md §4.1, §4.2, §3.8).
//
// An image job is one rendering (a drone view of a target, or a satellite tile of a target from
// one texture); it is written to every path that holds that picture (University-1652 keeps the
// same drone views in query_drone and gallery_drone; SUES-200 repeats a place's tile under every
// height and puts every place into the test galleries). Occluded copies (test_occlusion/) are the
// same rendering with the occlusion applied on top.
//
// University-1652 (and multitemporal, which is this layout with temporal = multi):
//   train/drone/<id>/image-NN.jpeg                 train targets
//   train/satellite/<id>/<id>.jpg (+ <id>_t<k>.jpg for every other family member under multi)
//   val/{query_drone,gallery_drone}/<id>/image-NN.jpeg, val/{query,gallery}_satellite/<id>/<id>.jpg
//   test/query_drone/<id>/image-NN.jpeg, test/gallery_drone/<id>/...          test targets
//   test/query_satellite/<id>/<id>.jpg                                         test targets
//   test/gallery_satellite/<id>/<id>.jpg                       test targets + distractors
//   test_cross/..., test_occlusion/...    the optional robustness sets (same four folders)
// SUES-200, per height h:
//   Training/<h>/drone/<id>/<nn>.jpg, Training/<h>/satellite/<id>/<id>.jpg
//   Validation/<h>/{query,gallery}_{drone,satellite}/...   validation places (galleries + train)
//   Testing/<h>/query_{drone,satellite}/...                test places
//   Testing/<h>/gallery_{drone,satellite}/...              every place (+ distractor tiles)
//
// Texture per tile: drone views always from the family's base texture. Satellite tiles: `same` →
// the base; `cross` → the target's other member (PlannedTarget::gallery_source); `multi` → query
// and training tiles from the base (training folders also hold <id>_t<k>.jpg, k = 1 … for the
// other members in table order), gallery tiles from the held-out member.
#pragma once

#include <string>
#include <vector>

#include "crossview/data/ir_options.h"
#include "crossview/data/ir_plan.h"
#include "crossview/data/synth_sources.h"

namespace crossview::data {

struct ImageJob {
  bool drone = true;
  int target = -1;  // index into IrPlan::targets
  int source = -1;  // index into SynthCatalog::sources: the texture rendered
  int view = -1;    // index into IrPlan::views (drone jobs)
  std::string key;  // the seed stream key, e.g. "drone/0007/image-13", "satellite/0007/town-europe"
  std::vector<std::string> clean_paths;     // sorted
  std::vector<std::string> occluded_paths;  // sorted
};

// Every job of the dataset, sorted by key; paths are relative to the dataset root.
std::vector<ImageJob> BuildIrJobs(const IrSynthOptions& options, const SynthCatalog& catalog, const IrPlan& plan);

// Whether the options write the test_cross/ and test_occlusion/ sets (University-1652 layouts).
bool WritesCrossTestSet(const IrSynthOptions& options);
bool WritesOcclusionTestSet(const IrSynthOptions& options);

}  // namespace crossview::data

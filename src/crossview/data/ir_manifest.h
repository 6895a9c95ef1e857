// manifest.json of a `synth ir` dataset (spec data.md §4.4, schema crossview.synth/1): every
// generation parameter and the ground truth of every file, in a deterministic text form.
//
// Determinism rules (§3.12): no timestamps, host names, absolute paths, thread counts or
// durations; objects keep a fixed key order; ground-truth positions (target and tile centres,
// lat/lon) are written as the shortest text that reads back to the same double, derived values
// (camera matrices, footprints, GSDs, photometric draws) rounded to 10 significant digits ("%.10g");
// arrays are sorted (targets by id, images by path) and written one element per line so the file
// can be grepped and diffed.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crossview/data/camera.h"
#include "crossview/data/ir_layout.h"
#include "crossview/data/ir_options.h"
#include "crossview/data/ir_plan.h"
#include "crossview/data/photometric.h"
#include "crossview/data/synth_sources.h"

namespace crossview::data {

inline constexpr const char* kSynthManifestSchema = "crossview.synth/1";
// The sentence every report on this data must carry (data.md §6).
inline constexpr const char* kSynthHonestClaim =
    "Drone views are rendered from the same orthophotos as the satellite views under a flat-ground model.";

// What rendering one ImageJob produced.
struct RenderedJob {
  std::string clean_sha256;
  std::string occluded_sha256;  // "" without occluded outputs
  PhotometricParams photometric;
  double out_of_map_fraction = 0.0;
  double occlusion_coverage = 0.0;
  int64_t clean_bytes = 0;
  int64_t occluded_bytes = 0;
};

// Every field of the options, defaults included (source files by name only).
nlohmann::ordered_json IrOptionsJson(const IrSynthOptions& options);

struct IrManifestInputs {
  const IrSynthOptions& options;
  const std::string& generator_version;
  const SynthCatalog& catalog;
  const std::vector<LoadedMap>& maps;
  const IrPlan& plan;
  const std::vector<ImageJob>& jobs;
  const std::vector<RenderedJob>& rendered;
};

// The whole manifest text. Computes lat/lon through the sources' georeferences (call from one
// thread).
std::string IrManifestText(const IrManifestInputs& in);

}  // namespace crossview::data

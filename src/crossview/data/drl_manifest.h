// manifest.json of a `synth drl` dataset (spec data.md §4.4; schema crossview.synth/1, kind "drl",
// layout "ul14"), and the per-sample UL14 files labels.json and GPS_info.json (§4.3, drl.md
// §6.3). Same determinism rules as the `synth ir` manifest (ir_manifest.h).
//
// Beyond the common keys: `geometry` (margins, thumbnail side, and per height the UAV footprint
// width, the search-map sides and the training tile side), `targets[]` one record per place (id,
// folder, split, family, texture, height_m, yaw_deg, centre_xy_px, centre_en_m,
// centre_lat_lon_deg, selection values, and for test places `search_maps`: side, crop centre,
// label, GPS entry, or the reason the size was dropped) and `images[]` one record per file:
//   UAV views         view "drone": the camera and ground truth of manifest::AddDroneViewFields
//   training tiles    view "satellite": the north-up tile fields, uav_xy_px, crs, geotransform
//   search maps       view "map": the north-up tile fields, map index, uav_xy_px (continuous,
//                     stored pixels), label [row, col], center_distribute [X, Y]
#pragma once

#include <array>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crossview/data/drl_options.h"
#include "crossview/data/drl_plan.h"
#include "crossview/data/photometric.h"
#include "crossview/data/synth_sources.h"

namespace crossview::data {

struct DrlRenderedJob {
  std::string sha256;
  PhotometricParams photometric;
  double out_of_map_fraction = 0.0;
  int64_t bytes = 0;
  std::array<double, 6> geotransform{};  // kTrainSatellite: the GeoTIFF's
  std::string crs;                       // kTrainSatellite: its CRS name
};

struct DrlManifestInputs {
  const DrlSynthOptions& options;
  const std::string& generator_version;
  const SynthCatalog& catalog;
  const std::vector<LoadedMap>& maps;
  const DrlPlan& plan;
  const std::vector<DrlJob>& jobs;
  const std::vector<DrlRenderedJob>& rendered;
};

// Every field of the options, defaults included (source files by name only).
nlohmann::ordered_json DrlOptionsJson(const DrlSynthOptions& options);

// The whole manifest text (call from one thread: lat/lon go through the source georeferences).
std::string DrlManifestText(const DrlManifestInputs& in);

// labels.json and GPS_info.json of a test place, keys "<i>.jpg" in size order (dropped sizes
// absent); one line each.
std::string Ul14LabelsJsonText(const DrlPlace& place);
std::string Ul14GpsInfoJsonText(const DrlPlace& place);

}  // namespace crossview::data

// index.json: what an index directory holds and how it was made, so a result can be reproduced
// and a query is described exactly like the gallery was.
//
//   {"format": "crossview.tile_index", "format_version": 1, "crossview_version": "0.1.0",
//    "model":      {"dir", "model_pt_sha256", "model_json"},
//    "descriptor": {"resize", "input_size", "normalization", "flip_tta", "msba_global_weight",
//                   "msba_global_only", "gallery_view", "query_view", "dim"},
//    "map":        MapSource::Describe() + {"sha256", "size_bytes", "georef_options", "bands",
//                   "zero_is_nodata"},
//    "tiling":     {"tile_size_m", "tile_size_source", "stride_m", "tile_px": [w, h],
//                   "max_nodata_fraction", "cover_edges"},
//    "tiles":      {"count", "bounds_wgs84": {west/south/east/north} over the tile corners},
//    "index":      {"type", "count", "dim"},
//    "files":      {"faiss", "tiles", "descriptors", "checksums"}}
//
// The directory: index.json, index.faiss (VectorIndex), tiles.sqlite (tile_table.h),
// descriptors.npy (the gallery descriptors, row i = tile i; used for exact search inside a prior
// radius and for inspection) and SHA256SUMS over those four.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crossview/geo/coords.h"
#include "crossview/models/descriptor.h"
#include "crossview/pipeline/map_source.h"

namespace crossview::pipeline {

inline constexpr const char* kIndexFormatName = "crossview.tile_index";
inline constexpr int kIndexFormatVersion = 1;

inline constexpr const char* kManifestFile = "index.json";
inline constexpr const char* kFaissFile = "index.faiss";
inline constexpr const char* kTilesFile = "tiles.sqlite";
inline constexpr const char* kDescriptorsFile = "descriptors.npy";
inline constexpr const char* kChecksumsFile = "SHA256SUMS";

// The typed fields the pipeline uses; `json` keeps the whole document.
struct IndexManifest {
  nlohmann::json json;
  int format_version = 0;
  std::string model_dir;
  std::string model_pt_sha256;
  int input_size = 0;
  models::DescriptorOptions descriptor;
  int64_t dim = 0;
  std::string map_path;
  std::string map_sha256;
  MapGeorefOptions georef;
  std::vector<int> bands;
  std::array<double, 6> geotransform{};  // of the north-up map the windows refer to
  int map_width_px = 0;
  int map_height_px = 0;
  double tile_size_m = 0.0;
  double stride_m = 0.0;
  std::string index_type;
  int64_t count = 0;
};

// Validates and types `json`. Throws InvalidArgumentError naming `source` for another format, a
// format_version newer than kIndexFormatVersion (with the fix), or a missing / mistyped field.
IndexManifest ParseIndexManifest(const nlohmann::json& json, const std::string& source);

// Reads dir/index.json. Throws NotFoundError ("not a crossview index") when it is missing.
IndexManifest ReadIndexManifest(const std::filesystem::path& dir);

nlohmann::json LatLonBoxJson(const geo::LatLonBox& box);

}  // namespace crossview::pipeline

// Building a tile index directory from a georeferenced map and a retrieval model (the gallery
// step of the pipeline, hloc-style: every step leaves an inspectable artefact).
//
//   IndexBuildOptions o;
//   o.map = "map.tif"; o.checkpoint = "runs/ir"; o.out = "map.idx";
//   IndexBuildSummary s = BuildTileIndex(o);
//
// Steps: open the map (map_source.h: any CRS, rotated maps warped north-up, assumed
// georeference for plain images), cut overlapping tiles of tile_size_m every stride_m
// (geo::CutTiles), read each tile window as RGB, describe it (describer.h) in chunks of
// chunk_tiles tiles, then write index.faiss, descriptors.npy, tiles.sqlite, index.json and
// SHA256SUMS (index_manifest.h).
//
// Atomicity and resume: everything is written into OUT.partial/, and OUT.partial/ is renamed to
// OUT only when complete, so an interrupted build never leaves a half index at OUT. Each chunk's
// descriptors are saved as OUT.partial/chunks/chunk-NNNNNN.npy (atomically) together with
// OUT.partial/build.json (the build plan); `resume` reuses the saved chunks when the plan is
// unchanged (same model, map, tiling, descriptor settings, chunk size and batch) and computes
// only the missing ones, giving the same index as an uninterrupted build.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "crossview/pipeline/describer.h"
#include "crossview/pipeline/map_source.h"

namespace crossview::pipeline {

// Tile side used when neither the options nor the model say otherwise: the synthetic
// University-1652-layout satellite tiles are 300 m (data.md §3.5).
inline constexpr double kDefaultTileSizeM = 300.0;

struct IndexBuildOptions {
  std::string map;
  std::string checkpoint;  // retrieval model directory (model.json + model.pt)
  std::string out;         // the index directory to create
  // Ground side of a tile in metres. 0: gsd_m × the model's input size when gsd_m is set, else
  // model.json's "satellite_side_m" when the model records it, else kDefaultTileSizeM.
  double tile_size_m = 0.0;
  // Distance between neighbouring tiles in metres; 0: half a tile.
  double stride_m = 0.0;
  // Describe tiles at this many metres per network input pixel (tile_size_m = gsd_m × input
  // size). Exclusive with tile_size_m.
  double gsd_m = 0.0;
  std::string type = "flat";  // flat | ivf | hnsw (index/vector_index.h)
  MapGeorefOptions georef;
  double max_nodata_fraction = 0.5;  // tiles with more no-data are skipped
  bool zero_is_nodata = false;       // treat 0 as no-data (maps with black collars and no NoData)
  std::vector<int> bands;            // 1-based bands read as R, G, B (empty: 1, 2, 3 or grey)
  DescriberOptions describer;
  int chunk_tiles = 512;  // tiles per saved descriptor chunk (the resume granularity)
  bool resume = false;     // continue OUT.partial/ if present
  bool overwrite = false;  // replace an existing index at OUT
  bool progress = true;    // progress bar on a terminal

  // Throws InvalidArgumentError naming the bad field.
  void Check() const;
};

// Test and tooling hooks.
struct IndexBuildHooks {
  // Called after each chunk whose descriptors were computed (not resumed) and saved, with the
  // number of chunks saved so far and the total; an exception thrown here aborts the build as an
  // interruption would.
  std::function<void(int64_t chunks_saved, int64_t chunks_total)> after_chunk;
};

struct IndexBuildSummary {
  std::filesystem::path out;
  int64_t tiles = 0;
  int64_t dim = 0;
  int64_t chunks = 0;
  int64_t chunks_resumed = 0;
  double tile_size_m = 0.0;
  double stride_m = 0.0;
  std::string tile_size_source;  // "option", "gsd", "model" or "default"
  double seconds = 0.0;
  double describe_seconds = 0.0;  // reading + describing tiles (the per-tile cost)
};

// Builds the index (see above). Throws InvalidArgumentError for bad options, an existing OUT
// without overwrite, a leftover OUT.partial/ without resume (or with a different plan), a map
// without georeference, or a tiling with no tiles; NotFoundError / IoError for missing or
// unreadable inputs.
IndexBuildSummary BuildTileIndex(const IndexBuildOptions& options, const IndexBuildHooks& hooks = {});

// OUT.partial beside OUT.
std::filesystem::path PartialIndexDir(const std::filesystem::path& out);

}  // namespace crossview::pipeline

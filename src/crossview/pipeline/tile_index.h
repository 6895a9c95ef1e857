// An index directory opened for searching (written by index_builder.h; layout in
// index_manifest.h). Opening checks the format version first (an index from a newer crossview is
// refused with the fix), then the SHA-256 of every file (a mismatch names the file), then that the
// FAISS index, the descriptors and the tile table agree on the tile count.
//
// Search has two paths:
// - without a prior: the FAISS index (exact for "flat", approximate for "ivf" / "hnsw");
// - with a prior (a circle around a position): exact inner products against the stored
//   descriptors of the tiles whose centre lies within the radius (haversine on R = 6 378 137 m).
//   Used by tracking, where the circle holds a few tiles; tiles outside are never returned.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "crossview/geo/coords.h"
#include "crossview/index/vector_index.h"
#include "crossview/pipeline/index_manifest.h"
#include "crossview/util/npy.h"
#include "crossview/pipeline/tile_table.h"

namespace crossview::pipeline {

struct SearchPrior {
  geo::LatLonDeg centre;
  double radius_m = 0.0;
  // Throws InvalidArgumentError for a position off the globe or a non-positive radius.
  void Check() const;
};

struct TileHit {
  int64_t tile_id = 0;
  // Inner product of the stored descriptors, higher is better: the cosine for unit descriptors;
  // MSBA's global re-weighting (models/descriptor.h) makes an exact match score (P − 1 + w²)/P.
  float score = 0.0f;
};

struct OpenIndexOptions {
  bool verify_checksums = true;
};

class TileIndex {
 public:
  static TileIndex Open(const std::filesystem::path& dir, const OpenIndexOptions& options = {});

  TileIndex(TileIndex&&) noexcept;
  TileIndex& operator=(TileIndex&&) noexcept;
  ~TileIndex();

  // The `k` best tiles for one query descriptor (dim() floats), best first; fewer when the index
  // (or the prior circle) holds fewer tiles, none when no tile centre is inside the prior.
  std::vector<TileHit> Search(const std::vector<float>& query, int64_t k, const std::optional<SearchPrior>& prior = std::nullopt) const;

  // Ids of the tiles whose centre is within the prior's radius, in id order.
  std::vector<int64_t> TilesWithin(const SearchPrior& prior) const;

  const std::filesystem::path& dir() const { return dir_; }
  const IndexManifest& manifest() const { return manifest_; }
  const std::vector<TileRecord>& tiles() const { return tiles_; }
  const TileRecord& tile(int64_t id) const;
  int64_t size() const { return static_cast<int64_t>(tiles_.size()); }
  int64_t dim() const { return descriptors_.cols; }

  // For `crossview index info`:
  // {"path", "format_version", "tiles", "dim", "index_type", "tile_size_m", "stride_m",
  //  "tile_px", "tile_gsd_m", "bounds_wgs84" (over the tile corners), "map" {path, crs_name,
  //  width_px, height_px, gsd_m, georeference_source, warped_north_up, corners_wgs84,
  //  corners_own_datum, lat_lon_operation}, "model" {dir, model_pt_sha256, method, input_size},
  //  "size_on_disk_bytes" {per file…, "total"}, "checksums" {"verified", "files"}}
  nlohmann::json Info() const;

 private:
  TileIndex() = default;
  std::filesystem::path dir_;
  IndexManifest manifest_;
  std::vector<TileRecord> tiles_;
  FloatMatrix descriptors_;
  std::unique_ptr<index::VectorIndex> faiss_;
  size_t checksummed_files_ = 0;
};

// "8.2 MB" style sizes for the text output.
std::string FormatBytes(int64_t bytes);
// The human-readable `index info` text for Info()'s JSON.
std::string FormatIndexInfo(const nlohmann::json& info);

}  // namespace crossview::pipeline

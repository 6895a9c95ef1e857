// Shared fixtures for the pipeline tests: tiny untrained models (seeded), a real orthophoto crop
// written as a georeferenced GeoTIFF, and one index built over it (built once per process).
#pragma once

#include <filesystem>
#include <opencv2/core.hpp>
#include <string>

#include "crossview/geo/texture_georef.h"
#include "crossview/pipeline/index_builder.h"

namespace crossview::pipeline::testing {

// A seeded, untrained MSBA model (ResNet-50 at base width 4, bottleneck 16) saved with
// SaveRetrievalModel. Weights are shared between views, so an image describes identically as a
// gallery tile and as a query.
void MakeTinyRetrievalModel(const std::filesystem::path& dir, int input_size = 32, int64_t seed = 1);
// A seeded, untrained small Mix-Fusion DRL model (UAV 64, satellite 128, Hanning 11).
void MakeTinyDrlModel(const std::filesystem::path& dir, int64_t seed = 2);

// The source texture of the test map (in the aerial cache).
std::filesystem::path TextureFile();
// A width × height crop of california-town2 (top-left at col 300, row 200), RGB.
cv::Mat TextureCrop(int width_px, int height_px);
// Writes TextureCrop as an EPSG:4326 GeoTIFF with the synthetic georeference of its family
// (GSD 0.98 m) and returns that georeference.
geo::TextureGeoref WriteTextureMap(const std::filesystem::path& path, int width_px, int height_px);

// The shared index: a 400 × 300 px (392 × 294 m) map, 64 m tiles every 32 m, input 32 px,
// chunks of 25 tiles, batch 8, CPU.
struct SharedIndex {
  std::filesystem::path root;
  std::filesystem::path map;
  std::filesystem::path model;
  std::filesystem::path index;
  geo::TextureGeoref georef{{40.0, -30.0}, 1, 1, 1.0};
  IndexBuildOptions options;
  IndexBuildSummary summary;
};
// Builds it on first use (in a directory that lives until the process exits).
const SharedIndex& Shared();

// Copies a directory tree (for tests that damage an index).
void CopyTree(const std::filesystem::path& from, const std::filesystem::path& to);

}  // namespace crossview::pipeline::testing

// The `crossview synth map` mosaic: a georeferenced, north-up orthophoto map made of real
// FlightGear textures, for the localisation product and its demo.
//
// Placement (documented in docs/data.md):
// - The n textures fill a grid of `columns` columns (default ⌈√n⌉) in the order given, row by
//   row from the north-west; each cell is T = round(tile_side_m / gsd_m) pixels square.
// - Each cell shows the central tile_side_m square of its texture (un-rolled like every other
//   use of the recolours), resampled to gsd_m with the anti-aliased renderer. A texture smaller
//   than the cell is an error that lists the textures that fit.
// - The whole W×H mosaic (W = columns·T, H = rows·T, unfilled cells of the last row black) is one
//   north-up plate carrée on R = 6 378 137 m centred on `anchor` (default 40.25° N, 30.5° W, open
//   sea west of the texture-family grid of data.md §2.1, so it never overlaps a family or a
//   default --source anchor):
//     e = (x − W/2)·g,  n = (H/2 − y)·g,  lat = φc + n/m_lat,  lon = λc + e/m_lon,
//   i.e. geo::TextureGeoref(anchor, W, H, g); GeoTIFF in EPSG:4326 with its geotransform.
// - The textures' own family anchors do not apply: the mosaic is a new, synthetic place.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "crossview/data/map_frame.h"
#include "crossview/geo/coords.h"
#include "crossview/geo/texture_georef.h"

namespace crossview::data {

struct MapMosaicOptions {
  // Town, suburb, commercial and countryside from the test families (unseen by models trained on
  // the train families): a 2 × 2 grid of 1 km tiles, 2000 × 2000 px at 1 m/px (4 km²).
  std::vector<std::string> textures{"town-europe", "california-town2", "australia-commercial", "uk_countryside2"};
  int columns = 0;  // 0 = ⌈√n⌉
  double tile_side_m = 1000.0;
  double gsd_m = 1.0;
  geo::LatLonDeg anchor{40.25, -30.5};

  // Throws InvalidArgumentError naming the bad field.
  void Check() const;
  int Columns() const;
  int Rows() const;
  int TilePx() const;  // T
};

struct MosaicTile {
  std::string texture;
  std::string family;
  int row = 0;  // grid cell
  int col = 0;
  cv::Rect rect_px;                     // in the mosaic
  cv::Vec2d source_centre_xy_px{0, 0};  // the texture pixel at the cell centre
  double source_gsd_m = 0.0;
  std::string sha256;                   // of the texture file read
};

struct MapMosaic {
  cv::Mat rgb;     // CV_8UC3, R G B
  MapFrame frame;  // W × H at gsd_m; ground (e, n) centred on the mosaic
  geo::LatLonDeg anchor;
  std::vector<MosaicTile> tiles;

  geo::TextureGeoref Georef() const { return geo::TextureGeoref(anchor, frame.width_px, frame.height_px, frame.gsd_m); }
};

// Loads the textures from the cache (pinned SHA-256s checked) and composes the mosaic; `jobs`
// threads render the cells. Throws NotFoundError for an unknown texture (listing the known ones).
MapMosaic BuildMapMosaic(const MapMosaicOptions& options, const geo::TextureTable& table,
                         const std::filesystem::path& cache_dir, int jobs);

// Writes the mosaic as a tiled, DEFLATE-compressed GeoTIFF (EPSG:4326) at `tif_path`, and its
// placement record beside it as <stem>.json (schema crossview.map/1: anchor, GSD, size,
// geotransform, corners, the tiles, the options, the GeoTIFF's SHA-256). Both atomically.
// Returns the GeoTIFF's SHA-256.
std::string WriteMapMosaic(const MapMosaic& mosaic, const MapMosaicOptions& options,
                           const std::filesystem::path& tif_path);

// The sidecar's path for a GeoTIFF path: map.tif → map.json.
std::filesystem::path MapSidecarPath(const std::filesystem::path& tif_path);

}  // namespace crossview::data

// Cuts a georeferenced raster into overlapping square ground tiles (the satellite gallery).
//
// Tiles are axis-aligned pixel windows of a NORTH-UP raster. A raster with a rotated
// geotransform is rejected (InvalidArgumentError naming the fix: GeoRaster::WarpedNorthUp(), or
// `gdalwarp` on the command line), because a pixel-aligned window of a rotated grid is not a
// north-up ground square. Note that "north-up" means grid north: in a projected CRS the grid is
// still rotated by the convergence angle against true north (Tile::up_bearing_deg).
#pragma once

#include <array>
#include <vector>

#include "crossview/geo/coords.h"
#include "crossview/geo/raster.h"

namespace crossview::geo {

struct TilingOptions {
  // Ground side of a tile in metres (rounded to whole pixels per axis).
  double tile_size_m = 0.0;
  // Ground distance between neighbouring tile origins, in metres (≤ tile_size_m for overlap).
  double stride_m = 0.0;
  // Tiles whose no-data fraction exceeds this are skipped (1.0 keeps every tile).
  double max_nodata_fraction = 0.5;
  // How no-data is recognised (e.g. zero_is_nodata for erdas_spnad83.tif's black corners).
  NodataOptions nodata;
  // The no-data fraction is estimated on at most this many samples per tile side.
  int nodata_samples_per_side = 64;
  // Add a last row/column of tiles flush with the right/bottom edge when the stride grid leaves
  // a strip uncovered.
  bool cover_edges = true;

  // Throws InvalidArgumentError naming the bad field.
  void Check() const;
};

struct Tile {
  int grid_row = 0;  // position in the tile grid (before skipping)
  int grid_col = 0;
  PixelWindow window;
  LatLonDeg centre;                 // WGS 84, centre of the window
  std::array<LatLonDeg, 4> corners;  // WGS 84: top-left, top-right, bottom-right, bottom-left
  double gsd_m = 0.0;
  double nodata_fraction = 0.0;
  double up_bearing_deg = 0.0;  // true bearing of the tile's up direction (grid convergence)
};

// All tiles of `raster` that pass the no-data test, row by row. Throws InvalidArgumentError if
// the raster is not north-up, has no georeference, or is smaller than one tile.
std::vector<Tile> CutTiles(const GeoRaster& raster, const TilingOptions& options);

}  // namespace crossview::geo

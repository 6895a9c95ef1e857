// The tile table of an index directory: one row per gallery tile in a SQLite database
// (tiles.sqlite), so the gallery can be inspected with the `sqlite3` shell:
//
//   CREATE TABLE tiles(
//     id INTEGER PRIMARY KEY,            -- the row of the tile's descriptor in the FAISS index
//     grid_row INTEGER, grid_col INTEGER, -- position in the tile grid (before no-data skipping)
//     centre_lat REAL, centre_lon REAL,   -- WGS 84 degrees, centre of the pixel window
//     tl_lat, tl_lon, tr_lat, tr_lon, br_lat, br_lon, bl_lat, bl_lon REAL,  -- corners
//     col_off INTEGER, row_off INTEGER, width_px INTEGER, height_px INTEGER, -- pixel window in
//                                         -- the (north-up) map the index was built from
//     gsd_m REAL, nodata_fraction REAL, up_bearing_deg REAL);
//   PRAGMA user_version = 1;             -- the table layout version
//
// Doubles are stored as SQLite REAL (IEEE binary64), so coordinates round-trip exactly.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "crossview/geo/coords.h"
#include "crossview/geo/tiling.h"

namespace crossview::pipeline {

inline constexpr int kTileTableVersion = 1;

struct TileRecord {
  int64_t id = 0;
  int grid_row = 0;
  int grid_col = 0;
  geo::LatLonDeg centre;
  std::array<geo::LatLonDeg, 4> corners;  // top-left, top-right, bottom-right, bottom-left
  geo::PixelWindow window;
  double gsd_m = 0.0;
  double nodata_fraction = 0.0;
  double up_bearing_deg = 0.0;
};

TileRecord RecordFromTile(int64_t id, const geo::Tile& tile);

// Writes the table to a new database at `path` atomically (an existing file is replaced only
// once the new one is complete). Throws IoError naming the file on a SQLite failure.
void WriteTileTable(const std::filesystem::path& path, const std::vector<TileRecord>& tiles);

// Reads every row ordered by id. Throws NotFoundError if the file is missing, IoError naming the
// file if it is not a crossview tile table (not SQLite, no `tiles` table, newer layout), and
// IoError if the ids are not 0 … n−1.
std::vector<TileRecord> ReadTileTable(const std::filesystem::path& path);

}  // namespace crossview::pipeline

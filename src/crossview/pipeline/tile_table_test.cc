#include "crossview/pipeline/tile_table.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "crossview/util/errors.h"
#include "crossview/util/file.h"

namespace crossview::pipeline {
namespace {

std::vector<TileRecord> Crafted() {
  std::vector<TileRecord> tiles;
  for (int i = 0; i < 3; ++i) {
    TileRecord t;
    t.id = i;
    t.grid_row = i / 2;
    t.grid_col = i % 2;
    t.centre = {41.9 + i * 1e-7 + 1.234567890123e-13, -87.6 - i * 3.3e-8};
    t.corners = {geo::LatLonDeg{42.0, -87.7}, geo::LatLonDeg{42.0, -87.5}, geo::LatLonDeg{41.8, -87.5}, geo::LatLonDeg{41.8, -87.7 + i}};
    t.window = {i * 13, i * 7, 65, 66};
    t.gsd_m = 0.98 + i;
    t.nodata_fraction = 0.125 * i;
    t.up_bearing_deg = 0.4712 * i;
    tiles.push_back(t);
  }
  return tiles;
}

TEST(TileTableTest, RoundTripsEveryFieldBitExactly) {
  TempDir tmp;
  const auto tiles = Crafted();
  WriteTileTable(tmp.path() / "tiles.sqlite", tiles);
  const auto back = ReadTileTable(tmp.path() / "tiles.sqlite");
  ASSERT_EQ(back.size(), tiles.size());
  for (size_t i = 0; i < tiles.size(); ++i) {
    EXPECT_EQ(back[i].id, tiles[i].id);
    EXPECT_EQ(back[i].grid_row, tiles[i].grid_row);
    EXPECT_EQ(back[i].grid_col, tiles[i].grid_col);
    EXPECT_EQ(back[i].centre.lat_deg, tiles[i].centre.lat_deg);
    EXPECT_EQ(back[i].centre.lon_deg, tiles[i].centre.lon_deg);
    for (size_t c = 0; c < 4; ++c) {
      EXPECT_EQ(back[i].corners[c].lat_deg, tiles[i].corners[c].lat_deg);
      EXPECT_EQ(back[i].corners[c].lon_deg, tiles[i].corners[c].lon_deg);
    }
    EXPECT_EQ(back[i].window.col_off, tiles[i].window.col_off);
    EXPECT_EQ(back[i].window.row_off, tiles[i].window.row_off);
    EXPECT_EQ(back[i].window.width_px, tiles[i].window.width_px);
    EXPECT_EQ(back[i].window.height_px, tiles[i].window.height_px);
    EXPECT_EQ(back[i].gsd_m, tiles[i].gsd_m);
    EXPECT_EQ(back[i].nodata_fraction, tiles[i].nodata_fraction);
    EXPECT_EQ(back[i].up_bearing_deg, tiles[i].up_bearing_deg);
  }
}

TEST(TileTableTest, RejectsNewerLayoutsForeignFilesAndMissingFiles) {
  TempDir tmp;
  const auto path = tmp.path() / "tiles.sqlite";
  WriteTileTable(path, Crafted());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 9", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  try {
    ReadTileTable(path);
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("newer crossview"), std::string::npos) << e.what();
  }
  WriteFileAtomic(tmp.path() / "junk.sqlite", std::string(4096, 'x'));
  EXPECT_THROW(ReadTileTable(tmp.path() / "junk.sqlite"), IoError);
  EXPECT_THROW(ReadTileTable(tmp.path() / "none.sqlite"), NotFoundError);
}

}  // namespace
}  // namespace crossview::pipeline

#include "crossview/geo/tiling.h"

#include <gtest/gtest.h>

#include <cmath>

#include "crossview/geo/distance.h"
#include "crossview/geo/geo_test_support.h"
#include "crossview/util/errors.h"
#include "crossview/util/testing.h"

namespace crossview::geo {
namespace {

using crossview::testing::AerialFile;

TEST(TilingTest, Sp27KilometreTilesWithHalfOverlap) {
  const auto path = AerialFile("rgdal/SP27GTIF.TIF");
  CV_REQUIRE_FILE(path);
  const GeoRaster raster = GeoRaster::Open(path);
  TilingOptions options;
  options.tile_size_m = 1000.0;
  options.stride_m = 500.0;
  options.cover_edges = false;
  const std::vector<Tile> tiles = CutTiles(raster, options);
  // 1000 m / 9.99746 m = 100 px tiles, 50 px stride: (699−100)/50+1 = 12 columns,
  // (929−100)/50+1 = 17 rows; SP27 has no no-data.
  ASSERT_EQ(tiles.size(), 12u * 17u);
  const Tile& first = tiles.front();
  EXPECT_EQ(first.window.col_off, 0);
  EXPECT_EQ(first.window.row_off, 0);
  EXPECT_EQ(first.window.width_px, 100);
  EXPECT_EQ(first.window.height_px, 100);
  EXPECT_EQ(tiles[1].window.col_off, 50);
  EXPECT_EQ(tiles[12].window.row_off, 50);
  EXPECT_EQ(tiles[12].grid_row, 1);
  const Tile& last = tiles.back();
  EXPECT_EQ(last.window.col_off, 550);
  EXPECT_EQ(last.window.row_off, 800);
  for (const Tile& t : tiles) {
    EXPECT_NEAR(t.gsd_m, 9.99746, 5e-6);
    EXPECT_EQ(t.nodata_fraction, 0.0);
    EXPECT_NEAR(t.up_bearing_deg, 0.47, 0.03);  // 0.449 to 0.494 across the scene
  }
  // Centre and corners are the raster's lat/lon of the window's centre and outer corners.
  const LatLonDeg centre = raster.lat_lon_from_pixel({50.0, 50.0});
  EXPECT_DOUBLE_EQ(first.centre.lat_deg, centre.lat_deg);
  EXPECT_DOUBLE_EQ(first.centre.lon_deg, centre.lon_deg);
  const LatLonDeg br = raster.lat_lon_from_pixel({100.0, 100.0});
  EXPECT_DOUBLE_EQ(first.corners[2].lat_deg, br.lat_deg);
  EXPECT_DOUBLE_EQ(first.corners[2].lon_deg, br.lon_deg);
  // The tile's sides are about 1 km (grid distance; scale factor ~1). The haversine on the
  // R = 6378137 m sphere is not the ellipsoid: at 42°N it reads east-west distances 0.15 % short
  // and north-south ones 0.2 % long (998.2 m and 1002.0 m here).
  EXPECT_NEAR(HaversineDistanceM(first.corners[0], first.corners[1]), 999.7, 3.0);
  EXPECT_NEAR(HaversineDistanceM(first.corners[1], first.corners[2]), 999.7, 3.0);
  // The tile's top edge is grid east, rotated by the convergence against true east: its north
  // corner-to-corner offset reveals the 0.47° rotation (1000 m · sin 0.47° ≈ 8.2 m).
  const double rise_m = (first.corners[1].lat_deg - first.corners[0].lat_deg) * 6378137.0 * M_PI / 180.0;
  EXPECT_NEAR(rise_m, -1000.0 * std::sin(0.47 * M_PI / 180.0), 1.0);

  options.cover_edges = true;
  const std::vector<Tile> covered = CutTiles(raster, options);
  // An extra column flush with the right edge (599) and row flush with the bottom (829).
  ASSERT_EQ(covered.size(), 13u * 18u);
  EXPECT_EQ(covered.back().window.col_off, 599);
  EXPECT_EQ(covered.back().window.row_off, 829);
}

TEST(TilingTest, ErdasSkipsBlackCorners) {
  const auto path = AerialFile("rgdal/erdas_spnad83.tif");
  CV_REQUIRE_FILE(path);
  const GeoRaster raster = GeoRaster::Open(path);
  TilingOptions options;
  options.tile_size_m = 1200.0;
  options.stride_m = 1200.0;
  options.max_nodata_fraction = 1.0;
  options.nodata.zero_is_nodata = true;
  const std::vector<Tile> all = CutTiles(raster, options);
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.front().window.width_px, 98);  // 1200 m / 12.192 m
  // The top-left tile is mostly black corner; a centre tile is not.
  EXPECT_GT(all.front().nodata_fraction, 0.3);
  options.max_nodata_fraction = 0.1;
  const std::vector<Tile> kept = CutTiles(raster, options);
  EXPECT_LT(kept.size(), all.size());
  EXPECT_GT(kept.size(), all.size() / 3);
  for (const Tile& t : kept) EXPECT_LE(t.nodata_fraction, 0.1);
  for (const Tile& t : all) EXPECT_NEAR(t.up_bearing_deg, -1.04, 0.02);
  // Without zero_is_nodata nothing is skipped: the file declares no no-data value.
  options.nodata.zero_is_nodata = false;
  EXPECT_EQ(CutTiles(raster, options).size(), all.size());
}

// Check 4, tiler side: a rotated geotransform is rejected with the fix; warped, it tiles.
TEST(TilingTest, RotatedRasterIsRejectedThenWarped) {
  const auto path = AerialFile("rgdal/SP27GTIF.TIF");
  CV_REQUIRE_FILE(path);
  const GeoRaster original = GeoRaster::Open(path);
  const PixelColRow centre{original.width_px() / 2.0, original.height_px() / 2.0};
  const GeoRaster rotated = testing::MemCopyWithGeotransform(
      original, original.geotransform().RotatedAbout(original.crs_from_pixel(centre), 30.0), "SP27 rotated 30°");
  TilingOptions options;
  options.tile_size_m = 1000.0;
  options.stride_m = 1000.0;
  try {
    CutTiles(rotated, options);
    FAIL() << "expected InvalidArgumentError";
  } catch (const InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("north-up"), std::string::npos) << e.what();
    EXPECT_NE(e.hint().find("WarpedNorthUp"), std::string::npos) << e.hint();
    EXPECT_NE(e.hint().find("gdalwarp"), std::string::npos) << e.hint();
  }
  const GeoRaster warped = rotated.WarpedNorthUp();
  options.max_nodata_fraction = 0.05;
  const std::vector<Tile> tiles = CutTiles(warped, options);
  ASSERT_FALSE(tiles.empty());
  for (const Tile& t : tiles) {
    EXPECT_LE(t.nodata_fraction, 0.05);
    EXPECT_EQ(t.window.width_px, 100);
  }
  // The warped tiles cover fewer full tiles than the bounding box could hold.
  const int grid_cols = warped.width_px() / 100, grid_rows = warped.height_px() / 100;
  EXPECT_LT(static_cast<int>(tiles.size()), grid_cols * grid_rows);
}

TEST(TilingTest, OptionsAreChecked) {
  TilingOptions options;
  EXPECT_THROW(options.Check(), InvalidArgumentError);
  options.tile_size_m = 100.0;
  options.stride_m = -1.0;
  try {
    options.Check();
    FAIL() << "expected InvalidArgumentError";
  } catch (const InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("stride_m"), std::string::npos) << e.what();
  }
  options.stride_m = 50.0;
  options.max_nodata_fraction = 1.5;
  EXPECT_THROW(options.Check(), InvalidArgumentError);
  options.max_nodata_fraction = 0.5;
  EXPECT_NO_THROW(options.Check());

  const auto path = AerialFile("stars/L7_ETMs.tif");
  CV_REQUIRE_FILE(path);
  const GeoRaster raster = GeoRaster::Open(path);
  options.tile_size_m = 20000.0;  // larger than the 9.9 km scene
  try {
    CutTiles(raster, options);
    FAIL() << "expected InvalidArgumentError";
  } catch (const InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("does not fit"), std::string::npos) << e.what();
  }
  options.tile_size_m = 2850.0;  // 100 px of 28.5 m
  options.stride_m = 2850.0;
  options.cover_edges = false;
  const std::vector<Tile> tiles = CutTiles(raster, options);
  EXPECT_EQ(tiles.size(), 9u);  // 3 × 3 in a 349 × 352 raster
  EXPECT_LT(tiles.front().centre.lat_deg, 0.0);  // southern hemisphere
  EXPECT_NEAR(tiles.front().up_bearing_deg, 0.26, 0.02);
}

}  // namespace
}  // namespace crossview::geo

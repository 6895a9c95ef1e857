#include "crossview/pipeline/map_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

#include "crossview/data/image_io.h"
#include "crossview/geo/geotiff_writer.h"
#include "crossview/pipeline/index_builder.h"
#include "crossview/pipeline/pipeline_test_support.h"
#include "crossview/pipeline/tile_table.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"
#include "crossview/util/testing.h"

namespace crossview::pipeline {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

TEST(MapSourceTest, PlainImageWithoutGeoreferenceIsRejectedWithTheHint) {
  CV_REQUIRE_FILE(testing::TextureFile());
  TempDir tmp;
  data::SaveImage(tmp.path() / "map.png", testing::TextureCrop(64, 48));
  try {
    OpenMapSource(tmp.path() / "map.png");
    FAIL() << "expected InvalidArgumentError";
  } catch (const InvalidArgumentError& e) {
    EXPECT_THAT(e.what(), HasSubstr("no georeference"));
    EXPECT_THAT(e.hint(), HasSubstr("--assume-gsd-m"));
    EXPECT_THAT(e.hint(), HasSubstr("--corners"));
  }
}

TEST(MapSourceTest, TopLeftCornerAndGsdGiveTheTextureGeoreference) {
  CV_REQUIRE_FILE(testing::TextureFile());
  TempDir tmp;
  data::SaveImage(tmp.path() / "map.png", testing::TextureCrop(200, 150));
  const geo::TextureGeoref g(geo::FamilyAnchor(3), 200, 150, 0.98);
  MapGeorefOptions o;
  const geo::LatLonDeg tl = g.lat_lon_from_pixel({0, 0});
  o.corners_lat_lon_deg = {tl.lat_deg, tl.lon_deg};
  o.assume_gsd_m = 0.98;
  MapSource m = OpenMapSource(tmp.path() / "map.png", o);
  EXPECT_EQ(m.georeference_source, "assumed");
  const auto& got = m.raster.geotransform().gdal();
  const auto want = g.geotransform().gdal();
  for (size_t i = 0; i < 6; ++i) EXPECT_NEAR(got[i], want[i], 1e-12 * std::max(1.0, std::abs(want[i]))) << i;
  EXPECT_NEAR(m.raster.gsd_m(), 0.98, 1e-6);
  EXPECT_NEAR(m.corners_wgs84[0].lat_deg, tl.lat_deg, 1e-12);
  EXPECT_NEAR(m.corners_wgs84[0].lon_deg, tl.lon_deg, 1e-12);
}

TEST(MapSourceTest, FourCornersAreExactAndCheckedAgainstTheGsd) {
  CV_REQUIRE_FILE(testing::TextureFile());
  TempDir tmp;
  data::SaveImage(tmp.path() / "map.png", testing::TextureCrop(200, 150));
  const geo::TextureGeoref g(geo::FamilyAnchor(3), 200, 150, 0.98);
  const geo::LatLonDeg tl = g.lat_lon_from_pixel({0, 0}), br = g.lat_lon_from_pixel({200, 150});
  MapGeorefOptions o;
  o.corners_lat_lon_deg = {tl.lat_deg, tl.lon_deg, br.lat_deg, br.lon_deg};
  MapSource m = OpenMapSource(tmp.path() / "map.png", o);
  EXPECT_NEAR(m.corners_wgs84[2].lat_deg, br.lat_deg, 1e-12);
  EXPECT_NEAR(m.corners_wgs84[2].lon_deg, br.lon_deg, 1e-12);
  EXPECT_NEAR(m.raster.gsd_m(), 0.98, 1e-3);
  o.assume_gsd_m = 2.0;  // contradicts the corners
  EXPECT_THROW(OpenMapSource(tmp.path() / "map.png", o), InvalidArgumentError);
  o.assume_gsd_m = 0.0;
  o.corners_lat_lon_deg = {br.lat_deg, tl.lon_deg, tl.lat_deg, br.lon_deg};  // top below bottom
  EXPECT_THROW(OpenMapSource(tmp.path() / "map.png", o), InvalidArgumentError);
  o.corners_lat_lon_deg = {tl.lat_deg, tl.lon_deg};  // no GSD
  EXPECT_THROW(OpenMapSource(tmp.path() / "map.png", o), InvalidArgumentError);
}

TEST(MapSourceTest, GeoreferencedMapRefusesAssumedCorners) {
  CV_REQUIRE_FILE(testing::TextureFile());
  TempDir tmp;
  testing::WriteTextureMap(tmp.path() / "map.tif", 64, 64);
  MapGeorefOptions o;
  o.corners_lat_lon_deg = {40.0, -30.0};
  o.assume_gsd_m = 1.0;
  EXPECT_THROW(OpenMapSource(tmp.path() / "map.tif", o), InvalidArgumentError);
  MapSource m = OpenMapSource(tmp.path() / "map.tif");
  EXPECT_EQ(m.georeference_source, "file");
  EXPECT_FALSE(m.warped_north_up);
}

// data.md §2.3 item 4: a rotated geotransform is warped north-up (or rejected with the fix), and
// the tiles of the warped map lie on the original footprint.
TEST(MapSourceTest, RotatedMapIsWarpedNorthUpAndIndexedOnItsFootprint) {
  CV_REQUIRE_FILE(testing::TextureFile());
  TempDir tmp;
  const int w = 240, h = 180;
  const cv::Mat crop = testing::TextureCrop(w, h);
  geo::RgbImage img(w, h);
  std::memcpy(img.pixels.data(), crop.data, img.pixels.size());
  const geo::TextureGeoref g(geo::FamilyAnchor(3), w, h, 0.98);
  const geo::GeoTransform rotated = g.geotransform().RotatedAbout(g.geotransform().CrsFromPixel({w / 2.0, h / 2.0}), 30.0);
  const fs::path path = tmp.path() / "rotated.tif";
  geo::WriteGeoTiffRgb(path, img, rotated, geo::TextureGeoref::crs());

  MapGeorefOptions reject;
  reject.warp_rotated = false;
  try {
    OpenMapSource(path, reject);
    FAIL() << "expected InvalidArgumentError";
  } catch (const InvalidArgumentError& e) {
    EXPECT_THAT(e.hint(), HasSubstr("gdalwarp"));
  }
  MapSource m = OpenMapSource(path);
  EXPECT_TRUE(m.warped_north_up);
  EXPECT_TRUE(m.raster.geotransform().is_north_up());
  const geo::GeoRaster original = geo::GeoRaster::Open(path);
  const geo::LatLonDeg tr = original.lat_lon_from_pixel({static_cast<double>(w), 0.0});
  EXPECT_NEAR(m.corners_wgs84[1].lat_deg, tr.lat_deg, 1e-12);
  EXPECT_NEAR(m.corners_wgs84[1].lon_deg, tr.lon_deg, 1e-12);

  testing::MakeTinyRetrievalModel(tmp.path() / "model");
  IndexBuildOptions o;
  o.map = path.string();
  o.checkpoint = (tmp.path() / "model").string();
  o.out = (tmp.path() / "rot.idx").string();
  o.tile_size_m = 60.0;
  o.stride_m = 30.0;
  o.max_nodata_fraction = 0.3;
  o.describer.device = "cpu";
  o.progress = false;
  const IndexBuildSummary s = BuildTileIndex(o);
  EXPECT_GT(s.tiles, 4);
  for (const TileRecord& t : ReadTileTable(tmp.path() / "rot.idx" / "tiles.sqlite")) {
    const geo::PixelColRow p = original.pixel_from_lat_lon(t.centre);
    EXPECT_TRUE(p.col > 0 && p.col < w && p.row > 0 && p.row < h) << "tile " << t.id << " centre outside the rotated map: " << p;
  }
}

}  // namespace
}  // namespace crossview::pipeline

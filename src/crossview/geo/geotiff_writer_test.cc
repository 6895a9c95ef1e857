#include "crossview/geo/geotiff_writer.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "crossview/geo/raster.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"

namespace crossview::geo {
namespace {

RgbImage Gradient(int width, int height) {
  RgbImage image(width, height);
  for (int r = 0; r < height; ++r) {
    for (int c = 0; c < width; ++c) {
      image.at(r, c, 0) = static_cast<uint8_t>(c * 7);
      image.at(r, c, 1) = static_cast<uint8_t>(r * 5);
      image.at(r, c, 2) = static_cast<uint8_t>((r + c) % 251);
    }
  }
  return image;
}

std::vector<std::string> Listing(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(GeoTiffWriterTest, ProjectedFeetCrsRoundTrips) {
  TempDir dir("geotiff_writer_test");
  const auto path = dir.path() / "sp27_window.tif";
  const Crs crs = Crs::FromEpsg(26771);  // NAD27 / Illinois East, US survey feet
  const GeoTransform gt({681480.0 + 13 * 32.8, 32.8, 0.0, 1913050.0 - 17 * 32.8, 0.0, -32.8});
  const RgbImage image = Gradient(37, 23);
  WriteGeoTiffRgb(path, image, gt, crs, {"LZW", true});
  const GeoRaster back = GeoRaster::Open(path);
  EXPECT_EQ(back.width_px(), 37);
  EXPECT_EQ(back.height_px(), 23);
  EXPECT_EQ(back.band_count(), 3);
  EXPECT_EQ(back.crs().epsg_code(), 26771);
  EXPECT_NEAR(back.crs().linear_unit_m(), 1200.0 / 3937.0, 1e-15);
  EXPECT_EQ(back.geotransform().gdal(), gt.gdal());
  EXPECT_NEAR(back.gsd_m(), 9.99746, 5e-6);
  EXPECT_EQ(back.ReadRgb(back.full_window()).pixels, image.pixels);
  EXPECT_EQ(Listing(dir.path()), std::vector<std::string>{"sp27_window.tif"});  // no temp or side files
}

TEST(GeoTiffWriterTest, CustomWktIsPreserved) {
  const Crs cea = Crs::FromUserInput(
      "+proj=cea +lat_ts=33.75 +lon_0=-117.333333333333 +x_0=0 +y_0=0 +datum=NAD27 +units=m +no_defs");
  TempDir dir("geotiff_writer_test");
  const auto path = dir.path() / "cea.tif";
  WriteGeoTiffRgb(path, Gradient(8, 8), GeoTransform::NorthUp({-28493.17, 4255884.54}, 60.02, 60.02), cea);
  const GeoRaster back = GeoRaster::Open(path);
  EXPECT_FALSE(back.crs().epsg_code().has_value());
  EXPECT_NE(back.crs().wkt().find("Lambert Cylindrical Equal Area"), std::string::npos) << back.crs().wkt();
  EXPECT_NEAR(back.gsd_m(), 60.02, 1e-9);
  const LatLonDeg a = back.lat_lon_from_pixel({0, 0}, LatLonDatum::kCrsBase);
  EXPECT_NEAR(a.lat_deg, 33.0 + 56.0 / 60 + 37.74 / 3600, 1e-5);  // cea.tif's upper-left corner
  EXPECT_NEAR(a.lon_deg, -(117.0 + 38.0 / 60 + 27.05 / 3600), 1e-5);
}

TEST(GeoTiffWriterTest, FailedWriteKeepsTheOldFile) {
  TempDir dir("geotiff_writer_test");
  const auto path = dir.path() / "map.tif";
  const GeoTransform gt = GeoTransform::NorthUp({-30.0, 40.0}, 1e-5, 1e-5);
  WriteGeoTiffRgb(path, Gradient(16, 16), gt, Crs::Wgs84());
  const std::string before = ReadFile(path);
  RgbImage broken(16, 16);
  broken.pixels.resize(10);  // wrong buffer size
  try {
    WriteGeoTiffRgb(path, broken, gt, Crs::Wgs84());
    FAIL() << "expected InvalidArgumentError";
  } catch (const InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("expected_bytes=768"), std::string::npos) << e.what();
  }
  EXPECT_THROW(WriteGeoTiffRgb(path, RgbImage(), gt, Crs::Wgs84()), InvalidArgumentError);
  EXPECT_EQ(ReadFile(path), before);
  // Overwriting with a valid image replaces the file completely.
  WriteGeoTiffRgb(path, Gradient(20, 10), gt, Crs::Wgs84());
  EXPECT_EQ(GeoRaster::Open(path).width_px(), 20);
  EXPECT_EQ(Listing(dir.path()), std::vector<std::string>{"map.tif"});
}

}  // namespace
}  // namespace crossview::geo

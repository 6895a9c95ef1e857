#include "crossview/geo/raster.h"

#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogr_spatialref.h>

#include <cmath>
#include <fstream>

#include "crossview/geo/gdal_util.h"
#include "crossview/geo/geo_test_support.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"
#include "crossview/util/testing.h"

namespace crossview::geo {
namespace {

using crossview::testing::AerialFile;
using testing::MemCopyWithGeotransform;

TEST(GeoRasterTest, ReportsSizeBandsTypeAndMetadata) {
  struct Case {
    std::string file;
    int width, height, bands;
  };
  for (const Case& c : std::vector<Case>{{"rgdal/SP27GTIF.TIF", 699, 929, 1},
                                         {"rgdal/erdas_spnad83.tif", 571, 658, 1},
                                         {"rgdal/cea.tif", 514, 515, 1},
                                         {"stars/L7_ETMs.tif", 349, 352, 6}}) {
    SCOPED_TRACE(c.file);
    const auto path = AerialFile(c.file);
    CV_REQUIRE_FILE(path);
    const GeoRaster raster = GeoRaster::Open(path);
    EXPECT_EQ(raster.width_px(), c.width);
    EXPECT_EQ(raster.height_px(), c.height);
    EXPECT_EQ(raster.band_count(), c.bands);
    EXPECT_EQ(raster.data_type(), "Byte");
    EXPECT_EQ(raster.area_or_point(), "Area");
    EXPECT_FALSE(raster.nodata_value().has_value());  // erdas's black corners are NOT declared
    EXPECT_TRUE(raster.has_georeference());
    EXPECT_TRUE(raster.geotransform().is_north_up());
  }
}

// Check 3: GSD in metres from the CRS's linear unit.
TEST(GeoRasterTest, GsdInMetresUsesTheCrsUnit) {
  struct Case {
    std::string file;
    double gsd_m, tolerance_m;
  };
  for (const Case& c : std::vector<Case>{{"rgdal/SP27GTIF.TIF", 9.99746, 5e-6},  // 32.8 US survey ft
                                         {"rgdal/erdas_spnad83.tif", 12.192, 1e-3},  // 40 US survey ft
                                         {"rgdal/cea.tif", 60.02, 5e-3},
                                         {"stars/L7_ETMs.tif", 28.5, 1e-6}}) {
    SCOPED_TRACE(c.file);
    const auto path = AerialFile(c.file);
    CV_REQUIRE_FILE(path);
    const GeoRaster raster = GeoRaster::Open(path);
    EXPECT_NEAR(raster.gsd_m(), c.gsd_m, c.tolerance_m);
    EXPECT_NEAR(raster.pixel_width_m(), raster.pixel_height_m(), 1e-9);
  }
  const auto sp27 = AerialFile("rgdal/SP27GTIF.TIF");
  CV_REQUIRE_FILE(sp27);
  EXPECT_NEAR(GeoRaster::Open(sp27).gsd_m(), 32.8 * 1200.0 / 3937.0, 1e-12);
}

TEST(GeoRasterTest, ReadsBandsAsRgb) {
  const auto path = AerialFile("stars/L7_ETMs.tif");
  CV_REQUIRE_FILE(path);
  const GeoRaster raster = GeoRaster::Open(path);
  const PixelWindow window{17, 23, 31, 29};  // odd sizes and offsets
  const RgbImage rgb = raster.ReadRgb(window, {{3, 2, 1}, std::nullopt});
  ASSERT_EQ(rgb.width_px, 31);
  ASSERT_EQ(rgb.height_px, 29);
  // Plain GDAL reads of bands 3, 2 and 1 are the reference.
  for (int c = 0; c < 3; ++c) {
    std::vector<uint8_t> band(31 * 29);
    ASSERT_EQ(raster.gdal_dataset()->GetRasterBand(3 - c)->RasterIO(GF_Read, 17, 23, 31, 29, band.data(), 31, 29,
                                                                     GDT_Byte, 0, 0, nullptr),
              CE_None);
    for (int row = 0; row < 29; ++row) {
      for (int col = 0; col < 31; ++col) ASSERT_EQ(rgb.at(row, col, c), band[static_cast<size_t>(row * 31 + col)]);
    }
  }
  // The default band choice for a 6-band raster is 1, 2, 3.
  const RgbImage defaults = raster.ReadRgb(window);
  EXPECT_EQ(defaults.at(5, 7, 0), rgb.at(5, 7, 2));
  EXPECT_THROW(raster.ReadRgb(window, {{7, 2, 1}, std::nullopt}), InvalidArgumentError);
  EXPECT_THROW(raster.ReadRgb(window, {{1, 2}, std::nullopt}), InvalidArgumentError);
}

TEST(GeoRasterTest, GreyIsReplicatedAndWindowsAreChecked) {
  const auto path = AerialFile("rgdal/SP27GTIF.TIF");
  CV_REQUIRE_FILE(path);
  const GeoRaster raster = GeoRaster::Open(path);
  const RgbImage rgb = raster.ReadRgb({690, 920, 9, 9});  // the bottom-right corner
  std::vector<uint8_t> grey(81);
  ASSERT_EQ(raster.gdal_dataset()->GetRasterBand(1)->RasterIO(GF_Read, 690, 920, 9, 9, grey.data(), 9, 9, GDT_Byte, 0, 0,
                                                              nullptr),
            CE_None);
  for (int i = 0; i < 81; ++i) {
    EXPECT_EQ(rgb.pixels[static_cast<size_t>(i) * 3 + 0], grey[static_cast<size_t>(i)]);
    EXPECT_EQ(rgb.pixels[static_cast<size_t>(i) * 3 + 1], grey[static_cast<size_t>(i)]);
    EXPECT_EQ(rgb.pixels[static_cast<size_t>(i) * 3 + 2], grey[static_cast<size_t>(i)]);
  }
  try {
    raster.ReadRgb({690, 920, 10, 9});
    FAIL() << "expected InvalidArgumentError";
  } catch (const InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("outside the raster"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("699x929"), std::string::npos) << e.what();
  }
  EXPECT_THROW(raster.ReadRgb({-1, 0, 4, 4}), InvalidArgumentError);
  EXPECT_THROW(raster.ReadRgb({0, 0, 0, 4}), InvalidArgumentError);
}

TEST(GeoRasterTest, NonByteDataIsScaledToEightBits) {
  internal::EnsureGdalRegistered();
  GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
  GDALDataset* ds = mem->Create("", 4, 2, 1, GDT_UInt16, nullptr);
  std::vector<uint16_t> values = {1000, 1100, 1200, 1300, 1400, 1500, 1600, 2000};
  ASSERT_EQ(ds->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, 4, 2, values.data(), 4, 2, GDT_UInt16, 0, 0, nullptr), CE_None);
  const GeoRaster raster = GeoRaster::FromDataset(ds, "uint16", {true});
  EXPECT_EQ(raster.data_type(), "UInt16");
  const RgbImage auto_range = raster.ReadRgb(raster.full_window());
  EXPECT_EQ(auto_range.at(0, 0, 0), 0);
  EXPECT_EQ(auto_range.at(1, 3, 0), 255);
  EXPECT_EQ(auto_range.at(0, 1, 1), 26);  // 100/1000·255 = 25.5 → 26
  const RgbImage fixed = raster.ReadRgb(raster.full_window(), {{}, std::make_pair(1000.0, 1500.0)});
  EXPECT_EQ(fixed.at(1, 0, 0), 204);  // 1400 → 0.8·255
  EXPECT_EQ(fixed.at(1, 1, 0), 255);
  EXPECT_EQ(fixed.at(1, 3, 2), 255);  // 2000, clamped
  EXPECT_EQ(fixed.at(0, 2, 0), 102);
}

TEST(GeoRasterTest, ZeroIsNodataForErdasCorners) {
  const auto path = AerialFile("rgdal/erdas_spnad83.tif");
  CV_REQUIRE_FILE(path);
  const GeoRaster raster = GeoRaster::Open(path);
  // Without the option every pixel is valid: the file declares no no-data value.
  EXPECT_EQ(raster.ReadValidMask(raster.full_window()).nodata_fraction(), 0.0);
  NodataOptions zero;
  zero.zero_is_nodata = true;
  const ValidMask mask = raster.ReadValidMask(raster.full_window(), zero);
  ASSERT_EQ(mask.width_px, 571);
  ASSERT_EQ(mask.height_px, 658);
  EXPECT_EQ(mask.at(0, 0), 0);      // black corners
  EXPECT_EQ(mask.at(657, 570), 0);
  EXPECT_EQ(mask.at(329, 285), 1);  // image content at the centre
  const double fraction = mask.nodata_fraction();
  EXPECT_GT(fraction, 0.01);
  EXPECT_LT(fraction, 0.5);
  // A subsampled read estimates the same fraction.
  const ValidMask coarse = raster.ReadValidMask(raster.full_window(), zero, 64, 64);
  EXPECT_EQ(coarse.width_px, 64);
  EXPECT_NEAR(coarse.nodata_fraction(), fraction, 0.03);
}

TEST(GeoRasterTest, DeclaredNodataIsHonoured) {
  internal::EnsureGdalRegistered();
  GDALDataset* ds = GetGDALDriverManager()->GetDriverByName("MEM")->Create("", 4, 4, 1, GDT_Byte, nullptr);
  std::vector<uint8_t> values(16, 7);
  values[0] = values[5] = 255;
  ASSERT_EQ(ds->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, 4, 4, values.data(), 4, 4, GDT_Byte, 0, 0, nullptr), CE_None);
  ds->GetRasterBand(1)->SetNoDataValue(255);
  const GeoRaster raster = GeoRaster::FromDataset(ds, "nodata", {true});
  EXPECT_EQ(raster.nodata_value(), 255.0);
  const ValidMask mask = raster.ReadValidMask(raster.full_window());
  EXPECT_EQ(mask.at(0, 0), 0);
  EXPECT_EQ(mask.at(1, 1), 0);
  EXPECT_EQ(mask.at(1, 2), 1);
  EXPECT_DOUBLE_EQ(mask.nodata_fraction(), 2.0 / 16.0);
}

TEST(GeoRasterTest, ClearErrors) {
  // Missing file.
  try {
    GeoRaster::Open("/nonexistent/dir/map.tif");
    FAIL() << "expected NotFoundError";
  } catch (const NotFoundError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/map.tif"), std::string::npos) << e.what();
  }
  // Not a raster.
  TempDir dir("geo_raster_test");
  const auto text = dir.path() / "notes.tif";
  WriteFileAtomic(text, "this is not an image\n");
  try {
    GeoRaster::Open(text);
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot open the file as a raster"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("notes.tif"), std::string::npos) << e.what();
  }
  EXPECT_THROW(GeoRaster::Open(dir.path()), IoError);
}

TEST(GeoRasterTest, NonGeoreferencedPngNeedsAssumedGsd) {
  const auto path = AerialFile("leaflet/example.png");
  CV_REQUIRE_FILE(path);
  try {
    GeoRaster::Open(path);
    FAIL() << "expected InvalidArgumentError";
  } catch (const InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("no georeference"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("example.png"), std::string::npos) << e.what();
    EXPECT_NE(e.hint().find("--assume-gsd-m"), std::string::npos) << e.hint();
    EXPECT_NE(e.hint().find("corner coordinates"), std::string::npos) << e.hint();
  }
  // Allowed: pixels are readable, geographic queries are not until a georeference is assigned.
  GeoRaster raster = GeoRaster::Open(path, {true});
  EXPECT_EQ(raster.width_px(), 521);
  EXPECT_EQ(raster.height_px(), 348);
  EXPECT_FALSE(raster.has_georeference());
  EXPECT_EQ(raster.ReadRgb({0, 0, 8, 8}).pixels.size(), 8u * 8u * 3u);
  EXPECT_THROW(raster.lat_lon_from_pixel({0, 0}), InvalidArgumentError);
  EXPECT_THROW(raster.gsd_m(), InvalidArgumentError);
  // The held-out anchor (40.5, −29.9) at 0.2 m/px, as a plate carrée.
  const double m_lat = 6378137.0 * M_PI / 180.0;
  const double m_lon = m_lat * std::cos(40.5 * M_PI / 180.0);
  raster.AssignGeoreference(GeoTransform({-29.9 - 260.5 * 0.2 / m_lon, 0.2 / m_lon, 0.0, 40.5 + 174.0 * 0.2 / m_lat, 0.0,
                                          -0.2 / m_lat}),
                            Crs::Wgs84());
  EXPECT_NEAR(raster.gsd_m(), 0.2, 1e-9);
  const LatLonDeg centre = raster.lat_lon_from_pixel({260.5, 174.0});
  EXPECT_NEAR(centre.lat_deg, 40.5, 1e-12);
  EXPECT_NEAR(centre.lon_deg, -29.9, 1e-12);
}

TEST(GeoRasterTest, ZeroAreaGeotransformIsRejected) {
  internal::EnsureGdalRegistered();
  GDALDataset* ds = GetGDALDriverManager()->GetDriverByName("MEM")->Create("", 8, 8, 1, GDT_Byte, nullptr);
  double gt[6] = {500000.0, 0.0, 0.0, 4000000.0, 0.0, 0.0};
  ds->SetGeoTransform(gt);
  OGRSpatialReference utm;
  utm.importFromEPSG(32633);
  ds->SetSpatialRef(&utm);
  try {
    GeoRaster::FromDataset(ds, "flat");
    FAIL() << "expected InvalidArgumentError";
  } catch (const InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("zero area"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("raster=flat"), std::string::npos) << e.what();
  }
}

// Check 4: a rotated geotransform (SP27GTIF.TIF rotated 30° about its centre, in memory).
TEST(GeoRasterTest, RotatedGeotransformRoundTrips) {
  const auto path = AerialFile("rgdal/SP27GTIF.TIF");
  CV_REQUIRE_FILE(path);
  const GeoRaster original = GeoRaster::Open(path);
  const PixelColRow centre{original.width_px() / 2.0, original.height_px() / 2.0};
  const GeoTransform rotated_gt = original.geotransform().RotatedAbout(original.crs_from_pixel(centre), 30.0);
  const GeoRaster rotated = MemCopyWithGeotransform(original, rotated_gt, "SP27 rotated 30°");
  EXPECT_FALSE(rotated.geotransform().is_north_up());
  EXPECT_NE(rotated.geotransform().gdal()[2], 0.0);
  EXPECT_NE(rotated.geotransform().gdal()[4], 0.0);
  // Same centre on the ground, same GSD.
  const LatLonDeg a = original.lat_lon_from_pixel(centre);
  const LatLonDeg b = rotated.lat_lon_from_pixel(centre);
  EXPECT_NEAR(a.lat_deg, b.lat_deg, 1e-12);
  EXPECT_NEAR(a.lon_deg, b.lon_deg, 1e-12);
  EXPECT_NEAR(rotated.gsd_m(), original.gsd_m(), 1e-9);
  for (double col : {0.0, 0.5, 349.25, 699.0}) {
    for (double row : {0.0, 0.5, 600.75, 929.0}) {
      const PixelColRow p{col, row};
      const PixelColRow back = rotated.pixel_from_lat_lon(rotated.lat_lon_from_pixel(p, LatLonDatum::kCrsBase),
                                                          LatLonDatum::kCrsBase);
      EXPECT_NEAR(back.col, col, 1e-6) << p;
      EXPECT_NEAR(back.row, row, 1e-6) << p;
      const PixelColRow back84 = rotated.pixel_from_lat_lon(rotated.lat_lon_from_pixel(p));
      EXPECT_NEAR(back84.col, col, 1e-4) << p;
      EXPECT_NEAR(back84.row, row, 1e-4) << p;
    }
  }
  // Image "up" now points 30° west of grid north: bearing = convergence − 30°.
  EXPECT_NEAR(rotated.up_bearing_deg(centre), original.grid_convergence_deg(centre) - 30.0, 1e-9);
}

TEST(GeoRasterTest, WarpedNorthUpKeepsTheGround) {
  const auto path = AerialFile("rgdal/SP27GTIF.TIF");
  CV_REQUIRE_FILE(path);
  const GeoRaster original = GeoRaster::Open(path);
  const PixelColRow centre{original.width_px() / 2.0, original.height_px() / 2.0};
  const GeoRaster rotated = MemCopyWithGeotransform(
      original, original.geotransform().RotatedAbout(original.crs_from_pixel(centre), 30.0), "rotated");
  const GeoRaster warped = rotated.WarpedNorthUp();
  EXPECT_TRUE(warped.geotransform().is_north_up());
  EXPECT_TRUE(warped.crs().IsSame(original.crs()));
  EXPECT_NEAR(warped.gsd_m(), original.gsd_m(), 1e-9);
  EXPECT_EQ(warped.band_count(), 2);  // grey + alpha
  // The rotated footprint's bounding box is larger: sides |w cos| + |h sin| etc.
  const double c = std::cos(M_PI / 6), s = std::sin(M_PI / 6);
  EXPECT_NEAR(warped.width_px(), 699 * c + 929 * s, 2.0);
  EXPECT_NEAR(warped.height_px(), 699 * s + 929 * c, 2.0);
  // A ground point keeps its grey value: compare a pixel well inside the original.
  const PixelColRow source_px{300.5, 400.5};
  const LatLonDeg ground = rotated.lat_lon_from_pixel(source_px);
  const PixelColRow in_warped = warped.pixel_from_lat_lon(ground);
  const int wc = static_cast<int>(std::floor(in_warped.col)), wr = static_cast<int>(std::floor(in_warped.row));
  const RgbImage src = rotated.ReadRgb({299, 399, 3, 3});
  const RgbImage dst = warped.ReadRgb({wc - 1, wr - 1, 3, 3});
  int src_mean = 0, dst_mean = 0;
  for (int i = 0; i < 9; ++i) {
    src_mean += src.pixels[static_cast<size_t>(i) * 3];
    dst_mean += dst.pixels[static_cast<size_t>(i) * 3];
  }
  EXPECT_NEAR(dst_mean / 9.0, src_mean / 9.0, 25.0);
  // The warped corners lie outside the rotated source: the alpha mask says so.
  const ValidMask mask = warped.ReadValidMask(warped.full_window());
  EXPECT_EQ(mask.at(0, 0), 0);
  EXPECT_EQ(mask.at(warped.height_px() / 2, warped.width_px() / 2), 1);
  EXPECT_NEAR(mask.nodata_fraction(), 1.0 - (699.0 * 929.0) / (warped.width_px() * warped.height_px()), 0.02);
}

}  // namespace
}  // namespace crossview::geo

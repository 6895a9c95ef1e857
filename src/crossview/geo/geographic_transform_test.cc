// data.md §2.3 checks 1, 2, 3 and 5 on the real GeoTIFFs, against plain GDAL.
#include "crossview/geo/geographic_transform.h"

#include <gtest/gtest.h>
#include <ogr_spatialref.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "crossview/geo/distance.h"
#include "crossview/geo/geo_test_support.h"
#include "crossview/geo/raster.h"
#include "crossview/util/errors.h"
#include "crossview/util/testing.h"

namespace crossview::geo {
namespace {

using crossview::testing::AerialFile;
using testing::DmsToDeg;
using testing::GdalReferenceLatLonOwnDatum;
using testing::GdalReferenceLatLonWgs84;

const std::vector<std::string> kGeoTiffs = {"rgdal/SP27GTIF.TIF", "rgdal/erdas_spnad83.tif", "rgdal/cea.tif",
                                            "stars/L7_ETMs.tif"};

std::vector<PixelColRow> CornersAndCentre(const GeoRaster& r) {
  const double w = r.width_px(), h = r.height_px();
  return {{0, 0}, {w, 0}, {w, h}, {0, h}, {w / 2, h / 2}};
}

// Check 1: corners and centre in the file's own geographic CRS agree with GDAL within 1e-9°;
// pixel → lat/lon → pixel round-trips within 1e-6 px. Exception: PROJ 9.1.1's ellipsoidal cea
// inverse uses a truncated series for the authalic latitude, so its own forward/inverse pair
// disagrees by 1.15 mm in northing (measured with plain GDAL too) = 1.9e-5 of a 60 m pixel.
TEST(GeographicTransformTest, CornersMatchGdalInTheFilesOwnDatum) {
  for (const std::string& file : kGeoTiffs) {
    SCOPED_TRACE(file);
    const double round_trip_px = file == "rgdal/cea.tif" ? 3e-5 : 1e-6;
    const auto path = AerialFile(file);
    CV_REQUIRE_FILE(path);
    const GeoRaster raster = GeoRaster::Open(path);
    for (const PixelColRow& p : CornersAndCentre(raster)) {
      SCOPED_TRACE(::testing::Message() << p);
      const LatLonDeg ours = raster.lat_lon_from_pixel(p, LatLonDatum::kCrsBase);
      const LatLonDeg gdal = GdalReferenceLatLonOwnDatum(path, p);
      EXPECT_NEAR(ours.lat_deg, gdal.lat_deg, 1e-9);
      EXPECT_NEAR(ours.lon_deg, gdal.lon_deg, 1e-9);
      const PixelColRow back = raster.pixel_from_lat_lon(ours, LatLonDatum::kCrsBase);
      EXPECT_NEAR(back.col, p.col, round_trip_px);
      EXPECT_NEAR(back.row, p.row, round_trip_px);
    }
  }
}

// The WGS 84 path pins the operation PROJ ranks first for the raster's area, which is what GDAL
// itself uses for that area: the two agree to 1e-9°. Its round trip is limited by the 2D
// Helmert (the ellipsoidal height is dropped on the way), about a millimetre.
TEST(GeographicTransformTest, Wgs84MatchesGdalForTheRastersArea) {
  for (const std::string& file : kGeoTiffs) {
    SCOPED_TRACE(file);
    const auto path = AerialFile(file);
    CV_REQUIRE_FILE(path);
    const GeoRaster raster = GeoRaster::Open(path);
    for (const PixelColRow& p : CornersAndCentre(raster)) {
      SCOPED_TRACE(::testing::Message() << p);
      const LatLonDeg ours = raster.lat_lon_from_pixel(p);
      const LatLonDeg gdal = GdalReferenceLatLonWgs84(path, p);
      EXPECT_NEAR(ours.lat_deg, gdal.lat_deg, 1e-9);
      EXPECT_NEAR(ours.lon_deg, gdal.lon_deg, 1e-9);
      const PixelColRow back = raster.pixel_from_lat_lon(ours);
      EXPECT_NEAR(back.col, p.col, 1e-4);
      EXPECT_NEAR(back.row, p.row, 1e-4);
    }
  }
}

// Check 2: a lat/lon swap fails the corner test.
TEST(GeographicTransformTest, AxisSwapFailsTheCornerTest) {
  const auto path = AerialFile("rgdal/SP27GTIF.TIF");
  CV_REQUIRE_FILE(path);
  const GeoRaster raster = GeoRaster::Open(path);
  const LatLonDeg gdal = GdalReferenceLatLonOwnDatum(path, {0, 0});
  const LatLonDeg ours = raster.lat_lon_from_pixel({0, 0}, LatLonDatum::kCrsBase);
  const LatLonDeg swapped{ours.lon_deg, ours.lat_deg};
  EXPECT_NEAR(ours.lat_deg, gdal.lat_deg, 1e-9);
  EXPECT_GT(std::abs(swapped.lat_deg - gdal.lat_deg), 100.0);
  EXPECT_GT(std::abs(swapped.lon_deg - gdal.lon_deg), 100.0);

  // What an authority-compliant EPSG:4326 (lat first) does to a reader expecting (lon, lat):
  OGRSpatialReference src;
  src.importFromEPSG(26771);
  src.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  OGRSpatialReference authority;
  authority.importFromEPSG(4267);
  authority.SetAxisMappingStrategy(OAMS_AUTHORITY_COMPLIANT);
  std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(&src, &authority));
  double x = 681480.0, y = 1913050.0;
  ASSERT_TRUE(ct->Transform(1, &x, &y));
  EXPECT_FALSE(std::abs(x - gdal.lon_deg) < 1e-9) << "authority order puts latitude first";
  EXPECT_NEAR(x, gdal.lat_deg, 1e-9);

  // Our wrapper never swaps, even on EPSG:4326 input (the synthetic textures' CRS).
  const GeographicTransform identity(Crs::Wgs84());
  const LatLonDeg ll = identity.LatLonFromCrs({-29.7, 40.0});
  EXPECT_DOUBLE_EQ(ll.lat_deg, 40.0);
  EXPECT_DOUBLE_EQ(ll.lon_deg, -29.7);
  EXPECT_EQ(identity.operation().accuracy_m, 0.0);
}

// The upper-left corner gdalinfo prints: 87°39'59.59"W 41°55'01.56"N (NAD27).
TEST(GeographicTransformTest, Sp27UpperLeftCornerInNad27) {
  const auto path = AerialFile("rgdal/SP27GTIF.TIF");
  CV_REQUIRE_FILE(path);
  const GeoRaster raster = GeoRaster::Open(path);
  EXPECT_EQ(raster.area_or_point(), "Area");
  const LatLonDeg ul = raster.lat_lon_from_pixel({0, 0}, LatLonDatum::kCrsBase);
  EXPECT_NEAR(ul.lon_deg, -DmsToDeg(87, 39, 59.59), 1e-5);
  EXPECT_NEAR(ul.lat_deg, DmsToDeg(41, 55, 1.56), 1e-5);
  // A half-pixel error (reading the geotransform as pixel centres) is 5 m here: it would show.
  const LatLonDeg half = raster.lat_lon_from_pixel({0.5, 0.5}, LatLonDatum::kCrsBase);
  EXPECT_GT(HaversineDistanceM(ul, half), 6.5);
  EXPECT_LT(HaversineDistanceM(ul, half), 7.6);
}

// Datum shifts: NAD27 → WGS 84 moves Chicago by ~1.6 m, the cea.tif area by ~80 m (more than a
// 60 m pixel). The operation used is stated.
TEST(GeographicTransformTest, DatumShiftsAndTheOperationUsed) {
  const auto sp27 = AerialFile("rgdal/SP27GTIF.TIF");
  const auto cea = AerialFile("rgdal/cea.tif");
  CV_REQUIRE_FILE(sp27);
  CV_REQUIRE_FILE(cea);
  {
    const GeoRaster raster = GeoRaster::Open(sp27);
    const PixelColRow c{raster.width_px() / 2.0, raster.height_px() / 2.0};
    const double shift = HaversineDistanceM(raster.lat_lon_from_pixel(c), raster.lat_lon_from_pixel(c, LatLonDatum::kCrsBase));
    EXPECT_GT(shift, 1.0);
    EXPECT_LT(shift, 2.5);
    const CoordinateOperationInfo& op = raster.lat_lon_transform().operation();
    std::cout << "SP27GTIF.TIF → WGS 84: " << op.ToString() << " (" << op.candidate_count << " candidates), shift "
              << shift << " m\n";
    EXPECT_NE(op.name.find("NAD27 to WGS 84"), std::string::npos) << op.ToString();
  }
  {
    const GeoRaster raster = GeoRaster::Open(cea);
    const PixelColRow c{raster.width_px() / 2.0, raster.height_px() / 2.0};
    const LatLonDeg wgs84 = raster.lat_lon_from_pixel(c);
    const LatLonDeg nad27 = raster.lat_lon_from_pixel(c, LatLonDatum::kCrsBase);
    const double shift = HaversineDistanceM(wgs84, nad27);
    EXPECT_GT(shift, 60.0);
    EXPECT_LT(shift, 100.0);
    EXPECT_GT(shift, raster.gsd_m());
    const CoordinateOperationInfo& op = raster.lat_lon_transform().operation();
    std::cout << "cea.tif → WGS 84: " << op.ToString() << " (" << op.candidate_count << " candidates), shift " << shift
              << " m\n";
    EXPECT_NE(op.name.find("NAD27 to WGS 84"), std::string::npos) << op.ToString();
    ASSERT_EQ(op.transformation_ids.size(), 1u) << op.ToString();
    // PROJ 9.1.1 picks EPSG:1175 (CONUS west of the Mississippi, 7 m) for this area; the spec
    // names EPSG:1173 (all CONUS, 10 m). Both are Helmert shifts accurate to 10 m or better.
    EXPECT_TRUE(op.transformation_ids[0] == "EPSG:1175" || op.transformation_ids[0] == "EPSG:1173") << op.ToString();
    EXPECT_GT(op.accuracy_m, 0.0);
    EXPECT_LE(op.accuracy_m, 10.0);
    EXPECT_NE(op.proj_pipeline.find("+proj=helmert"), std::string::npos);
    // Against the other candidates the answer moves by less than their ~10 m accuracy.
    const LatLonDeg gdal = GdalReferenceLatLonWgs84(cea, c);
    EXPECT_LT(HaversineDistanceM(wgs84, gdal), 10.0);
  }
}

// Without an area of interest a custom CRS gives PROJ nothing to rank NAD27 → WGS 84
// transformations by (Canada's would come first): refuse rather than guess.
TEST(GeographicTransformTest, AmbiguousDatumTransformationNeedsAnArea) {
  const auto path = AerialFile("rgdal/cea.tif");
  CV_REQUIRE_FILE(path);
  const Crs crs = Crs::FromRasterFile(path);
  try {
    GeographicTransform t(crs);
    FAIL() << "expected InvalidArgumentError, got " << t.operation().ToString();
  } catch (const InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("depends on where the points are"), std::string::npos) << e.what();
    EXPECT_NE(e.hint().find("area_of_interest"), std::string::npos);
  }
  // The own-datum conversion needs no area; with an area the WGS 84 transform is pinned.
  EXPECT_NO_THROW(GeographicTransform(crs, {LatLonDatum::kCrsBase, std::nullopt}));
  const GeographicTransform pinned(crs, {LatLonDatum::kWgs84, LatLonBox{-117.65, 33.66, -117.30, 33.95}});
  EXPECT_GE(pinned.operation().candidate_count, 2);
  // SP27's EPSG CRS has an area of use, which is enough.
  EXPECT_NO_THROW(GeographicTransform(Crs::FromEpsg(26771)));
}

// Check 5: grid convergence (grid north vs true north) at the raster centre.
TEST(GeographicTransformTest, GridConvergenceAtTheCentre) {
  struct Case {
    std::string file;
    double convergence_deg;
    double tolerance_deg;
  };
  const std::vector<Case> cases = {
      {"rgdal/SP27GTIF.TIF", 0.47, 0.005},       // grid north 0.47° east of true north
      {"rgdal/erdas_spnad83.tif", -1.04, 0.005},  // 1.04° west
      {"stars/L7_ETMs.tif", 0.26, 0.005},         // 0.26° east (southern hemisphere, west of the CM)
      {"rgdal/cea.tif", 0.0, 1e-6},               // normal cylindrical: meridians are grid lines
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    const auto path = AerialFile(c.file);
    CV_REQUIRE_FILE(path);
    const GeoRaster raster = GeoRaster::Open(path);
    const PixelColRow centre{raster.width_px() / 2.0, raster.height_px() / 2.0};
    const double gamma = raster.grid_convergence_deg(centre);
    EXPECT_NEAR(gamma, c.convergence_deg, c.tolerance_deg);
    // North-up raster: its up direction is grid north, i.e. bearing = convergence.
    EXPECT_NEAR(raster.up_bearing_deg(centre), gamma, 1e-12);
    // Through WGS 84 nearly the same: a geocentric translation tilts the meridian plane by at
    // most shift/R (~240 m / 6378 km = 0.002°).
    EXPECT_NEAR(raster.lat_lon_transform().GridConvergenceDeg(raster.crs_from_pixel(centre)), gamma, 2e-3);
  }
  // A 1° rotation moves a point 500 m from the tile centre by 8.7 m (data.md §2.3).
  EXPECT_NEAR(2.0 * 500.0 * std::sin(0.5 * M_PI / 180.0), 8.73, 0.01);
  // Geographic CRS: no convergence.
  EXPECT_DOUBLE_EQ(GeographicTransform(Crs::Wgs84()).GridConvergenceDeg({-30.0, 40.0}), 0.0);
}

// Convergence computed independently from the transverse Mercator formula
// γ ≈ (λ − λ0)·sin φ for SP27 (central meridian 88°20'W).
TEST(GeographicTransformTest, ConvergenceMatchesTheTransverseMercatorFormula) {
  const auto path = AerialFile("rgdal/SP27GTIF.TIF");
  CV_REQUIRE_FILE(path);
  const GeoRaster raster = GeoRaster::Open(path);
  for (const PixelColRow& p : CornersAndCentre(raster)) {
    const LatLonDeg ll = raster.lat_lon_from_pixel(p, LatLonDatum::kCrsBase);
    const double lon0 = -(88.0 + 20.0 / 60.0);
    const double expected = (ll.lon_deg - lon0) * std::sin(ll.lat_deg * M_PI / 180.0);
    EXPECT_NEAR(raster.grid_convergence_deg(p), expected, 2e-4) << p;
  }
}

TEST(GeographicTransformTest, CopiesTransformIndependently) {
  const GeographicTransform a(Crs::FromEpsg(31985));
  GeographicTransform b = a;
  const LatLonDeg la = a.LatLonFromCrs({293749.5, 9115744.75});
  const LatLonDeg lb = b.LatLonFromCrs({293749.5, 9115744.75});
  EXPECT_EQ(la.lat_deg, lb.lat_deg);
  EXPECT_EQ(la.lon_deg, lb.lon_deg);
  EXPECT_LT(la.lat_deg, 0.0);  // southern hemisphere: false northing 10 000 000 m
  EXPECT_NEAR(la.lat_deg, -(7.0 + 59.0 / 60 + 43.35 / 3600), 1e-5);
  EXPECT_NEAR(la.lon_deg, -(34.0 + 52.0 / 60 + 16.58 / 3600), 1e-5);
  EXPECT_EQ(b.operation().transformation_ids, std::vector<std::string>{"EPSG:15894"}) << b.operation().ToString();
}

}  // namespace
}  // namespace crossview::geo

#include "crossview/geo/crs.h"

#include <gtest/gtest.h>
#include <ogr_spatialref.h>

#include "crossview/util/errors.h"
#include "crossview/util/testing.h"

namespace crossview::geo {
namespace {

using crossview::testing::AerialFile;

constexpr double kUsSurveyFootM = 0.3048006096;  // rounded; exactly 1200/3937 m
constexpr double kInternationalFootM = 0.3048;

TEST(CrsTest, UsSurveyFootComesFromTheCrs) {
  const auto path = AerialFile("rgdal/SP27GTIF.TIF");
  CV_REQUIRE_FILE(path);
  const Crs crs = Crs::FromRasterFile(path);
  EXPECT_TRUE(crs.is_projected());
  EXPECT_EQ(crs.name(), "NAD27 / Illinois East");
  EXPECT_EQ(crs.epsg_code(), 26771);
  EXPECT_NEAR(crs.linear_unit_m(), kUsSurveyFootM, 1e-11);
  EXPECT_NEAR(crs.linear_unit_m(), 1200.0 / 3937.0, 1e-15);
  EXPECT_EQ(crs.linear_unit_name(), "US survey foot");
  // Reading the upper-left northing (1 913 050 ft) with the international foot instead would
  // move it by about 1.2 m (data.md §2.3).
  const double northing_ft = 1913050.0;
  EXPECT_NEAR(northing_ft * (crs.linear_unit_m() - kInternationalFootM), 1.166, 0.01);
  EXPECT_EQ(crs.GeographicBase().name(), "NAD27");
}

TEST(CrsTest, ErdasKeepsItsWktAndIgnoresTheEpsgGuess) {
  const auto path = AerialFile("rgdal/erdas_spnad83.tif");
  CV_REQUIRE_FILE(path);
  const Crs crs = Crs::FromRasterFile(path);
  EXPECT_EQ(crs.name(), "NAD83 / Georgia East");
  // The file carries no EPSG code of its own ...
  EXPECT_FALSE(crs.epsg_code().has_value());
  // ... and GDAL's matcher proposes the METRE variant at only 50 % confidence.
  const std::optional<EpsgGuess> guess = crs.GuessEpsg();
  ASSERT_TRUE(guess.has_value());
  EXPECT_EQ(guess->code, 26966);
  EXPECT_EQ(guess->confidence_percent, 50);
  // Adopting it would be wrong: the file is in US survey feet, the guess in metres.
  const Crs guessed = Crs::FromEpsg(guess->code);
  EXPECT_DOUBLE_EQ(guessed.linear_unit_m(), 1.0);
  EXPECT_NEAR(crs.linear_unit_m(), kUsSurveyFootM, 1e-11);
  EXPECT_FALSE(crs.IsSame(guessed));
  // The stored definition is the file's, not the guess.
  EXPECT_EQ(crs.wkt().find("26966"), std::string::npos);
  EXPECT_NE(crs.wkt().find("Georgia East"), std::string::npos);
  EXPECT_TRUE(Crs::FromWkt(crs.wkt()).IsSame(crs));
  EXPECT_EQ(crs.GeographicBase().name(), "NAD83");
}

TEST(CrsTest, CeaIsACustomProjectionOnNad27) {
  const auto path = AerialFile("rgdal/cea.tif");
  CV_REQUIRE_FILE(path);
  const Crs crs = Crs::FromRasterFile(path);
  EXPECT_TRUE(crs.is_projected());
  EXPECT_FALSE(crs.epsg_code().has_value());
  EXPECT_DOUBLE_EQ(crs.linear_unit_m(), 1.0);
  EXPECT_NE(crs.wkt().find("Lambert Cylindrical Equal Area"), std::string::npos);
  EXPECT_NE(crs.wkt().find("33.75"), std::string::npos);
  EXPECT_EQ(crs.GeographicBase().name(), "NAD27");
}

TEST(CrsTest, Wgs84KeepsLongitudeFirst) {
  const Crs wgs84 = Crs::Wgs84();
  EXPECT_TRUE(wgs84.is_geographic());
  EXPECT_EQ(wgs84.epsg_code(), 4326);
  EXPECT_EQ(wgs84.ogr().GetAxisMappingStrategy(), OAMS_TRADITIONAL_GIS_ORDER);
  // Data axis 1 (x) is CRS axis 2 (longitude): the traditional order.
  EXPECT_EQ(wgs84.ogr().GetDataAxisToSRSAxisMapping(), (std::vector<int>{2, 1}));
  EXPECT_EQ(wgs84.linear_unit_name(), "degree");
  EXPECT_THROW(wgs84.linear_unit_m(), InvalidArgumentError);
  EXPECT_TRUE(Crs::FromUserInput("EPSG:4326").IsSame(wgs84));
  EXPECT_TRUE(wgs84.GeographicBase().IsSame(wgs84));
}

TEST(CrsTest, CopiesAreIndependent) {
  const Crs a = Crs::FromEpsg(31985);
  Crs b = a;
  b = Crs::FromEpsg(26771);
  EXPECT_EQ(a.name(), "SIRGAS 2000 / UTM zone 25S");
  EXPECT_EQ(b.name(), "NAD27 / Illinois East");
  Crs c(a);
  EXPECT_TRUE(c.IsSame(a));
  EXPECT_EQ(c.ogr().GetAxisMappingStrategy(), OAMS_TRADITIONAL_GIS_ORDER);
}

TEST(CrsTest, BadDefinitionsFailWithContext) {
  try {
    Crs::FromWkt("PROJCRS[not really");
    FAIL() << "expected InvalidArgumentError";
  } catch (const InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("WKT"), std::string::npos) << e.what();
  }
  try {
    Crs::FromEpsg(999999);
    FAIL() << "expected InvalidArgumentError";
  } catch (const InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("epsg=999999"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Crs::FromUserInput(""), InvalidArgumentError);
  EXPECT_THROW(Crs::FromRasterFile("/nonexistent/map.tif"), NotFoundError);
}

TEST(CrsTest, RasterWithoutCrsIsRejectedWithAHint) {
  const auto path = AerialFile("leaflet/example.png");
  CV_REQUIRE_FILE(path);
  try {
    Crs::FromRasterFile(path);
    FAIL() << "expected InvalidArgumentError";
  } catch (const InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("no coordinate reference system"), std::string::npos) << e.what();
    EXPECT_NE(e.hint().find("--assume-gsd-m"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace crossview::geo

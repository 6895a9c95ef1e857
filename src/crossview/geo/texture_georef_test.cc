#include "crossview/geo/texture_georef.h"

#include <gtest/gtest.h>

#include <cmath>

#include "crossview/geo/raster.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"
#include "crossview/util/testing.h"

namespace crossview::geo {
namespace {

using crossview::testing::AerialFile;

// data.md §2.1's anchor table, verbatim.
TEST(TextureGeorefTest, FamilyAnchorsMatchTheTable) {
  struct Row {
    int k;
    double lat, lon;
  };
  const std::vector<Row> table = {
      {0, 40.0, -30.0}, {1, 40.0, -29.9},  {2, 40.0, -29.8},  {3, 40.0, -29.7},  {4, 40.0, -29.6},
      {5, 40.1, -30.0}, {6, 40.1, -29.9},  {7, 40.1, -29.8},  {8, 40.1, -29.7},  {9, 40.1, -29.6},
      {10, 40.2, -30.0}, {11, 40.2, -29.9}, {12, 40.2, -29.8}, {13, 40.2, -29.7}, {14, 40.2, -29.6},
      {15, 40.3, -30.0}, {16, 40.3, -29.9}, {17, 40.3, -29.8}, {18, 40.3, -29.7}, {19, 40.3, -29.6},
      {20, 40.4, -30.0}, {21, 40.4, -29.9}, {22, 40.4, -29.8}, {23, 40.4, -29.7}, {24, 40.4, -29.6},
  };
  for (const Row& r : table) {
    const LatLonDeg a = FamilyAnchor(r.k);
    EXPECT_NEAR(a.lat_deg, r.lat, 1e-12) << "k=" << r.k;
    EXPECT_NEAR(a.lon_deg, r.lon, 1e-12) << "k=" << r.k;
  }
  EXPECT_THROW(FamilyAnchor(-1), InvalidArgumentError);
  try {
    FamilyAnchor(25);
    FAIL() << "expected InvalidArgumentError";
  } catch (const InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("family_index=25"), std::string::npos) << e.what();
  }
  const HeldOutAnchor& aero = FindHeldOutAnchor("pywt/aero.pgm");
  EXPECT_DOUBLE_EQ(aero.centre.lat_deg, 40.5);
  EXPECT_DOUBLE_EQ(aero.centre.lon_deg, -30.0);
  EXPECT_DOUBLE_EQ(aero.gsd_m, 1.0);
  const HeldOutAnchor& leaflet = FindHeldOutAnchor("leaflet/example.png");
  EXPECT_DOUBLE_EQ(leaflet.centre.lat_deg, 40.5);
  EXPECT_DOUBLE_EQ(leaflet.centre.lon_deg, -29.9);
  EXPECT_DOUBLE_EQ(leaflet.gsd_m, 0.2);
  EXPECT_THROW(FindHeldOutAnchor("opencv/aero1.jpg"), NotFoundError);
}

TEST(TextureGeorefTest, MetresPerDegreeAndPixelFrames) {
  const TextureGeoref g(FamilyAnchor(3), 1024, 1024, 1.0);  // town-europe
  EXPECT_NEAR(g.m_per_deg_lat(), 111319.4908, 1e-4);
  EXPECT_NEAR(g.m_per_deg_lon(), 111319.4908 * std::cos(40.0 * M_PI / 180.0), 1e-4);
  // The centre of the texture (corner coordinates W/2, H/2) is the anchor.
  const LatLonDeg centre = g.lat_lon_from_pixel({512.0, 512.0});
  EXPECT_DOUBLE_EQ(centre.lat_deg, 40.0);
  EXPECT_DOUBLE_EQ(centre.lon_deg, -29.7);
  // x grows east, y grows south.
  const EnM en = g.en_from_pixel({600.5, 400.25});
  EXPECT_DOUBLE_EQ(en.e_m, 88.5);
  EXPECT_DOUBLE_EQ(en.n_m, 111.75);
  const LatLonDeg ll = g.lat_lon_from_pixel({600.5, 400.25});
  EXPECT_NEAR(ll.lat_deg, 40.001003867330006, 1e-12);
  EXPECT_NEAR(ll.lon_deg, -29.698962189421792, 1e-12);
}

TEST(TextureGeorefTest, RoundTripsPixelEnLatLon) {
  const TextureGeoref g(FamilyAnchor(21), 2048, 2048, 1.95);  // pantanal, the largest
  for (double col : {0.0, 0.5, 777.25, 2048.0}) {
    for (double row : {0.0, 1023.5, 2047.75}) {
      const PixelColRow p{col, row};
      const PixelColRow via_en = g.pixel_from_en(g.en_from_pixel(p));
      EXPECT_NEAR(via_en.col, col, 1e-9);
      EXPECT_NEAR(via_en.row, row, 1e-9);
      const PixelColRow via_ll = g.pixel_from_lat_lon(g.lat_lon_from_pixel(p));
      EXPECT_NEAR(via_ll.col, col, 1e-6);
      EXPECT_NEAR(via_ll.row, row, 1e-6);
      const EnM en = g.en_from_pixel(p);
      const EnM back = g.en_from_lat_lon(g.lat_lon_from_en(en));
      EXPECT_NEAR(back.e_m, en.e_m, 1e-6);
      EXPECT_NEAR(back.n_m, en.n_m, 1e-6);
    }
  }
}

TEST(TextureGeorefTest, GeotransformFollowsTheFormula) {
  const TextureGeoref g(FamilyAnchor(3), 1024, 1024, 1.0);
  const std::array<double, 6> c = g.geotransform().gdal();
  const double m_lat = 6378137.0 * M_PI / 180.0;
  const double m_lon = m_lat * std::cos(40.0 * M_PI / 180.0);
  EXPECT_DOUBLE_EQ(c[0], -29.7 - 512.0 / m_lon);
  EXPECT_DOUBLE_EQ(c[1], 1.0 / m_lon);
  EXPECT_EQ(c[2], 0.0);
  EXPECT_DOUBLE_EQ(c[3], 40.0 + 512.0 / m_lat);
  EXPECT_EQ(c[4], 0.0);
  EXPECT_DOUBLE_EQ(c[5], -1.0 / m_lat);
  // The geotransform and the closed-form mapping agree everywhere.
  for (const PixelColRow& p : {PixelColRow{0, 0}, PixelColRow{1024, 1024}, PixelColRow{600.5, 400.25}}) {
    const CrsXY lon_lat = g.geotransform().CrsFromPixel(p);
    const LatLonDeg ll = g.lat_lon_from_pixel(p);
    EXPECT_NEAR(lon_lat.x, ll.lon_deg, 1e-12);
    EXPECT_NEAR(lon_lat.y, ll.lat_deg, 1e-12);
  }
  EXPECT_THROW(TextureGeoref(FamilyAnchor(0), 0, 10, 1.0), InvalidArgumentError);
  EXPECT_THROW(TextureGeoref(FamilyAnchor(0), 10, 10, -1.0), InvalidArgumentError);
}

TEST(TextureGeorefTest, ReadsTexturesTsvInOrderOfFirstAppearance) {
  const auto path = AerialFile("flightgear/textures.tsv");
  CV_REQUIRE_FILE(path);
  const TextureTable table = ReadTextureTable(path);
  EXPECT_EQ(table.textures.size(), 33u);
  ASSERT_EQ(table.families.size(), 25u);
  const std::vector<std::string> expected = {
      "california-town", "california-town2", "australia_suburbs", "town-europe", "town-middle-east",
      "us-city", "latin-city", "Town1", "california-industry", "california-port",
      "industry-midle-east", "australia-commercial", "industrial", "transport", "california-mixedcrop",
      "california-drycrop", "drycrop", "irrcrop-europe", "orchard", "uk-countryside1",
      "uk-countryside2", "pantanal", "cemetery", "forest", "california-airport"};
  EXPECT_EQ(table.families, expected);
  // Members of a family share the anchor.
  EXPECT_EQ(table.Find("town-europe-south").family_index, 3);
  EXPECT_EQ(table.Find("town-madagascar").family_index, 3);
  EXPECT_EQ(table.Find("mediterranean_city1").family_index, 6);
  EXPECT_EQ(table.Find("countryside2.green").family_index, 20);
  const TextureRecord& transport = table.Find("transport");
  EXPECT_EQ(transport.width_px, 512);
  EXPECT_EQ(transport.height_px, 1024);
  EXPECT_DOUBLE_EQ(transport.gsd_m, 0.98);
  EXPECT_EQ(transport.split, "distractor");
  // The countryside pair covers the same square (2048·0.88 = 1024·1.76 = 1802 m).
  const TextureGeoref uk = GeorefForTexture(table.Find("uk_countryside2"));
  const TextureGeoref green = GeorefForTexture(table.Find("countryside2.green"));
  EXPECT_EQ(uk.geotransform().CrsFromPixel({0, 0}).x, green.geotransform().CrsFromPixel({0, 0}).x);
  const LatLonDeg uk_corner = uk.lat_lon_from_pixel({2048, 2048});
  const LatLonDeg green_corner = green.lat_lon_from_pixel({1024, 1024});
  EXPECT_NEAR(uk_corner.lat_deg, green_corner.lat_deg, 1e-12);
  EXPECT_NEAR(uk_corner.lon_deg, green_corner.lon_deg, 1e-12);
  const LatLonDeg pantanal = GeorefForTexture(table.Find("pantanal")).anchor();
  EXPECT_NEAR(pantanal.lat_deg, 40.4, 1e-12);
  EXPECT_NEAR(pantanal.lon_deg, -29.9, 1e-12);
  EXPECT_THROW(table.Find("no-such-texture"), NotFoundError);
}

TEST(TextureGeorefTest, MalformedTablesNameTheLine) {
  const std::string header = "name\tscene\tfamily\tsize_px\tgsd_m\tsplit\tnotes\tsha256\n";
  try {
    ParseTextureTable(header + "a\turban\tfam\t1024\t1.0\ttrain\tn\th\n", "t.tsv");
    FAIL() << "expected InvalidArgumentError";
  } catch (const InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("size_px"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("line=2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(ParseTextureTable("name\tfamily\n", "t.tsv"), InvalidArgumentError);
  EXPECT_THROW(ParseTextureTable(header + "a\turban\tfam\t8x8\tzero\ttrain\tn\th\n", "t.tsv"), InvalidArgumentError);
  EXPECT_THROW(ParseTextureTable(header + "a\turban\tfam\t8x8\t1\ttrain\n", "t.tsv"), InvalidArgumentError);
  EXPECT_THROW(ParseTextureTable("", "t.tsv"), InvalidArgumentError);
  std::string many = header;
  for (int i = 0; i < 26; ++i) many += "t" + std::to_string(i) + "\turban\tf" + std::to_string(i) + "\t8x8\t1\ttrain\t\t\n";
  EXPECT_THROW(ParseTextureTable(many, "t.tsv"), InvalidArgumentError);
  EXPECT_THROW(ReadTextureTable("/nonexistent/textures.tsv"), NotFoundError);
}

// A real texture written as an EPSG:4326 GeoTIFF and read back through GeoRaster.
TEST(TextureGeorefTest, TextureGeoTiffReadsBack) {
  const auto tsv = AerialFile("flightgear/textures.tsv");
  const auto png = AerialFile("flightgear/city1.png");
  CV_REQUIRE_FILE(tsv);
  CV_REQUIRE_FILE(png);
  const TextureTable table = ReadTextureTable(tsv);
  const TextureGeoref georef = GeorefForTexture(table.Find("city1"));
  const GeoRaster texture = GeoRaster::Open(png, {true});
  const RgbImage image = texture.ReadRgb(texture.full_window());  // RGBA → RGB, alpha dropped
  TempDir dir("texture_georef_test");
  const auto out = dir.path() / "maps" / "city1.tif";
  WriteTextureGeoTiff(out, image, georef);

  const GeoRaster back = GeoRaster::Open(out);
  EXPECT_EQ(back.width_px(), 512);
  EXPECT_EQ(back.band_count(), 3);
  EXPECT_EQ(back.area_or_point(), "Area");
  EXPECT_EQ(back.crs().epsg_code(), 4326);
  for (int i = 0; i < 6; ++i) EXPECT_DOUBLE_EQ(back.geotransform().gdal()[i], georef.geotransform().gdal()[i]) << i;
  EXPECT_NEAR(back.gsd_m(), 1.95, 1e-9);
  EXPECT_EQ(back.ReadRgb(back.full_window()).pixels, image.pixels);
  for (const PixelColRow& p : {PixelColRow{0, 0}, PixelColRow{256, 256}, PixelColRow{511.5, 0.5}}) {
    const LatLonDeg ours = back.lat_lon_from_pixel(p);
    const LatLonDeg expected = georef.lat_lon_from_pixel(p);
    EXPECT_NEAR(ours.lat_deg, expected.lat_deg, 1e-12) << p;
    EXPECT_NEAR(ours.lon_deg, expected.lon_deg, 1e-12) << p;
  }
  // us-city is family 5: anchor (40.1, −30.0).
  const LatLonDeg centre = back.lat_lon_from_pixel({256, 256});
  EXPECT_NEAR(centre.lat_deg, 40.1, 1e-12);
  EXPECT_NEAR(centre.lon_deg, -30.0, 1e-12);
  // A size mismatch is refused before anything is written.
  EXPECT_THROW(WriteTextureGeoTiff(dir.path() / "bad.tif", RgbImage(10, 10), georef), InvalidArgumentError);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "bad.tif"));
}

}  // namespace
}  // namespace crossview::geo

#include "crossview/geo/ul14_georef.h"

#include <gtest/gtest.h>

#include <cmath>

#include "crossview/util/errors.h"

namespace crossview::geo {
namespace {

// data.md §4.3's worked example: town-europe (family 3, anchor 40.0, −29.7), 1 m/px, 1024²;
// UAV at (600.5, 400.25); a 300 m map whose centre is 60 px below and 45 px left of the UAV.
TEST(Ul14GeorefTest, WorkedExampleToOneTrillionthOfADegree) {
  const TextureGeoref town_europe(FamilyAnchor(3), 1024, 1024, 1.0);
  const PixelColRow uav{600.5, 400.25};
  const LatLonDeg uav_ll = town_europe.lat_lon_from_pixel(uav);
  EXPECT_NEAR(uav_ll.lon_deg, -29.698962189421792, 1e-12);  // "UAV": {"E": …
  EXPECT_NEAR(uav_ll.lat_deg, 40.001003867330006, 1e-12);   //         "N": …}

  const Ul14SearchMap map = MakeUl14SearchMap(town_europe, uav, {600.5 - 45.0, 400.25 + 60.0}, 300.0);
  EXPECT_NEAR(map.gps.tl_e_deg, -29.70124889069581, 1e-12);
  EXPECT_NEAR(map.gps.tl_n_deg, 40.00181235108571, 1e-12);
  EXPECT_NEAR(map.gps.br_e_deg, -29.697730888735784, 1e-12);
  EXPECT_NEAR(map.gps.br_n_deg, 39.99911740523335, 1e-12);
  EXPECT_NEAR(map.gps.center_distribute_x, 0.4, 1e-15);
  EXPECT_NEAR(map.gps.center_distribute_y, -0.3, 1e-15);
  EXPECT_EQ(map.gps.map_size, 300);
  EXPECT_NEAR(map.x_rel, 0.65, 1e-15);
  EXPECT_NEAR(map.y_rel, 0.3, 1e-15);
  // labels.json: "0.jpg": [230, 499].
  EXPECT_EQ(map.label.row, 230);
  EXPECT_EQ(map.label.col, 499);

  // The label maps back within 0.2 px (E) and 0.4 px (N) of the UAV, in 768-px units.
  const LatLonDeg from_label = Ul14LatLonFromPixel(map.gps, {499.0, 230.0});
  const double px_e = (map.gps.br_e_deg - map.gps.tl_e_deg) / 768.0;
  const double px_n = (map.gps.tl_n_deg - map.gps.br_n_deg) / 768.0;
  EXPECT_NEAR((uav_ll.lon_deg - from_label.lon_deg) / px_e, 0.2, 1e-6);
  EXPECT_NEAR((uav_ll.lat_deg - from_label.lat_deg) / -px_n, 0.4, 1e-6);
  // And the UAV's exact position is where the interpolation puts it.
  const PixelColRow uav_px = Ul14PixelFromLatLon(map.gps, uav_ll);
  EXPECT_NEAR(uav_px.col, 0.65 * 768.0, 1e-6);
  EXPECT_NEAR(uav_px.row, 0.3 * 768.0, 1e-6);
}

TEST(Ul14GeorefTest, InterpolationIsLinearAndInvertible) {
  Ul14SearchMapGps gps;
  gps.tl_e_deg = -29.8;
  gps.tl_n_deg = 40.02;
  gps.br_e_deg = -29.79;
  gps.br_n_deg = 40.01;
  const LatLonDeg tl = Ul14LatLonFromPixel(gps, {0.0, 0.0});
  EXPECT_DOUBLE_EQ(tl.lat_deg, 40.02);
  EXPECT_DOUBLE_EQ(tl.lon_deg, -29.8);
  const LatLonDeg br = Ul14LatLonFromPixel(gps, {768.0, 768.0});
  EXPECT_DOUBLE_EQ(br.lat_deg, 40.01);
  EXPECT_DOUBLE_EQ(br.lon_deg, -29.79);
  const LatLonDeg mid = Ul14LatLonFromPixel(gps, {384.0, 192.0});
  EXPECT_NEAR(mid.lon_deg, -29.795, 1e-12);
  EXPECT_NEAR(mid.lat_deg, 40.0175, 1e-12);
  const PixelColRow back = Ul14PixelFromLatLon(gps, mid);
  EXPECT_NEAR(back.col, 384.0, 1e-9);
  EXPECT_NEAR(back.row, 192.0, 1e-9);
  Ul14SearchMapGps flat = gps;
  flat.br_e_deg = flat.tl_e_deg;
  EXPECT_THROW(Ul14PixelFromLatLon(flat, mid), InvalidArgumentError);
}

TEST(Ul14GeorefTest, LabelsFloorAndRejectOutsidePositions) {
  const Ul14Label l = Ul14LabelFromRelative(0.999, 0.0);
  EXPECT_EQ(l.row, 0);
  EXPECT_EQ(l.col, 767);
  EXPECT_THROW(Ul14LabelFromRelative(1.0, 0.5), InvalidArgumentError);
  EXPECT_THROW(Ul14LabelFromRelative(0.5, -0.01), InvalidArgumentError);
  const TextureGeoref g(FamilyAnchor(0), 1024, 1024, 0.6);
  try {
    MakeUl14SearchMap(g, {10.0, 10.0}, {500.0, 500.0}, 300.0);
    FAIL() << "expected InvalidArgumentError";
  } catch (const InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("inside the search map"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace crossview::geo

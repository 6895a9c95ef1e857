#include "crossview/geo/distance.h"

#include <gtest/gtest.h>

#include <cmath>

#include "crossview/geo/texture_georef.h"
#include "crossview/util/random.h"

namespace crossview::geo {
namespace {

TEST(DistanceTest, HaversineKnownValues) {
  const double m_per_deg = 6378137.0 * M_PI / 180.0;
  EXPECT_NEAR(HaversineDistanceM({40.0, -30.0}, {41.0, -30.0}), m_per_deg, 1e-6);
  EXPECT_NEAR(HaversineDistanceM({0.0, 10.0}, {0.0, 11.0}), m_per_deg, 1e-6);
  EXPECT_NEAR(HaversineDistanceM({0.0, 0.0}, {0.0, 180.0}), M_PI * 6378137.0, 1e-6);
  EXPECT_EQ(HaversineDistanceM({12.3, 45.6}, {12.3, 45.6}), 0.0);
  EXPECT_DOUBLE_EQ(HaversineDistanceM({40.0, -30.0}, {40.01, -29.98}), HaversineDistanceM({40.01, -29.98}, {40.0, -30.0}));
  // Along a parallel the arc is shorter than R·cos φ·Δλ (a great circle cuts the corner) but
  // only slightly over 1 km.
  const double along = HaversineDistanceM({40.0, -30.0}, {40.0, -29.99});
  EXPECT_LT(along, m_per_deg * std::cos(40.0 * M_PI / 180.0) * 0.01);
  EXPECT_NEAR(along, m_per_deg * std::cos(40.0 * M_PI / 180.0) * 0.01, 1e-3);
  EXPECT_DOUBLE_EQ(EnDistanceM({3.0, 4.0}, {0.0, 0.0}), 5.0);
  EXPECT_NEAR(InitialBearingDeg({40.0, -30.0}, {40.1, -30.0}), 0.0, 1e-12);
  EXPECT_NEAR(InitialBearingDeg({40.0, -30.0}, {40.0, -29.9}), 90.0, 0.05);
  EXPECT_NEAR(InitialBearingDeg({40.0, -30.0}, {39.9, -30.0}), 180.0, 1e-12);
}

// data.md §2.2: the official haversine and the (e, n) metre error agree within 3·10⁻⁴ relative
// over a 4 km texture (exactly north–south).
TEST(DistanceTest, HaversineAgreesWithTheEnMetricOverFourKilometres) {
  const TextureGeoref pantanal(FamilyAnchor(21), 2048, 2048, 1.95);  // 4.0 km square at 40.4°N
  Rng rng(20240521);
  double worst = 0.0;
  for (int i = 0; i < 2000; ++i) {
    const PixelColRow a{rng.Uniform(0, 2048), rng.Uniform(0, 2048)};
    const PixelColRow b{rng.Uniform(0, 2048), rng.Uniform(0, 2048)};
    const double en = EnDistanceM(pantanal.en_from_pixel(a), pantanal.en_from_pixel(b));
    if (en < 1.0) continue;
    const double hav = HaversineDistanceM(pantanal.lat_lon_from_pixel(a), pantanal.lat_lon_from_pixel(b));
    worst = std::max(worst, std::abs(hav - en) / en);
  }
  EXPECT_LT(worst, 3e-4);
  EXPECT_GT(worst, 1e-6);  // the frames are not identical: the check has teeth
  // Corner to corner (the largest separation).
  const double en = EnDistanceM(pantanal.en_from_pixel({0, 0}), pantanal.en_from_pixel({2048, 2048}));
  const double hav = HaversineDistanceM(pantanal.lat_lon_from_pixel({0, 0}), pantanal.lat_lon_from_pixel({2048, 2048}));
  EXPECT_NEAR(en, std::hypot(2048 * 1.95, 2048 * 1.95), 1e-9);
  EXPECT_LT(std::abs(hav - en) / en, 3e-4);
  // North–south: exact.
  const double ns_en = EnDistanceM(pantanal.en_from_pixel({1024, 0}), pantanal.en_from_pixel({1024, 2048}));
  const double ns_hav = HaversineDistanceM(pantanal.lat_lon_from_pixel({1024, 0}), pantanal.lat_lon_from_pixel({1024, 2048}));
  EXPECT_NEAR(ns_hav, ns_en, 1e-6);
}

}  // namespace
}  // namespace crossview::geo

#include "crossview/data/validity.h"

#include <gtest/gtest.h>

#include "crossview/data/renderer.h"
#include "crossview/data/test_images.h"
#include "crossview/util/errors.h"

namespace crossview::data {
namespace {

TEST(ValidityTest, ViewsInsideTheTextureAreValidAndRenderWithoutGaps) {
  const MapFrame map{1024, 1024, 0.98};
  const PinholeCamera cam{128, 128, 50.0};
  const CameraPose pose = LookAtPose({0.0, 0.0}, 256.0, 30.0, 10.0);
  const ViewValidity v = CheckDroneView(map, cam, pose);
  EXPECT_TRUE(v.valid) << v.detail;
  EXPECT_EQ(v.reason, ViewInvalidReason::kNone);
  // Corners are the footprint corners in map pixels.
  const auto corners_en = FootprintCornersEnM(cam, pose);
  ASSERT_TRUE(corners_en.has_value());
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(v.corner_on_ground[i]);
    EXPECT_LT(cv::norm(map.EnFromXy(v.corners_xy_px[i]) - (*corners_en)[i]), 1e-6);
  }
}

TEST(ValidityTest, ViewsLeavingTheTextureAreRejected) {
  const cv::Mat texture = testing::MakeBusyTexture(512, 512);
  const MapFrame map{512, 512, 1.0};
  const PinholeCamera cam{64, 64, 50.0};
  // The target 40 m from the east edge with a 288 m reach: the footprint sticks out.
  const CameraPose pose = LookAtPose({216.0, 0.0}, 256.0, 30.0, 90.0);
  const ViewValidity v = CheckDroneView(map, cam, pose);
  EXPECT_FALSE(v.valid);
  EXPECT_EQ(v.reason, ViewInvalidReason::kOutsideMap);
  EXPECT_NE(v.detail.find("outside 512 x 512"), std::string::npos) << v.detail;
  // The renderer agrees: some pixels are out of map.
  EXPECT_GT(RenderDroneView(TexturePyramid(texture), map, cam, pose).out_of_map_fraction, 0.0);
  // Moved inside, the same view is valid and complete.
  const CameraPose inside = LookAtPose({0.0, 0.0}, 256.0, 30.0, 90.0);
  EXPECT_TRUE(CheckDroneView(map, cam, inside).valid);
  EXPECT_EQ(RenderDroneView(TexturePyramid(texture), map, cam, inside).out_of_map_fraction, 0.0);
}

TEST(ValidityTest, ObliqueViewsObeyTheEightyDegreeRule) {
  const MapFrame map{100000, 100000, 1.0};  // large: only the angle rule can fail
  const PinholeCamera cam{256, 256, 50.0};  // VFOV/2 = 25°
  EXPECT_TRUE(CheckDroneView(map, cam, LookAtPose({0, 0}, 100.0, 55.0, 0.0)).valid);  // 80°
  const ViewValidity steep = CheckDroneView(map, cam, LookAtPose({0, 0}, 100.0, 55.5, 0.0));
  EXPECT_FALSE(steep.valid);
  EXPECT_EQ(steep.reason, ViewInvalidReason::kTooOblique);
  EXPECT_STREQ(ViewInvalidReasonName(steep.reason), "too_oblique");
  // A roll of 45° turns the top-left corner straight up: atan(√2·tan 25°) = 33.4° off the axis, so
  // at tilt 60° (tilt + VFOV/2 = 85°, allowed by a relaxed rule) that corner sees sky.
  ViewValidityOptions relaxed;
  relaxed.max_far_edge_off_nadir_deg = 89.9;
  const ViewValidity sky =
      CheckDroneView(map, cam, LookAtPose({0, 0}, 100.0, 60.0, 0.0, -45.0), relaxed);
  EXPECT_FALSE(sky.valid);
  EXPECT_EQ(sky.reason, ViewInvalidReason::kCornerOffGround);
  EXPECT_FALSE(sky.corner_on_ground[0]);
  EXPECT_TRUE(sky.corner_on_ground[1]);
  EXPECT_TRUE(sky.corner_on_ground[2]);
  EXPECT_TRUE(sky.corner_on_ground[3]);
  EXPECT_TRUE(CheckDroneView(map, cam, LookAtPose({0, 0}, 100.0, 60.0, 0.0), relaxed).valid);
  // Nadir views are not subject to the angle rule (a 170° lens still sees only ground).
  EXPECT_TRUE(
      CheckDroneView(map, PinholeCamera{64, 64, 170.0}, LookAtPose({0, 0}, 10, 0, 0)).valid);
  relaxed.max_far_edge_off_nadir_deg = 95.0;
  EXPECT_THROW(relaxed.Check(), InvalidArgumentError);
}

TEST(ValidityTest, TilesMustFitInsideTheTexture) {
  const MapFrame map{1000, 600, 0.5};  // 500 m × 300 m
  EXPECT_TRUE(CheckNorthUpTile(map, {0.0, 0.0}, 300.0).valid);
  EXPECT_TRUE(CheckNorthUpTile(map, {100.0, 0.0}, 300.0).valid);  // east edge exactly at 250 m
  const ViewValidity v = CheckNorthUpTile(map, {100.5, 0.0}, 300.0);
  EXPECT_FALSE(v.valid);
  EXPECT_EQ(v.reason, ViewInvalidReason::kOutsideMap);
  EXPECT_FALSE(CheckNorthUpTile(map, {0.0, 0.0}, 301.0).valid);
  EXPECT_THROW(CheckNorthUpTile(map, {0.0, 0.0}, -1.0), InvalidArgumentError);
}

// Capacity planning (§3.6): california-port (1024 px at 0.49 m, 502 m) cannot host the U1652
// spiral (reach 288 m at its first view); california-town (614 m) only at its very centre.
TEST(ValidityTest, CapacityPlanningFollowsTheReach) {
  const PinholeCamera cam{256, 256, 50.0};
  double spiral_reach_m = 0.0;
  for (int k = 0; k < 54; ++k) {  // the whole spiral (§3.4)
    const double h = 256.0 + (121.5 - 256.0) * k / 53.0;
    const double tilt = 30.0 + 15.0 * k / 53.0;
    spiral_reach_m = std::max(spiral_reach_m, FootprintReachM(cam, LookAtPose({0, 0}, h, tilt, 0)));
  }
  EXPECT_NEAR(spiral_reach_m, 288.0, 0.5);
  EXPECT_FALSE(TargetCentreRegionXyPx({1024, 1024, 0.49}, spiral_reach_m).has_value());
  const auto town = TargetCentreRegionXyPx({1024, 1024, 0.60}, spiral_reach_m);
  ASSERT_TRUE(town.has_value());
  EXPECT_NEAR(town->width * 0.60, 614.4 - 2 * spiral_reach_m, 1e-6);  // about 38 m
  EXPECT_NEAR(town->x + 0.5 * town->width, 512.0, 1e-9);
  // Periodic textures: centres in the left half only.
  const auto periodic = TargetCentreRegionXyPx({1024, 1024, 1.0}, 100.0, true);
  ASSERT_TRUE(periodic.has_value());
  EXPECT_DOUBLE_EQ(periodic->x, 100.0);
  EXPECT_DOUBLE_EQ(periodic->x + periodic->width, 512.0);
  EXPECT_DOUBLE_EQ(periodic->y + periodic->height, 924.0);
  // Any target in the region keeps the whole spiral inside the map, at every bearing.
  const MapFrame town_map{1024, 1024, 0.60};
  for (double bearing = 0.0; bearing < 360.0; bearing += 15.0) {
    const cv::Vec2d corner_target = town_map.EnFromXy({town->x, town->y});
    EXPECT_TRUE(
        CheckDroneView(town_map, cam, LookAtPose(corner_target, 256.0, 30.0, bearing)).valid);
  }
  EXPECT_THROW(TargetCentreRegionXyPx(town_map, -1.0), InvalidArgumentError);
}

}  // namespace
}  // namespace crossview::data

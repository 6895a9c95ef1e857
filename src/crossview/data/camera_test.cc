#include "crossview/data/camera.h"

#include <gtest/gtest.h>

#include <cmath>

#include <opencv2/core.hpp>

#include "crossview/data/renderer.h"
#include "crossview/data/test_images.h"
#include "crossview/util/errors.h"
#include "crossview/util/random.h"

namespace crossview::data {
namespace {

constexpr double kDeg = M_PI / 180.0;

// Counts differing bytes between two same-size images.
int CountDifferentBytes(const cv::Mat& a, const cv::Mat& b) {
  EXPECT_EQ(a.size(), b.size());
  EXPECT_EQ(a.type(), b.type());
  cv::Mat diff;
  cv::absdiff(a, b, diff);
  return cv::countNonZero(diff.reshape(1));
}

TEST(CameraTest, IntrinsicsFollowTheFieldOfView) {
  PinholeCamera cam{256, 128, 60.0};
  EXPECT_NEAR(cam.FocalPx(), 128.0 / std::tan(30.0 * kDeg), 1e-12);
  EXPECT_NEAR(cam.VfovDeg(), 2.0 * std::atan(64.0 / cam.FocalPx()) / kDeg, 1e-12);
  const cv::Matx33d k = cam.K();
  EXPECT_DOUBLE_EQ(k(0, 2), 128.0);
  EXPECT_DOUBLE_EQ(k(1, 2), 64.0);
  EXPECT_DOUBLE_EQ(k(0, 0), k(1, 1));
  // A "24 mm full-frame equivalent" lens (§3.2): f = 24/36·W.
  PinholeCamera lens{3600, 2400, 2.0 * std::atan(36.0 / 48.0) / kDeg};
  EXPECT_NEAR(lens.FocalPx(), 2400.0, 1e-9);
  EXPECT_THROW((PinholeCamera{0, 10, 50.0}.Check()), InvalidArgumentError);
  EXPECT_THROW((PinholeCamera{10, 10, 180.0}.Check()), InvalidArgumentError);
}

TEST(CameraTest, RotationRowsAreTheSpecVectors) {
  for (double yaw : {0.0, 37.0, 90.0, 211.0}) {
    for (double tilt : {0.0, 30.0, 55.0}) {
      CameraPose pose;
      pose.yaw_deg = yaw;
      pose.tilt_deg = tilt;
      const double s_t = std::sin(tilt * kDeg), c_t = std::cos(tilt * kDeg);
      const double s_p = std::sin(yaw * kDeg), c_p = std::cos(yaw * kDeg);
      const cv::Vec3d f(s_t * s_p, s_t * c_p, -c_t), u(c_t * s_p, c_t * c_p, s_t), r(c_p, -s_p, 0);
      EXPECT_LT(cv::norm(pose.ForwardEnu() - f), 1e-12);
      EXPECT_LT(cv::norm(pose.UpEnu() - u), 1e-12);
      EXPECT_LT(cv::norm(pose.RightEnu() - r), 1e-12);
      EXPECT_LT(cv::norm(f.cross(u) - r), 1e-12);  // r = f × u
      const cv::Matx33d rot = pose.RCamFromWorld();
      EXPECT_LT(cv::norm(rot * rot.t() - cv::Matx33d::eye()), 1e-12);
      EXPECT_NEAR(cv::determinant(rot), 1.0, 1e-12);
    }
  }
  EXPECT_THROW((CameraPose{{0, 0}, -1.0}.Check()), InvalidArgumentError);
  EXPECT_THROW((CameraPose{{0, 0}, 100.0, 0.0, 90.0}.Check()), InvalidArgumentError);
}

// §3.2 checked property 1: a nadir view with ψ = 0 and footprint W_img·g is the north-up crop.
TEST(CameraTest, NadirYawZeroIsTheNorthUpCropExactly) {
  const cv::Mat texture = testing::MakeBusyTexture(200, 160);
  const MapFrame map{200, 160, 0.5};
  const TexturePyramid pyramid(texture);
  const PinholeCamera cam{64, 48, 50.0};
  CameraPose pose;
  // Height with footprint width W_img·g, centre over map pixel corner (100, 80).
  pose.height_m = cam.FocalPx() * map.gsd_m;
  pose.centre_en_m = map.EnFromXy({100.0, 80.0});
  const auto corners = FootprintCornersEnM(cam, pose);
  ASSERT_TRUE(corners.has_value());
  EXPECT_NEAR((*corners)[1][0] - (*corners)[0][0], cam.width_px * map.gsd_m, 1e-9);

  const cv::Mat crop = texture(cv::Rect(100 - 32, 80 - 24, 64, 48));
  const RenderResult view = RenderDroneView(pyramid, map, cam, pose);
  EXPECT_EQ(view.out_of_map_fraction, 0.0);
  EXPECT_EQ(CountDifferentBytes(view.image, crop), 0);
  // The tile path (axis-aligned affine) through the same sampler gives the same square crop.
  const RenderResult tile = RenderNorthUpTile(pyramid, map, map.EnFromXy({100.0, 80.0}), 32.0, 64);
  EXPECT_EQ(CountDifferentBytes(tile.image, texture(cv::Rect(68, 48, 64, 64))), 0);
}

// §3.2 checked property 2: ψ = 90° gives the crop rotated 90° counter-clockwise (east at the top).
TEST(CameraTest, YawNinetyIsTheCropRotatedCounterClockwise) {
  const cv::Mat texture = testing::MakeBusyTexture(200, 160, 11);
  const MapFrame map{200, 160, 0.5};
  const TexturePyramid pyramid(texture);
  const PinholeCamera cam{64, 48, 50.0};
  CameraPose pose;
  pose.height_m = cam.FocalPx() * map.gsd_m;
  pose.centre_en_m = map.EnFromXy({100.0, 80.0});
  pose.yaw_deg = 90.0;
  // Image-up is east: the crop is H_img map columns wide and W_img map rows tall.
  const cv::Mat crop = texture(cv::Rect(100 - 24, 80 - 32, 48, 64));
  cv::Mat rotated;
  cv::rotate(crop, rotated, cv::ROTATE_90_COUNTERCLOCKWISE);
  const RenderResult view = RenderDroneView(pyramid, map, cam, pose);
  EXPECT_EQ(CountDifferentBytes(view.image, rotated), 0);
  // And east really is at the top: a ground point east of the centre projects above it.
  const auto east = ProjectGroundToImage(cam, pose, pose.centre_en_m + cv::Vec2d(5.0, 0.0));
  ASSERT_TRUE(east.has_value());
  EXPECT_NEAR((*east)[0], 32.0, 1e-9);
  EXPECT_LT((*east)[1], 24.0);
}

// §3.2 checked property 3: the look-at target projects to (W/2, H/2).
TEST(CameraTest, LookAtTargetProjectsToTheImageCentre) {
  Rng rng(3);
  const PinholeCamera cam{97, 61, 50.0};
  for (int i = 0; i < 200; ++i) {
    const cv::Vec2d target(rng.Uniform(-500, 500), rng.Uniform(-500, 500));
    const double bearing = rng.Uniform(-360, 720);
    const CameraPose pose =
        LookAtPose(target, rng.Uniform(20, 500), rng.Uniform(0, 60), bearing, rng.Uniform(-20, 20));
    const auto xy = ProjectGroundToImage(cam, pose, target);
    ASSERT_TRUE(xy.has_value());
    EXPECT_NEAR((*xy)[0], 48.5, 1e-9);
    EXPECT_NEAR((*xy)[1], 30.5, 1e-9);
    EXPECT_LT(cv::norm(ImageCentreGroundEnM(cam, pose) - target), 1e-9);
    EXPECT_GE(pose.yaw_deg, 0.0);
    EXPECT_LT(pose.yaw_deg, 360.0);
    EXPECT_NEAR(std::remainder(pose.yaw_deg - (bearing + 180.0), 360.0), 0.0, 1e-9);
  }
  // Bearing 0 puts the camera north of the target, looking south.
  const CameraPose north = LookAtPose({10, 20}, 100, 45, 0);
  EXPECT_NEAR(north.centre_en_m[0], 10.0, 1e-9);
  EXPECT_NEAR(north.centre_en_m[1], 120.0, 1e-9);
  EXPECT_DOUBLE_EQ(north.yaw_deg, 180.0);
}

// The acceptance: a ground point projected into the image and back lands within 0.5 px,
// over random poses including oblique, yawed and rolled ones.
TEST(CameraTest, GroundImageRoundTripsOverRandomPoses) {
  Rng rng(5);
  const MapFrame map{1024, 1024, 0.98};
  double worst_px = 0.0, worst_m = 0.0;
  for (int i = 0; i < 300; ++i) {
    const PinholeCamera cam{static_cast<int>(rng.UniformInt(31, 640)),
                            static_cast<int>(rng.UniformInt(31, 480)), rng.Uniform(30, 90)};
    CameraPose pose;
    pose.centre_en_m = {rng.Uniform(-300, 300), rng.Uniform(-300, 300)};
    pose.height_m = rng.Uniform(20, 400);
    pose.yaw_deg = rng.Uniform(0, 360);
    pose.tilt_deg = rng.Uniform(0, 60);
    pose.roll_deg = rng.Uniform(-15, 15);
    // Image → ground → image for pixels below the horizon.
    for (int k = 0; k < 10; ++k) {
      const cv::Vec2d xy(rng.Uniform(0, cam.width_px), rng.Uniform(0, cam.height_px));
      const auto en = GroundFromImage(cam, pose, xy);
      if (!en) continue;
      const auto back = ProjectGroundToImage(cam, pose, *en);
      ASSERT_TRUE(back.has_value());
      worst_px = std::max(worst_px, cv::norm(*back - xy));
      // The same through the map homography and its inverse.
      const cv::Matx33d h = ImageFromMap(cam, pose, map);
      const cv::Vec2d map_xy = ApplyHomography(h.inv(), xy);
      EXPECT_LT(cv::norm(map.EnFromXy(map_xy) - *en), 1e-6 * (1.0 + cv::norm(*en)));
      worst_px = std::max(worst_px, cv::norm(ApplyHomography(h, map_xy) - xy));
    }
    // Ground → image → ground for points near the footprint centre.
    const cv::Vec2d en =
        ImageCentreGroundEnM(cam, pose) + cv::Vec2d(rng.Uniform(-20, 20), rng.Uniform(-20, 20));
    const auto xy = ProjectGroundToImage(cam, pose, en);
    ASSERT_TRUE(xy.has_value());
    const auto en_back = GroundFromImage(cam, pose, *xy);
    ASSERT_TRUE(en_back.has_value());
    worst_m = std::max(worst_m, cv::norm(*en_back - en));
  }
  EXPECT_LT(worst_px, 0.5);
  EXPECT_LT(worst_px, 1e-6);  // in practice the round trip is exact to rounding
  EXPECT_LT(worst_m, 1e-6);
}

TEST(CameraTest, PositiveRollTurnsTheImageClockwise) {
  const PinholeCamera cam{100, 100, 60.0};
  CameraPose pose;
  pose.height_m = 100.0;
  const cv::Vec2d east(10.0, 0.0);  // right of the centre at roll 0
  pose.roll_deg = 0.0;
  const auto a = ProjectGroundToImage(cam, pose, east);
  pose.roll_deg = 90.0;
  const auto b = ProjectGroundToImage(cam, pose, east);
  ASSERT_TRUE(a && b);
  EXPECT_GT((*a)[0], 50.0);
  EXPECT_NEAR((*a)[1], 50.0, 1e-9);
  // A quarter turn clockwise on screen moves "right of centre" to "below centre".
  EXPECT_NEAR((*b)[0], 50.0, 1e-9);
  EXPECT_NEAR((*b)[1] - 50.0, (*a)[0] - 50.0, 1e-9);
}

// The §3.4 footprint budget: reach within 0.5 m and GSD at the centre (256 px, square images).
TEST(CameraTest, FootprintReachAndGsdMatchTheSpecTable) {
  struct Row {
    double height_m, tilt_deg, hfov_deg, reach_m, gsd_m;
  };
  const Row rows[] = {{256.0, 30.0, 50.0, 288.0, 1.08}, {121.5, 45.0, 50.0, 260.0, 0.63},
                      {150.0, 30.0, 40.0, 122.0, 0.49}, {300.0, 30.0, 40.0, 244.0, 0.99},
                      {300.0, 45.0, 50.0, 642.0, 1.55}, {100.0, 0.0, 60.0, 82.0, 0.45}};
  const PinholeCamera cam{256, 256, 0.0};
  for (const Row& row : rows) {
    PinholeCamera c = cam;
    c.hfov_deg = row.hfov_deg;
    for (double bearing : {0.0, 73.0, 200.0}) {
      const CameraPose pose = LookAtPose({12.0, -34.0}, row.height_m, row.tilt_deg, bearing);
      EXPECT_NEAR(FootprintReachM(c, pose), row.reach_m, 0.5)
          << "h=" << row.height_m << " tilt=" << row.tilt_deg << " hfov=" << row.hfov_deg;
      EXPECT_NEAR(GsdAtCentreAcrossM(c, pose), row.gsd_m, 0.005);
      EXPECT_NEAR(GsdAtCentreAlongM(c, pose),
                  GsdAtCentreAcrossM(c, pose) / std::cos(row.tilt_deg * kDeg), 1e-12);
    }
  }
  // UL14 at 512 px: 0.23 m/px.
  EXPECT_NEAR(GsdAtCentreAcrossM({512, 512, 60.0}, LookAtPose({0, 0}, 100.0, 0.0, 0.0)), 0.23,
              0.005);
}

// The horizon check: rays at or above the horizon never reach the ground, and points behind the
// camera never project.
TEST(CameraTest, HorizonAndBehindTheCamera) {
  const PinholeCamera cam{256, 256, 50.0};  // VFOV = 50°
  // tilt + VFOV/2 = 95° > 90°: the top corners see sky.
  const CameraPose over = LookAtPose({0, 0}, 100.0, 70.0, 0.0);
  EXPECT_FALSE(FootprintCornersEnM(cam, over).has_value());
  EXPECT_THROW(FootprintReachM(cam, over), InvalidArgumentError);
  EXPECT_FALSE(GroundFromImage(cam, over, {128.0, 0.0}).has_value());
  EXPECT_TRUE(GroundFromImage(cam, over, {128.0, 256.0}).has_value());
  // The horizon row: above it no ground, below it ground. Horizon at y = H/2 − f·tan(90° − θ).
  const double horizon_y = 128.0 - cam.FocalPx() * std::tan((90.0 - 70.0) * kDeg);
  EXPECT_FALSE(GroundFromImage(cam, over, {128.0, horizon_y - 0.01}).has_value());
  EXPECT_TRUE(GroundFromImage(cam, over, {128.0, horizon_y + 0.01}).has_value());
  // Just under the limit the footprint is bounded: tilt + VFOV/2 = 89°.
  EXPECT_TRUE(FootprintCornersEnM(cam, LookAtPose({0, 0}, 100.0, 64.0, 0.0)).has_value());
  // The camera looks south (bearing 0 → yaw 180): a point behind it, to the north, does not
  // project; the homography's third coordinate is negative there.
  const CameraPose oblique = LookAtPose({0, 0}, 100.0, 45.0, 0.0);
  EXPECT_FALSE(ProjectGroundToImage(cam, oblique, {0.0, 500.0}).has_value());
  const cv::Vec3d p = ImageFromGround(cam, oblique) * cv::Vec3d(0.0, 500.0, 1.0);
  EXPECT_LT(p[2], 0.0);
  EXPECT_TRUE(ProjectGroundToImage(cam, oblique, {0.0, -50.0}).has_value());
}

TEST(CameraTest, GroundDistanceMapIsTheSlantRange) {
  const PinholeCamera cam{64, 64, 60.0};
  const CameraPose nadir = LookAtPose({0, 0}, 120.0, 0.0, 0.0);
  const cv::Mat d = GroundDistanceMapM(cam, nadir);
  ASSERT_EQ(d.type(), CV_32FC1);
  // Pixel (31, 31)'s centre is half a pixel off the axis: distance √(h² + 2·(g/2)²).
  const double g = 120.0 / cam.FocalPx();
  EXPECT_NEAR(d.at<float>(31, 31), std::sqrt(120.0 * 120.0 + 2 * 0.25 * g * g), 1e-3);
  const CameraPose oblique = LookAtPose({0, 0}, 100.0, 40.0, 30.0);
  const cv::Mat d2 = GroundDistanceMapM(cam, oblique);
  // The far field (top rows) is further away than the near field.
  EXPECT_GT(d2.at<float>(0, 32), d2.at<float>(63, 32));
  // Each entry equals |ground point − C| for that pixel centre.
  const auto en = GroundFromImage(cam, oblique, {10.5, 20.5});
  ASSERT_TRUE(en.has_value());
  const cv::Vec3d c = oblique.CentreEnuM();
  const double expected = cv::norm(cv::Vec3d((*en)[0], (*en)[1], 0.0) - c);
  EXPECT_NEAR(d2.at<float>(20, 10), expected, 1e-3);
  // A view past the horizon gets +inf on sky pixels.
  const cv::Mat d3 = GroundDistanceMapM(cam, LookAtPose({0, 0}, 100.0, 80.0, 0.0));
  EXPECT_TRUE(std::isinf(d3.at<float>(0, 0)));
}

}  // namespace
}  // namespace crossview::data

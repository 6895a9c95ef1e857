#include "crossview/data/photometric.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "crossview/data/camera.h"
#include "crossview/data/image_io.h"
#include "crossview/data/test_images.h"
#include "crossview/util/errors.h"

namespace crossview::data {
namespace {

cv::Mat Flat(int rows, int cols, cv::Vec3b rgb) {
  return cv::Mat(rows, cols, CV_8UC3, cv::Scalar(rgb[0], rgb[1], rgb[2]));
}

TEST(PhotometricTest, OffIsTheIdentityAndDrawsNothing) {
  const cv::Mat image = testing::MakeBusyTexture(33, 21);
  Rng rng(9);
  const PhotometricParams p = DrawPhotometricParams(PhotometricOptions::Off(), rng, true);
  EXPECT_TRUE(p.IsIdentity());
  EXPECT_EQ(rng.NextU64(), Rng(9).NextU64());  // the stream was not consumed
  const cv::Mat out = ApplyPhotometric(image, p);
  EXPECT_EQ(cv::norm(out, image, cv::NORM_INF), 0.0);
  EXPECT_NE(out.data, image.data);  // a copy, not an alias
}

TEST(PhotometricTest, ExposureDoublesAtOneStop) {
  PhotometricParams p;
  p.exposure_ev = 1.0;
  cv::Mat image = Flat(4, 4, {100, 60, 200});
  const cv::Mat out = ApplyPhotometric(image, p);
  EXPECT_EQ(out.at<cv::Vec3b>(2, 2), cv::Vec3b(200, 120, 255));  // 400 clamps at the end
  p.exposure_ev = -1.0;
  EXPECT_EQ(ApplyPhotometric(image, p).at<cv::Vec3b>(0, 0), cv::Vec3b(50, 30, 100));
}

TEST(PhotometricTest, ContrastScalesAboutTheMean) {
  cv::Mat image = Flat(2, 4, {100, 100, 100});
  image(cv::Rect(2, 0, 2, 2)).setTo(cv::Scalar::all(200));  // mean 150
  PhotometricParams p;
  p.contrast = 1.2;
  const cv::Mat out = ApplyPhotometric(image, p);
  EXPECT_EQ(out.at<cv::Vec3b>(0, 0), cv::Vec3b(90, 90, 90));
  EXPECT_EQ(out.at<cv::Vec3b>(1, 3), cv::Vec3b(210, 210, 210));
}

TEST(PhotometricTest, GammaWhiteBalanceAndSaturation) {
  PhotometricParams gamma;
  gamma.gamma = 2.0;
  // 255·(64/255)² = 16.06; 0 and 255 are fixed points.
  cv::Mat image = Flat(1, 3, {64, 0, 255});
  EXPECT_EQ(ApplyPhotometric(image, gamma).at<cv::Vec3b>(0, 1), cv::Vec3b(16, 0, 255));

  PhotometricParams wb;
  wb.wb_delta = 0.1;
  wb.wb_tau = 0.05;
  EXPECT_EQ(ApplyPhotometric(Flat(2, 2, {100, 100, 100}), wb).at<cv::Vec3b>(1, 1),
            cv::Vec3b(110, 105, 90));

  PhotometricParams grey;
  grey.saturation = 0.0;
  // Y = 0.299·200 + 0.587·100 + 0.114·50 = 124.5 → 125 (rounded half up) on every channel.
  const cv::Vec3b g = ApplyPhotometric(Flat(1, 1, {200, 100, 50}), grey).at<cv::Vec3b>(0, 0);
  EXPECT_EQ(g[0], g[1]);
  EXPECT_EQ(g[1], g[2]);
  EXPECT_NEAR(g[0], 124.5, 0.51);
  PhotometricParams vivid;
  vivid.saturation = 1.2;
  const cv::Vec3b v = ApplyPhotometric(Flat(1, 1, {200, 100, 50}), vivid).at<cv::Vec3b>(0, 0);
  EXPECT_GT(v[0] - v[2], 150);  // colours move away from the grey value
}

TEST(PhotometricTest, HazeBlendsTowardsTheHazeColourWithDistance) {
  PhotometricParams p;
  p.haze_beta_per_m = 1e-3;
  p.haze_rgb = {200.0, 210.0, 220.0};
  const cv::Mat image = Flat(1, 3, {0, 100, 20});
  cv::Mat distance(1, 3, CV_32FC1);
  distance.at<float>(0, 0) = 0.0f;
  distance.at<float>(0, 1) = static_cast<float>(std::log(2.0) / 1e-3);  // half way
  distance.at<float>(0, 2) = std::numeric_limits<float>::infinity();    // sky: pure haze
  const cv::Mat out = ApplyPhotometric(image, p, distance);
  EXPECT_EQ(out.at<cv::Vec3b>(0, 0), cv::Vec3b(0, 100, 20));
  EXPECT_EQ(out.at<cv::Vec3b>(0, 1), cv::Vec3b(100, 155, 120));
  EXPECT_EQ(out.at<cv::Vec3b>(0, 2), cv::Vec3b(200, 210, 220));
  EXPECT_THROW(ApplyPhotometric(image, p), InvalidArgumentError);
  // With a real oblique camera the far field (top) is hazier than the near field (bottom).
  const PinholeCamera cam{48, 48, 50.0};
  const CameraPose pose = LookAtPose({0, 0}, 200.0, 50.0, 0.0);
  p.haze_beta_per_m = 4e-4;
  const cv::Mat hazy = ApplyPhotometric(Flat(48, 48, {0, 0, 0}), p, GroundDistanceMapM(cam, pose));
  EXPECT_GT(hazy.at<cv::Vec3b>(0, 24)[2], hazy.at<cv::Vec3b>(47, 24)[2]);
}

TEST(PhotometricTest, BlurSpreadsAnImpulseAndKeepsFlatAreas) {
  cv::Mat image = Flat(21, 21, {50, 50, 50});
  image.at<cv::Vec3b>(10, 10) = cv::Vec3b(250, 250, 250);
  PhotometricParams p;
  p.blur_sigma_px = 1.0;
  const cv::Mat out = ApplyPhotometric(image, p);
  EXPECT_LT(out.at<cv::Vec3b>(10, 10)[0], 120);  // peak spread out
  EXPECT_GT(out.at<cv::Vec3b>(10, 11)[0], 50);
  EXPECT_EQ(out.at<cv::Vec3b>(0, 0), cv::Vec3b(50, 50, 50));  // flat far away
  // Energy is conserved (up to rounding): the excess over 50 still sums to about 200 per channel.
  cv::Mat excess;
  cv::subtract(out, cv::Scalar::all(50), excess, cv::noArray(), CV_32FC3);
  EXPECT_NEAR(cv::sum(excess)[0], 200.0, 12.0);

  // Motion blur: a horizontal kernel spreads the impulse along the row only.
  PhotometricParams m;
  m.motion_length_px = 3.0;
  m.motion_angle_deg = 0.0;
  const cv::Mat streak = ApplyPhotometric(image, m);
  EXPECT_GT(streak.at<cv::Vec3b>(10, 11)[0], 80);
  EXPECT_EQ(streak.at<cv::Vec3b>(11, 10)[0], 50);
  const cv::Mat k = MotionBlurKernel(3.0, 30.0);
  EXPECT_NEAR(cv::sum(k)[0], 1.0, 1e-6);
  cv::Mat flipped;
  cv::flip(k, flipped, -1);  // a centred segment is point-symmetric
  EXPECT_LT(cv::norm(k, flipped, cv::NORM_INF), 1e-6);
  EXPECT_EQ(MotionBlurKernel(0.0, 0.0).size(), cv::Size(1, 1));
}

TEST(PhotometricTest, VignettingLeavesTheCentreAndDarkensTheCorners) {
  PhotometricParams p;
  p.vignette_corner_gain = 0.8;
  const cv::Mat out = ApplyPhotometric(Flat(64, 96, {200, 200, 200}), p);
  EXPECT_EQ(out.at<cv::Vec3b>(32, 48), cv::Vec3b(200, 200, 200));
  EXPECT_EQ(out.at<cv::Vec3b>(31, 47), cv::Vec3b(200, 200, 200));
  // The corner pixel centre sits just inside the corner: gain a little above 0.8.
  EXPECT_NEAR(out.at<cv::Vec3b>(0, 0)[0], 160.0, 2.0);
  EXPECT_NEAR(out.at<cv::Vec3b>(63, 95)[1], 160.0, 2.0);
  EXPECT_GT(out.at<cv::Vec3b>(32, 0)[0], out.at<cv::Vec3b>(0, 0)[0]);
}

TEST(PhotometricTest, NoiseHasTheRequestedStrengthAndIsSeeded) {
  PhotometricParams p;
  p.noise_read_sigma = 3.0;
  p.noise_shot_gain = 0.02;
  p.noise_seed = 1234;
  const cv::Mat image = Flat(128, 128, {128, 128, 128});
  const cv::Mat a = ApplyPhotometric(image, p);
  const cv::Mat b = ApplyPhotometric(image, p);
  EXPECT_EQ(cv::norm(a, b, cv::NORM_INF), 0.0);
  cv::Scalar mean, stddev;
  cv::meanStdDev(a.reshape(1), mean, stddev);
  const double expected = std::sqrt(9.0 + 0.02 * 128.0);  // 3.4
  EXPECT_NEAR(mean[0], 128.0, 0.1);
  EXPECT_NEAR(stddev[0], expected, 0.1);  // rounding adds 1/12 to the variance
  p.noise_seed = 1235;
  EXPECT_GT(cv::norm(a, ApplyPhotometric(image, p), cv::NORM_INF), 0.0);
}

TEST(PhotometricTest, DrawsAreSeededInRangeAndStable) {
  const PhotometricOptions drone = PhotometricOptions::Drone();
  Rng a(42), b(42), c(43);
  const PhotometricParams pa = DrawPhotometricParams(drone, a, true);
  const PhotometricParams pb = DrawPhotometricParams(drone, b, true);
  const PhotometricParams pc = DrawPhotometricParams(drone, c, true);
  EXPECT_EQ(PhotometricParamList(pa), PhotometricParamList(pb));
  EXPECT_EQ(pa.noise_seed, pb.noise_seed);
  EXPECT_NE(PhotometricParamList(pa), PhotometricParamList(pc));
  // Same seed → same image bytes after the whole chain.
  const cv::Mat image = testing::MakeBusyTexture(40, 30);
  const PinholeCamera cam{40, 30, 50.0};
  const cv::Mat dist = GroundDistanceMapM(cam, LookAtPose({0, 0}, 100.0, 40.0, 0.0));
  EXPECT_EQ(
      cv::norm(ApplyPhotometric(image, pa, dist), ApplyPhotometric(image, pb, dist), cv::NORM_INF),
      0.0);
  // Nadir draws consume the same values but record no haze.
  Rng d(42);
  const PhotometricParams nadir = DrawPhotometricParams(drone, d, false);
  EXPECT_EQ(nadir.haze_beta_per_m, 0.0);
  EXPECT_EQ(nadir.blur_sigma_px, pa.blur_sigma_px);
  EXPECT_EQ(nadir.jpeg_quality, pa.jpeg_quality);
  // Many draws stay inside the default ranges.
  Rng many(7);
  for (int i = 0; i < 500; ++i) {
    const PhotometricParams p = DrawPhotometricParams(drone, many, true);
    EXPECT_TRUE(p.exposure_ev >= -0.5 && p.exposure_ev <= 0.5);
    EXPECT_TRUE(p.contrast >= 0.8 && p.contrast <= 1.2);
    EXPECT_TRUE(p.gamma >= 0.8 && p.gamma <= 1.25);
    EXPECT_TRUE(std::abs(p.wb_delta) <= 0.08 && std::abs(p.wb_tau) <= 0.03);
    EXPECT_TRUE(p.haze_beta_per_m >= 0.0 && p.haze_beta_per_m <= 4e-4);
    EXPECT_TRUE(p.blur_sigma_px >= 0.0 && p.blur_sigma_px <= 1.0);
    EXPECT_TRUE(p.motion_length_px >= 0.0 && p.motion_length_px <= 3.0);
    EXPECT_TRUE(p.vignette_corner_gain >= 0.8 && p.vignette_corner_gain <= 1.0);
    EXPECT_TRUE(p.noise_read_sigma >= 0.0 && p.noise_read_sigma <= 3.0);
    EXPECT_TRUE(p.jpeg_quality >= 60 && p.jpeg_quality <= 95);
  }
  // The list names the manifest fields in chain order.
  const auto list = PhotometricParamList(pa);
  ASSERT_EQ(list.size(), 17u);
  EXPECT_EQ(list.front().first, "ev");
  EXPECT_EQ(list.front().second, pa.exposure_ev);
  EXPECT_EQ(list.back().first, "jpeg_quality");
  EXPECT_EQ(list.back().second, pa.jpeg_quality);
}

TEST(PhotometricTest, SatelliteProfileIsMilder) {
  const PhotometricOptions sat = PhotometricOptions::Satellite();
  Rng rng(5);
  for (int i = 0; i < 300; ++i) {
    const PhotometricParams p = DrawPhotometricParams(sat, rng, true);
    EXPECT_EQ(p.haze_beta_per_m, 0.0);
    EXPECT_EQ(p.vignette_corner_gain, 1.0);
    EXPECT_EQ(p.motion_length_px, 0.0);
    EXPECT_EQ(p.jpeg_quality, 90);
    EXPECT_TRUE(p.contrast >= 0.9 && p.contrast <= 1.1);
    EXPECT_TRUE(std::abs(p.wb_delta) <= 0.04 && std::abs(p.wb_tau) <= 0.015);
  }
  PhotometricOptions bad;
  bad.gamma = {1.2, 0.9};
  EXPECT_THROW(bad.Check(), InvalidArgumentError);
  bad = PhotometricOptions();
  bad.jpeg_quality_max = 101;
  EXPECT_THROW(bad.Check(), InvalidArgumentError);
  EXPECT_THROW(ApplyPhotometric(cv::Mat(4, 4, CV_8UC1), PhotometricParams()), InvalidArgumentError);
}

TEST(PhotometricTest, ResolutionGapRemovesDetailFinerThanTheEffectiveGsd) {
  // A one-pixel checkerboard at 1 m/px seen by a 2 m/px sensor becomes flat mid-grey.
  cv::Mat checker(64, 64, CV_8UC3);
  for (int r = 0; r < 64; ++r) {
    for (int c = 0; c < 64; ++c)
      checker.at<cv::Vec3b>(r, c) = cv::Vec3b::all((r + c) % 2 ? 200 : 0);
  }
  const cv::Mat gap = ApplyResolutionGap(checker, 1.0, 2.0);
  ASSERT_EQ(gap.size(), checker.size());
  double lo = 0.0, hi = 0.0;
  cv::minMaxLoc(gap.reshape(1), &lo, &hi);
  EXPECT_GE(lo, 99.0);
  EXPECT_LE(hi, 101.0);
  // Coarser-than-effective tiles are left alone; smooth content survives.
  EXPECT_EQ(cv::norm(ApplyResolutionGap(checker, 1.0, 0.5), checker, cv::NORM_INF), 0.0);
  const cv::Mat flat = Flat(30, 30, {10, 120, 240});
  EXPECT_EQ(cv::norm(ApplyResolutionGap(flat, 0.5, 1.5), flat, cv::NORM_INF), 0.0);
  EXPECT_THROW(ApplyResolutionGap(flat, 0.0, 1.0), InvalidArgumentError);
}

// The whole per-image chain (draw → apply → JPEG) is a function of the seed: same seed, same
// bytes, whatever OpenCV's thread count.
TEST(PhotometricTest, SameSeedSameBytesEndToEnd) {
  const cv::Mat image = testing::MakeBusyTexture(96, 64);
  const PinholeCamera cam{96, 64, 50.0};
  const cv::Mat dist = GroundDistanceMapM(cam, LookAtPose({0, 0}, 150.0, 45.0, 10.0));
  auto run = [&](uint64_t seed) {
    Rng stream = Rng(seed).Fork("photometric/view/0007/image-13");
    const PhotometricParams p = DrawPhotometricParams(PhotometricOptions::Drone(), stream, true);
    ImageEncodeOptions enc;
    enc.jpeg_quality = p.jpeg_quality;
    return EncodeImage(ApplyPhotometric(image, p, dist), ImageFormat::kJpeg, enc);
  };
  const int threads = cv::getNumThreads();
  const std::string a = run(1);
  cv::setNumThreads(1);
  const std::string b = run(1);
  cv::setNumThreads(threads);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, run(2));
}

}  // namespace
}  // namespace crossview::data

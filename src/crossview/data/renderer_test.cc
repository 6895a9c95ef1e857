#include "crossview/data/renderer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <iostream>

#include <opencv2/imgproc.hpp>

#include "crossview/data/image_io.h"
#include "crossview/data/test_images.h"
#include "crossview/data/validity.h"
#include "crossview/util/errors.h"
#include "crossview/util/testing.h"

namespace crossview::data {
namespace {

using testing::MakeBusyTexture;
using testing::MeanAbsDiff;

// Plain bilinear without anti-aliasing (OpenCV), the baseline the pyramid must beat.
cv::Mat PlainBilinear(const cv::Mat& texture, const cv::Matx33d& image_from_map, cv::Size size) {
  cv::Mat out;
  cv::warpPerspective(texture, out, cv::Mat(CentreBasedFromCornerBased(image_from_map)), size,
                      cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  return out;
}

struct Case {
  const char* name;
  cv::Size size;
  double hfov_deg, height_m, tilt_deg, bearing_deg, roll_deg;
};

// The anti-aliased fast path against 8×8 supersampling on awkward sizes (§3.3): MAD ≤ 2.
TEST(RendererTest, AntiAliasedMatchesSupersamplingOnAwkwardSizes) {
  const cv::Mat texture = MakeBusyTexture(301, 257);
  const MapFrame map{301, 257, 1.0};
  const TexturePyramid pyramid(texture);
  const Case cases[] = {
      {"97x61 oblique yawed", {97, 61}, 50.0, 100.0, 40.0, 33.0, 0.0},
      {"97x61 nadir minified", {97, 61}, 60.0, 150.0, 0.0, 200.0, 0.0},
      {"63x63 oblique rolled", {63, 63}, 45.0, 80.0, 30.0, 290.0, 7.0},
      {"127x31 steep", {127, 31}, 40.0, 120.0, 55.0, 120.0, 0.0},
  };
  for (const Case& c : cases) {
    const PinholeCamera cam{c.size.width, c.size.height, c.hfov_deg};
    const CameraPose pose =
        LookAtPose({3.0, -7.0}, c.height_m, c.tilt_deg, c.bearing_deg, c.roll_deg);
    ASSERT_TRUE(CheckDroneView(map, cam, pose).valid) << c.name;
    const cv::Matx33d h = ImageFromMap(cam, pose, map);
    const RenderResult fast = RenderImageFromMap(pyramid, h, c.size);
    const RenderResult ref = RenderSupersampledReference(texture, h, c.size, 8);
    const double mad = MeanAbsDiff(fast.image, ref.image);
    const double mad_plain = MeanAbsDiff(PlainBilinear(texture, h, c.size), ref.image);
    std::cout << "[ measure  ] " << c.name << ": MAD vs 8x8 supersampling " << mad
              << " (plain bilinear " << mad_plain << ")\n";
    EXPECT_LE(mad, 2.0) << c.name;
    // Anti-aliasing matters on this content: plain bilinear is clearly further off.
    EXPECT_GT(mad_plain, 2.0 * mad) << c.name;
  }
  // A minified north-up tile of odd size through the same sampler.
  const cv::Matx33d tile = NorthUpTileImageFromMap(map, {-10.0, 5.0}, 180.0, 37);
  const double mad_tile =
      MeanAbsDiff(RenderImageFromMap(pyramid, tile, {37, 37}).image,
                  RenderSupersampledReference(texture, tile, {37, 37}, 8).image);
  std::cout << "[ measure  ] tile 37x37 (s = 4.9): MAD " << mad_tile << "\n";
  EXPECT_LE(mad_tile, 2.0);
}

// The same on a real texture (§1.2 california-town2, 0.98 m/px) for oblique views.
TEST(RendererTest, AntiAliasedMatchesSupersamplingOnARealTexture) {
  const auto path = crossview::testing::AerialFile("flightgear/california-town2.png");
  CV_REQUIRE_FILE(path);
  const cv::Mat texture = LoadImageRgb(path);
  const MapFrame map{texture.cols, texture.rows, 0.98};
  const TexturePyramid pyramid(texture);
  const Case cases[] = {
      {"97x61 SUES 300 m", {97, 61}, 40.0, 300.0, 30.0, 17.0, 0.0},
      {"256x256 U1652 first view", {256, 256}, 50.0, 256.0, 30.0, 140.0, 0.0},
      {"128x128 45 deg", {128, 128}, 50.0, 121.5, 45.0, 250.0, 0.0},
  };
  for (const Case& c : cases) {
    const PinholeCamera cam{c.size.width, c.size.height, c.hfov_deg};
    const CameraPose pose = LookAtPose({20.0, -15.0}, c.height_m, c.tilt_deg, c.bearing_deg);
    ASSERT_TRUE(CheckDroneView(map, cam, pose).valid) << c.name;
    const cv::Matx33d h = ImageFromMap(cam, pose, map);
    const cv::Mat ref = RenderSupersampledReference(texture, h, c.size, 8).image;
    const double mad = MeanAbsDiff(RenderImageFromMap(pyramid, h, c.size).image, ref);
    // The single-probe variants of §3.3, for comparison (not held to the bound).
    RenderOptions single;
    single.footprint_scale = FootprintScale::kGeometricMean;
    const double mad_det = MeanAbsDiff(RenderImageFromMap(pyramid, h, c.size, single).image, ref);
    single.footprint_scale = FootprintScale::kMaxSingularValue;
    const double mad_max = MeanAbsDiff(RenderImageFromMap(pyramid, h, c.size, single).image, ref);
    const double mad_plain = MeanAbsDiff(PlainBilinear(texture, h, c.size), ref);
    std::cout << "[ measure  ] california-town2 " << c.name << ": MAD probe grid " << mad
              << ", single probe sqrt|det J| " << mad_det << ", sigma_max " << mad_max
              << ", plain bilinear " << mad_plain << "\n";
    EXPECT_LE(mad, 2.0) << c.name;
    EXPECT_LT(mad, mad_det) << c.name;
    EXPECT_LT(mad, mad_plain) << c.name;
  }
}

// Downscaling a tile by exactly 2 samples level 1 of the pyramid at its pixel centres: the 2×2
// area means, exactly (rounded).
TEST(RendererTest, HalfScaleTileIsTheAreaMean) {
  const cv::Mat texture = MakeBusyTexture(64, 64);
  const MapFrame map{64, 64, 1.0};
  const RenderResult tile = RenderNorthUpTile(TexturePyramid(texture), map, {0.0, 0.0}, 64.0, 32);
  cv::Mat area;
  cv::resize(texture, area, {32, 32}, 0, 0, cv::INTER_AREA);
  cv::Mat diff;
  cv::absdiff(tile.image, area, diff);
  double max_diff = 0.0;
  cv::minMaxLoc(diff.reshape(1), nullptr, &max_diff);
  EXPECT_LE(max_diff, 1.0);  // both round the same mean; OpenCV's fixed point may differ by 1
  // Exact against our own pyramid level 1, rounded half up.
  const TexturePyramid pyramid(texture);
  for (int r = 0; r < 32; ++r) {
    for (int c = 0; c < 32; ++c) {
      for (int ch = 0; ch < 3; ++ch) {
        const float v = pyramid.level(1).at<cv::Vec3f>(r, c)[ch];
        ASSERT_EQ(tile.image.at<cv::Vec3b>(r, c)[ch], static_cast<uint8_t>(v + 0.5f));
      }
    }
  }
}

TEST(RendererTest, OutputIsIndependentOfThreadCountAndRepeatable) {
  const cv::Mat texture = MakeBusyTexture(300, 220);
  const MapFrame map{300, 220, 1.0};
  const TexturePyramid pyramid(texture);
  const PinholeCamera cam{131, 97, 50.0};
  const CameraPose pose = LookAtPose({0.0, 0.0}, 90.0, 38.0, 77.0, 3.0);
  RenderOptions options;
  options.num_threads = 1;
  const RenderResult one = RenderDroneView(pyramid, map, cam, pose, options);
  for (int threads : {1, 2, 3, 7, 0}) {
    options.num_threads = threads;
    const RenderResult other = RenderDroneView(pyramid, map, cam, pose, options);
    EXPECT_EQ(cv::norm(one.image, other.image, cv::NORM_INF), 0.0) << threads << " threads";
    EXPECT_EQ(cv::norm(one.valid_mask, other.valid_mask, cv::NORM_INF), 0.0);
  }
  // Same inputs → same encoded bytes.
  EXPECT_EQ(EncodeImage(one.image, ImageFormat::kPng),
            EncodeImage(RenderDroneView(pyramid, map, cam, pose).image, ImageFormat::kPng));
}

TEST(RendererTest, OutOfMapPixelsAreMaskedAndFilled) {
  // Two halves of different colours; a tile half off the map's east edge.
  cv::Mat texture(40, 40, CV_8UC3, cv::Scalar(10, 20, 30));
  texture(cv::Rect(20, 0, 20, 40)).setTo(cv::Scalar(110, 120, 130));
  const MapFrame map{40, 40, 1.0};
  const TexturePyramid pyramid(texture);
  // Ground square of side 20 centred on the east edge (e = 20): 10 m inside, 10 m outside.
  const RenderResult mean_fill = RenderNorthUpTile(pyramid, map, {20.0, 0.0}, 20.0, 20);
  EXPECT_DOUBLE_EQ(mean_fill.out_of_map_fraction, 0.5);
  EXPECT_EQ(cv::countNonZero(mean_fill.valid_mask(cv::Rect(0, 0, 10, 20))), 200);
  EXPECT_EQ(cv::countNonZero(mean_fill.valid_mask(cv::Rect(10, 0, 10, 20))), 0);
  // The valid half is all (110, 120, 130), so the fill is exactly that mean.
  EXPECT_EQ(mean_fill.image.at<cv::Vec3b>(5, 15), cv::Vec3b(110, 120, 130));
  RenderOptions black;
  black.out_of_map_fill = OutOfMapFill::kBlack;
  const RenderResult black_fill = RenderNorthUpTile(pyramid, map, {20.0, 0.0}, 20.0, 20, black);
  EXPECT_EQ(black_fill.image.at<cv::Vec3b>(5, 15), cv::Vec3b(0, 0, 0));
  EXPECT_EQ(black_fill.image.at<cv::Vec3b>(5, 5), cv::Vec3b(110, 120, 130));
  // The reference renderer follows the same mask rule.
  const cv::Matx33d h = NorthUpTileImageFromMap(map, {20.0, 0.0}, 20.0, 20);
  const RenderResult ref = RenderSupersampledReference(texture, h, {20, 20}, 4);
  EXPECT_EQ(cv::norm(ref.valid_mask, mean_fill.valid_mask, cv::NORM_INF), 0.0);
  // Mixed valid pixels: fill is the rounded per-channel mean of the valid ones.
  const RenderResult mixed = RenderNorthUpTile(pyramid, map, {0.0, 25.0}, 30.0, 30);
  ASSERT_GT(mixed.out_of_map_fraction, 0.0);
  const cv::Scalar valid_mean = cv::mean(mixed.image, mixed.valid_mask);
  const cv::Vec3b fill = mixed.image.at<cv::Vec3b>(0, 0);
  ASSERT_EQ(mixed.valid_mask.at<uint8_t>(0, 0), 0);
  for (int ch = 0; ch < 3; ++ch) EXPECT_NEAR(fill[ch], valid_mean[ch], 0.5 + 1e-9);
}

TEST(RendererTest, SkyAndBehindTheCameraAreOutOfMap) {
  const cv::Mat texture = MakeBusyTexture(400, 400);
  const MapFrame map{400, 400, 1.0};
  const PinholeCamera cam{64, 64, 50.0};
  // tilt 75 + VFOV/2 25 = 100°: the top rows see sky.
  const CameraPose pose = LookAtPose({0.0, 0.0}, 20.0, 75.0, 0.0);
  const RenderResult view = RenderDroneView(TexturePyramid(texture), map, cam, pose);
  EXPECT_EQ(view.valid_mask.at<uint8_t>(0, 32), 0);
  EXPECT_EQ(view.valid_mask.at<uint8_t>(63, 32), 255);
  EXPECT_GT(view.out_of_map_fraction, 0.0);
  EXPECT_FALSE(CheckDroneView(map, cam, pose).valid);
}

TEST(RendererTest, RejectsBadInput) {
  const TexturePyramid pyramid(MakeBusyTexture(20, 20));
  EXPECT_THROW(RenderImageFromMap(pyramid, cv::Matx33d::zeros(), {10, 10}), InvalidArgumentError);
  EXPECT_THROW(RenderImageFromMap(pyramid, cv::Matx33d::eye(), {0, 10}), InvalidArgumentError);
  RenderOptions bad;
  bad.lod_bias = 5.0;
  EXPECT_THROW(RenderImageFromMap(pyramid, cv::Matx33d::eye(), {10, 10}, bad),
               InvalidArgumentError);
  EXPECT_THROW(RenderDroneView(pyramid, MapFrame{21, 20, 1.0}, PinholeCamera{}, CameraPose{}),
               InvalidArgumentError);
}

// Speed on a realistic job: a 512×512 oblique view of a 1024² texture (printed, loosely bounded).
TEST(RendererTest, RendersA512ObliqueViewQuickly) {
  const cv::Mat texture = MakeBusyTexture(1024, 1024);
  const MapFrame map{1024, 1024, 0.98};
  const auto t0 = std::chrono::steady_clock::now();
  const TexturePyramid pyramid(texture);
  const auto t1 = std::chrono::steady_clock::now();
  const PinholeCamera cam{512, 512, 50.0};
  const CameraPose pose = LookAtPose({0.0, 0.0}, 256.0, 30.0, 40.0);
  RenderOptions one_thread;
  one_thread.num_threads = 1;
  const RenderResult view = RenderDroneView(pyramid, map, cam, pose, one_thread);
  const auto t2 = std::chrono::steady_clock::now();
  RenderDroneView(pyramid, map, cam, pose);
  const auto t3 = std::chrono::steady_clock::now();
  // A 768 × 768 search map over 900 m (s ≈ 1.2: 2 × 2 probes per pixel), one thread.
  const RenderResult tile = RenderNorthUpTile(pyramid, map, {0.0, 0.0}, 900.0, 768, one_thread);
  const auto t4 = std::chrono::steady_clock::now();
  const auto ms = [](auto a, auto b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
  };
  std::cout << "[ measure  ] pyramid 1024x1024: " << ms(t0, t1)
            << " ms; 512x512 oblique view: " << ms(t1, t2) << " ms (1 thread), " << ms(t2, t3)
            << " ms (all cores); 768x768 tile: " << ms(t3, t4) << " ms (1 thread)\n";
  EXPECT_EQ(tile.out_of_map_fraction, 0.0);
  EXPECT_EQ(view.out_of_map_fraction, 0.0);
  EXPECT_LT(ms(t1, t2), 5000.0);
}

}  // namespace
}  // namespace crossview::data

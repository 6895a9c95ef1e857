#include "crossview/data/texture_pyramid.h"

#include <gtest/gtest.h>

#include "crossview/data/test_images.h"
#include "crossview/util/errors.h"

namespace crossview::data {
namespace {

TEST(TexturePyramidTest, OddSizesHalveWithCeiling) {
  const TexturePyramid pyramid(testing::MakeBusyTexture(97, 61));
  const int expected[][2] = {{97, 61}, {49, 31}, {25, 16}, {13, 8}, {7, 4}, {4, 2}, {2, 1}, {1, 1}};
  ASSERT_EQ(pyramid.num_levels(), 8);
  for (int k = 0; k < 8; ++k) {
    EXPECT_EQ(pyramid.level(k).cols, expected[k][0]) << "level " << k;
    EXPECT_EQ(pyramid.level(k).rows, expected[k][1]) << "level " << k;
    EXPECT_EQ(pyramid.level(k).type(), CV_32FC3);
  }
  EXPECT_THROW(TexturePyramid(cv::Mat()), InvalidArgumentError);
  EXPECT_THROW(TexturePyramid(cv::Mat(4, 4, CV_8UC1)), InvalidArgumentError);
}

TEST(TexturePyramidTest, DownsampleIsAreaMeanWithEdgeReplicate) {
  // 3×3, one channel pattern repeated on all channels: values 0..8 row-major.
  cv::Mat level(3, 3, CV_32FC3);
  for (int i = 0; i < 9; ++i) level.at<cv::Vec3f>(i / 3, i % 3) = cv::Vec3f::all(float(i));
  const cv::Mat half = DownsampleAreaByTwo(level);
  ASSERT_EQ(half.size(), cv::Size(2, 2));
  EXPECT_FLOAT_EQ(half.at<cv::Vec3f>(0, 0)[0], (0 + 1 + 3 + 4) / 4.0f);
  EXPECT_FLOAT_EQ(half.at<cv::Vec3f>(0, 1)[1], (2 + 2 + 5 + 5) / 4.0f);  // last column replicated
  EXPECT_FLOAT_EQ(half.at<cv::Vec3f>(1, 0)[2], (6 + 7 + 6 + 7) / 4.0f);  // last row replicated
  EXPECT_FLOAT_EQ(half.at<cv::Vec3f>(1, 1)[0], 8.0f);
}

TEST(TexturePyramidTest, MeanIsPreservedForPowerOfTwoSizes) {
  const TexturePyramid pyramid(testing::MakeBusyTexture(64, 32));
  const cv::Scalar m0 = cv::mean(pyramid.level(0));
  for (int k = 1; k < pyramid.num_levels(); ++k) {
    const cv::Scalar mk = cv::mean(pyramid.level(k));
    for (int ch = 0; ch < 3; ++ch) EXPECT_NEAR(mk[ch], m0[ch], 1e-3) << "level " << k;
  }
}

TEST(TexturePyramidTest, BilinearAndTrilinearSampleExactly) {
  const cv::Mat texture = testing::MakeBusyTexture(16, 12);
  const TexturePyramid pyramid(texture);
  float rgb[3];
  // Pixel centres give the pixel values.
  pyramid.SampleBilinear(0, 5.5, 3.5, rgb);
  for (int ch = 0; ch < 3; ++ch) EXPECT_FLOAT_EQ(rgb[ch], texture.at<cv::Vec3b>(3, 5)[ch]);
  // A corner shared by four pixels gives their mean.
  pyramid.SampleBilinear(0, 6.0, 4.0, rgb);
  for (int ch = 0; ch < 3; ++ch) {
    const float mean = (texture.at<cv::Vec3b>(3, 5)[ch] + texture.at<cv::Vec3b>(3, 6)[ch] +
                        texture.at<cv::Vec3b>(4, 5)[ch] + texture.at<cv::Vec3b>(4, 6)[ch]) /
                       4.0f;
    EXPECT_NEAR(rgb[ch], mean, 1e-4);
  }
  // Level 1 at the centre of its pixel (2, 1) (level-0 position (5, 3)) is the 2×2 mean, which
  // equals the level-0 bilinear sample at that corner.
  pyramid.SampleBilinear(1, 5.0, 3.0, rgb);
  float fine[3];
  pyramid.SampleBilinear(0, 5.0, 3.0, fine);
  for (int ch = 0; ch < 3; ++ch) EXPECT_NEAR(rgb[ch], fine[ch], 1e-4);
  // Edge clamp: outside positions take the border value.
  pyramid.SampleBilinear(0, -3.0, 0.2, rgb);
  for (int ch = 0; ch < 3; ++ch) EXPECT_FLOAT_EQ(rgb[ch], texture.at<cv::Vec3b>(0, 0)[ch]);
  // Trilinear at lod 1.25 blends levels 1 and 2 with weights 0.75 / 0.25.
  float l1[3], l2[3], tri[3];
  pyramid.SampleBilinear(1, 7.3, 4.1, l1);
  pyramid.SampleBilinear(2, 7.3, 4.1, l2);
  pyramid.SampleTrilinear(1.25, 7.3, 4.1, tri);
  for (int ch = 0; ch < 3; ++ch) EXPECT_NEAR(tri[ch], 0.75f * l1[ch] + 0.25f * l2[ch], 1e-4);
  // lod ≤ 0 is level 0; lod past the top is the 1×1 level (the mean).
  pyramid.SampleTrilinear(-2.0, 5.5, 3.5, tri);
  for (int ch = 0; ch < 3; ++ch) EXPECT_FLOAT_EQ(tri[ch], texture.at<cv::Vec3b>(3, 5)[ch]);
  pyramid.SampleTrilinear(50.0, 1.0, 1.0, tri);
  const cv::Vec3f top = pyramid.level(pyramid.num_levels() - 1).at<cv::Vec3f>(0, 0);
  for (int ch = 0; ch < 3; ++ch) EXPECT_FLOAT_EQ(tri[ch], top[ch]);
}

}  // namespace
}  // namespace crossview::data

#include "crossview/data/occlusion.h"

#include <gtest/gtest.h>

#include "crossview/data/test_images.h"
#include "crossview/util/errors.h"

namespace crossview::data {
namespace {

TEST(OcclusionTest, RandomErasingCoversTheDrawnShareWithTheMean) {
  const cv::Mat image = testing::MakeBusyTexture(97, 61);
  const cv::Scalar mean = cv::mean(image);
  OcclusionOptions options;
  Rng rng(1);
  for (int i = 0; i < 100; ++i) {
    const OcclusionResult r = ApplyRandomErasing(image, options, rng);
    // Coverage within the drawn range up to rounding of the rectangle sides.
    EXPECT_GE(r.coverage, 0.02 - 0.01);
    EXPECT_LE(r.coverage, 0.20 + 0.01);
    const int changed_area = cv::countNonZero(r.alpha);
    EXPECT_NEAR(changed_area, r.coverage * image.total(), 1e-6);
    // Outside the rectangle nothing changed; inside, the rounded mean.
    int changed_outside = 0;
    for (int y = 0; y < image.rows; ++y) {
      for (int x = 0; x < image.cols; ++x) {
        if (r.alpha.at<float>(y, x) == 0.0f &&
            r.image.at<cv::Vec3b>(y, x) != image.at<cv::Vec3b>(y, x)) {
          ++changed_outside;
        }
      }
    }
    EXPECT_EQ(changed_outside, 0);
    cv::Point inside;
    cv::minMaxLoc(r.alpha, nullptr, nullptr, nullptr, &inside);
    const cv::Vec3b fill = r.image.at<cv::Vec3b>(inside);
    for (int ch = 0; ch < 3; ++ch) EXPECT_NEAR(fill[ch], mean[ch], 0.5 + 1e-9);
  }
  // Seeded: same stream, same result.
  Rng a(5), b(5);
  EXPECT_EQ(cv::norm(ApplyRandomErasing(image, options, a).image,
                     ApplyRandomErasing(image, options, b).image, cv::NORM_INF),
            0.0);
}

TEST(OcclusionTest, CloudsHitTheDrawnCoverageWithSoftEdges) {
  const cv::Mat image(128, 160, CV_8UC3, cv::Scalar(40, 80, 60));
  OcclusionOptions options;
  options.cloud_coverage = {0.15, 0.15};
  Rng rng(3);
  const OcclusionResult r = ApplyClouds(image, options, rng);
  EXPECT_NEAR(r.coverage, 0.15, 0.005);
  double lo = 0.0, hi = 0.0;
  cv::minMaxLoc(r.alpha, &lo, &hi);
  EXPECT_EQ(lo, 0.0);
  EXPECT_LE(hi, 0.9 + 1e-6);
  EXPECT_GT(hi, 0.5);
  // Soft edges: some covered pixels are only partly occluded.
  const cv::Mat partial = (r.alpha > 0.0f) & (r.alpha < 0.45f);
  EXPECT_GT(cv::countNonZero(partial), 0);
  // Occluded pixels move towards the cloud colour; clear ones are untouched.
  cv::Point densest;
  cv::minMaxLoc(r.alpha, nullptr, nullptr, nullptr, &densest);
  EXPECT_GT(r.image.at<cv::Vec3b>(densest)[0], 200);
  cv::Point clear;
  cv::minMaxLoc(r.alpha, nullptr, nullptr, &clear, nullptr);
  EXPECT_EQ(r.image.at<cv::Vec3b>(clear), cv::Vec3b(40, 80, 60));
  // Zero coverage leaves the image alone.
  options.cloud_coverage = {0.0, 0.0};
  const OcclusionResult none = ApplyClouds(image, options, rng);
  EXPECT_EQ(none.coverage, 0.0);
  EXPECT_EQ(cv::norm(none.image, image, cv::NORM_INF), 0.0);
}

TEST(OcclusionTest, ValueNoiseIsSeededAndBounded) {
  Rng a(8), b(8), c(9);
  const cv::Mat na = ValueNoise({57, 33}, 4, 3, a);
  const cv::Mat nb = ValueNoise({57, 33}, 4, 3, b);
  EXPECT_EQ(cv::norm(na, nb, cv::NORM_INF), 0.0);
  EXPECT_GT(cv::norm(na, ValueNoise({57, 33}, 4, 3, c), cv::NORM_INF), 0.0);
  double lo = 0.0, hi = 0.0;
  cv::minMaxLoc(na, &lo, &hi);
  EXPECT_GE(lo, 0.0);
  EXPECT_LE(hi, 1.0);
  OcclusionOptions bad;
  bad.cloud_alpha_max = 1.5;
  EXPECT_THROW(bad.Check(), InvalidArgumentError);
  EXPECT_THROW(ValueNoise({0, 10}, 1, 1, a), InvalidArgumentError);
}

}  // namespace
}  // namespace crossview::data

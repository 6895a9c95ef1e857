#include "crossview/transforms/drl_augment.h"

#include <gtest/gtest.h>

#include "crossview/util/errors.h"

namespace crossview::transforms {
namespace {

cv::Mat Satellite(int side) {
  cv::Mat m(side, side, CV_8UC3);
  for (int r = 0; r < side; ++r)
    for (int c = 0; c < side; ++c) m.at<cv::Vec3b>(r, c) = cv::Vec3b(r % 256, c % 256, (r + c) % 256);
  return m;
}

TEST(RandomScaleCropTest, LabelPointsAtTheUavAndSizesAreEven) {
  cv::Mat sat = Satellite(1280);
  RandomScaleCropOptions o;
  Rng rng(666);
  for (int i = 0; i < 200; ++i) {
    ScaleCropResult r = RandomScaleCrop(sat, o, rng);
    ASSERT_EQ(r.map_size % 2, 0);
    ASSERT_GE(r.map_size, 512);
    ASSERT_LE(r.map_size, 998);
    ASSERT_EQ(r.crop.rows, r.map_size);
    // The UAV (640, 640) sits at rate·m inside the crop and within the central C-fraction.
    int ur = static_cast<int>(std::lround(r.rate_row * r.map_size)), uc = static_cast<int>(std::lround(r.rate_col * r.map_size));
    ASSERT_GE(r.rate_row, 0.5 - 0.425 - 1e-9);
    ASSERT_LE(r.rate_row, 0.5 + 0.425 + 1e-9);
    if (r.pad_top == 0 && r.pad_left == 0 && ur < r.map_size && uc < r.map_size) {
      // Where no padding shifted the content, the crop pixel at the label is the UAV's pixel.
      EXPECT_EQ(r.crop.at<cv::Vec3b>(ur, uc), sat.at<cv::Vec3b>(640, 640));
    }
  }
}

TEST(RandomScaleCropTest, PaddingUsesTheMeanColourOfTheInImagePart) {
  cv::Mat sat(100, 100, CV_8UC3, cv::Scalar(10, 20, 30));
  RandomScaleCropOptions o;
  o.scale_type = "ss";
  o.min_size = 160;  // larger than the image: always padded
  Rng rng(1);
  ScaleCropResult r = RandomScaleCrop(sat, o, rng);
  EXPECT_EQ(r.crop.rows, 160);
  EXPECT_GT(r.pad_top + r.pad_bottom, 0);
  EXPECT_EQ(r.crop.at<cv::Vec3b>(0, 0), cv::Vec3b(10, 20, 30));
  o.legacy_bgr = true;
  Rng rng2(1);
  EXPECT_EQ(RandomScaleCrop(sat, o, rng2).crop.at<cv::Vec3b>(80, 80), cv::Vec3b(30, 20, 10));
}

TEST(RandomScaleCropTest, SameSeedSameCropAndOptionsChecked) {
  cv::Mat sat = Satellite(640);
  RandomScaleCropOptions o = RandomScaleCropOptions().Scaled(0.5);
  EXPECT_EQ(o.min_size, 256);
  EXPECT_EQ(o.max_size, 500);
  Rng a(5), b(5);
  ScaleCropResult x = RandomScaleCrop(sat, o, a), y = RandomScaleCrop(sat, o, b);
  EXPECT_EQ(x.map_size, y.map_size);
  EXPECT_EQ(x.centre_row, y.centre_row);
  o.scale_type = "xx";
  EXPECT_THROW(RandomScaleCrop(sat, o, a), InvalidArgumentError);
}

TEST(RandomErasingTest, FillsOneRectangleWithChannelMeans) {
  cv::Mat img(64, 64, CV_8UC3, cv::Scalar(0, 0, 0));
  img(cv::Rect(0, 0, 64, 32)).setTo(cv::Scalar(200, 100, 50));  // channel means 100, 50, 25
  RandomErasingOptions o;
  o.probability = 1.0;
  Rng rng(3);
  cv::Mat before = img.clone();
  ASSERT_TRUE(RandomErasing(img, o, rng));
  cv::Mat diff;
  cv::absdiff(img, before, diff);
  EXPECT_GT(cv::countNonZero(diff.reshape(1)), 0);
  // Every changed pixel holds the fill (100, 50, 25).
  for (int r = 0; r < 64; ++r) {
    for (int c = 0; c < 64; ++c) {
      if (img.at<cv::Vec3b>(r, c) != before.at<cv::Vec3b>(r, c)) {
        ASSERT_EQ(img.at<cv::Vec3b>(r, c), cv::Vec3b(100, 50, 25));
      }
    }
  }
  o.probability = 0.0;
  EXPECT_FALSE(RandomErasing(img, o, rng));
}

}  // namespace
}  // namespace crossview::transforms

#include "crossview/transforms/retrieval_augment.h"

#include <gtest/gtest.h>

#include "crossview/util/errors.h"

namespace crossview::transforms {
namespace {

cv::Mat Ramp(int w, int h) {
  cv::Mat m(h, w, CV_8UC3);
  for (int r = 0; r < h; ++r)
    for (int c = 0; c < w; ++c) m.at<cv::Vec3b>(r, c) = cv::Vec3b(c % 256, r % 256, 7);
  return m;
}

TEST(RetrievalAugmentTest, ShiftPadsMatchSpec) {
  cv::Mat q = Ramp(8, 2);
  cv::Mat black = ShiftQuery(q, 3, ShiftPad::kBlack);
  EXPECT_EQ(black.at<cv::Vec3b>(0, 2), cv::Vec3b(0, 0, 0));
  EXPECT_EQ(black.at<cv::Vec3b>(0, 3), q.at<cv::Vec3b>(0, 0));  // content moved right by p
  EXPECT_EQ(black.at<cv::Vec3b>(1, 7), q.at<cv::Vec3b>(1, 4));  // the rightmost p columns are lost
  cv::Mat flip = ShiftQuery(q, 3, ShiftPad::kFlip);
  EXPECT_EQ(flip.at<cv::Vec3b>(0, 0), q.at<cv::Vec3b>(0, 2));  // mirror of the leftmost p columns
  EXPECT_EQ(flip.at<cv::Vec3b>(0, 2), q.at<cv::Vec3b>(0, 0));
  EXPECT_EQ(cv::norm(ShiftQuery(q, 0, ShiftPad::kBlack), q, cv::NORM_INF), 0.0);
  EXPECT_THROW(ShiftQuery(q, 9, ShiftPad::kBlack), InvalidArgumentError);
}

TEST(RetrievalAugmentTest, RotationIsCounterClockwise) {
  cv::Mat q = cv::Mat::zeros(5, 5, CV_8UC3);
  q.at<cv::Vec3b>(2, 4) = cv::Vec3b(255, 255, 255);  // a dot right of the centre
  cv::Mat r = RotateQuery(q, 90);
  EXPECT_EQ(r.at<cv::Vec3b>(0, 2), cv::Vec3b(255, 255, 255));  // now above the centre
  EXPECT_EQ(cv::countNonZero(r.reshape(1)), 3);
}

TEST(RetrievalAugmentTest, TrainingAugmentationIsSeededAndSized) {
  cv::Mat img = Ramp(300, 200);
  RetrievalAugmentOptions o;
  o.color_jitter = 0.1;
  o.erasing_probability = 0.5;
  Rng a(4), b(4);
  cv::Mat x = AugmentForTraining(img, ImageView::kSatellite, o, a);
  cv::Mat y = AugmentForTraining(img, ImageView::kSatellite, o, b);
  EXPECT_EQ(x.size(), cv::Size(256, 256));
  EXPECT_EQ(cv::norm(x, y, cv::NORM_INF), 0.0);
  cv::Mat d = AugmentForTraining(img, ImageView::kDrone, o, a);
  EXPECT_EQ(d.size(), cv::Size(256, 256));
  o.size = 4;
  EXPECT_THROW(AugmentForTraining(img, ImageView::kDrone, o, a), InvalidArgumentError);
}

TEST(RetrievalAugmentTest, WithoutRandomnessTheCropIsTheResizedImage) {
  cv::Mat img = Ramp(64, 64);
  RetrievalAugmentOptions o;
  o.size = 64;
  o.pad = 0;
  o.flip_probability = 0;
  o.satellite_affine = false;
  Rng rng(1);
  cv::Mat x = AugmentForTraining(img, ImageView::kSatellite, o, rng);
  EXPECT_EQ(cv::norm(x, img, cv::NORM_INF), 0.0);
}

TEST(RetrievalAugmentTest, ColorJitterOfAGreyImageKeepsItGreyUnderSaturation) {
  cv::Mat g(4, 4, CV_8UC3, cv::Scalar(100, 100, 100));
  Rng rng(2);
  cv::Mat j = ColorJitter(g, 0.0, 0.0, 0.5, rng);
  EXPECT_EQ(cv::norm(j, g, cv::NORM_INF), 0.0);
  cv::Mat b = ColorJitter(g, 0.5, 0.0, 0.0, rng);
  cv::Vec3b v = b.at<cv::Vec3b>(0, 0);
  EXPECT_EQ(v[0], v[1]);
  EXPECT_GE(v[0], 50);
  EXPECT_LE(v[0], 150);
}

}  // namespace
}  // namespace crossview::transforms

#include "crossview/eval/heatmap_overlay.h"

#include <gtest/gtest.h>

#include "crossview/util/errors.h"

namespace crossview::eval {
namespace {

TEST(HeatmapOverlayTest, MarksPredictionAndTruthAndColoursTheHeat) {
  cv::Mat map(120, 120, CV_8UC3, cv::Scalar(128, 128, 128));
  cv::Mat prob = cv::Mat::zeros(30, 30, CV_32F);
  prob.at<float>(5, 25) = 1.0f;  // hot near the top right
  PixelRc pred{100, 20}, truth{20, 100};
  cv::Mat out = HeatmapOverlay(map, prob, pred, &truth);
  ASSERT_EQ(out.size(), map.size());
  EXPECT_EQ(out.at<cv::Vec3b>(100, 20), cv::Vec3b(255, 0, 0));  // red cross at the prediction (RGB)
  // The truth circle is green somewhere on its ring.
  bool green = false;
  for (int c = 100; c < 112; ++c) green |= out.at<cv::Vec3b>(20, c) == cv::Vec3b(0, 255, 0);
  EXPECT_TRUE(green);
  // The hot corner is redder than the cold opposite corner.
  EXPECT_GT(out.at<cv::Vec3b>(22, 102)[0], out.at<cv::Vec3b>(60, 10)[0]);
  EXPECT_THROW(HeatmapOverlay(cv::Mat(), prob, pred, nullptr), InvalidArgumentError);
}

}  // namespace
}  // namespace crossview::eval

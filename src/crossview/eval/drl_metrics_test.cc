#include "crossview/eval/drl_metrics.h"

#include <gtest/gtest.h>

#include "crossview/util/errors.h"

namespace crossview::eval {
namespace {

TEST(DrlMetricsTest, HanningKernelMatchesSpecValues) {
  cv::Mat k = HanningKernel(31);
  EXPECT_EQ(k.rows, 31);
  EXPECT_NEAR(cv::sum(k)[0], 1.0, 1e-12);
  EXPECT_NEAR(k.at<double>(15, 15), 1.0 / 256, 1e-15);  // 1-D sum 16 → centre 1/256
  EXPECT_NEAR(k.at<double>(0, 0), k.at<double>(30, 30), 1e-18);
  EXPECT_GT(k.at<double>(0, 0), 0.0);  // the zero end points were dropped
  EXPECT_DOUBLE_EQ(HanningKernel(1).at<double>(0, 0), 1.0);
}

TEST(DrlMetricsTest, PeakIsFirstMaximumAfterSmoothing) {
  cv::Mat p = cv::Mat::zeros(384, 384, CV_32F);
  p.at<float>(100, 200) = 1.0f;
  LocaliseOptions o;
  float peak = 0;
  PixelRc rc = LocalisePeak(p, o, &peak);
  EXPECT_EQ(rc.row, 100);
  EXPECT_EQ(rc.col, 200);
  EXPECT_NEAR(peak, 1.0 / 256, 1e-6);
  // Ties break toward the smallest flat index (nearest-upsampled blocks).
  cv::Mat t = cv::Mat::zeros(384, 384, CV_32F);
  t(cv::Rect(40, 20, 4, 4)).setTo(0.9f);
  o.hanning_size = 1;
  rc = LocalisePeak(t, o);
  EXPECT_EQ(rc.row, 20);
  EXPECT_EQ(rc.col, 40);
  // A 96×96 map is resized to 384 (half-pixel centres): a one-pixel peak at (10, 20) lands near (41.5, 81.5).
  cv::Mat s = cv::Mat::zeros(96, 96, CV_32F);
  s.at<float>(10, 20) = 1.0f;
  rc = LocalisePeak(s, o);
  EXPECT_NEAR(rc.row, 41, 1);
  EXPECT_NEAR(rc.col, 81, 1);
  EXPECT_THROW(LocalisePeak(cv::Mat(), o), InvalidArgumentError);
}

TEST(DrlMetricsTest, GeoConversionAndDistanceFollowTheConventions) {
  SearchMapCorners m{-29.70124889069581, 40.00181235108571, -29.697730888735784, 39.99911740523335};
  double lon, lat;
  LonLatFromPixel(m, {0, 0}, 384, &lon, &lat);
  EXPECT_DOUBLE_EQ(lon, m.tl_e);  // no half-pixel offset
  EXPECT_DOUBLE_EQ(lat, m.tl_n);
  LonLatFromPixel(m, {384, 384}, 384, &lon, &lat);
  EXPECT_NEAR(lon, m.br_e, 1e-15);
  EXPECT_NEAR(lat, m.br_n, 1e-15);
  // One degree of latitude on R = 6378.137 km.
  EXPECT_NEAR(DrlHaversineM(41.0, 10.0, 40.0, 10.0), 6378137.0 * M_PI / 180.0, 1e-6);
}

TEST(DrlMetricsTest, RdsSanityValues) {
  EXPECT_NEAR(RelativeDistanceScore({101, 100}, {100, 100}), 0.9818, 1e-4);
  EXPECT_NEAR(RelativeDistanceScore({100 + 38, 100 + 38}, {100, 100}, 380), std::exp(-1.0), 1e-9);
  EXPECT_DOUBLE_EQ(RelativeDistanceScore({5, 5}, {5, 5}), 1.0);
  PixelRc t = RdsTruthFromLabel(230, 499);
  EXPECT_EQ(t.row, 115);
  EXPECT_EQ(t.col, 249);  // 249.5 truncated
  EXPECT_DOUBLE_EQ(Sdm1(1.0, 2.0, 1.0, 2.0), 1.0);
}

TEST(DrlMetricsTest, SummaryAndBreakdowns) {
  std::vector<DrlSample> s = {{2.0, 0.9, 0, 700, 0.1, 80}, {5.0, 0.5, 0, 700, 0.5, 90},
                              {20.0, 0.2, 0, 1800, 1.2, 100}, {150.0, 0.0, 0, 1800, 0.95, 100}};
  DrlMetrics m = SummariseDrl(s);
  EXPECT_EQ(m.n, 4);
  EXPECT_DOUBLE_EQ(m.ma[3], 0.25);
  EXPECT_DOUBLE_EQ(m.ma[5], 0.5);  // ≤ by default
  EXPECT_DOUBLE_EQ(m.ma[20], 0.75);
  EXPECT_DOUBLE_EQ(m.ma[100], 0.75);
  EXPECT_DOUBLE_EQ(m.rds, 0.4);
  EXPECT_DOUBLE_EQ(m.median_error_m, 12.5);
  ASSERT_EQ(m.ma_curve.size(), 100u);
  EXPECT_DOUBLE_EQ(m.ma_curve[4], 0.5);
  DrlMetricOptions strict;
  strict.ma_strict = true;
  EXPECT_DOUBLE_EQ(SummariseDrl(s, strict).ma[5], 0.25);
  auto by_size = BreakdownByMapSize(s);
  EXPECT_EQ(by_size.size(), 2u);
  EXPECT_EQ(by_size["700"].n, 2);
  auto by_dist = BreakdownByDistribution(s);
  EXPECT_EQ(by_dist[">1.0"].n, 1);
  EXPECT_EQ(by_dist["0.8-1.0"].n, 1);
  EXPECT_EQ(DistributionBucket(0.2), "0.2-0.4");
  EXPECT_EQ(BreakdownByAltitude(s)["100"].n, 2);
}

}  // namespace
}  // namespace crossview::eval

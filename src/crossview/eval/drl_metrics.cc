#include "crossview/eval/drl_metrics.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <opencv2/imgproc.hpp>

#include "crossview/util/errors.h"

namespace crossview::eval {

cv::Mat HanningKernel(int r) {
  if (r < 1) throw CV_ERROR(InvalidArgumentError, "Hanning size must be >= 1").With("R", r);
  const int m = r + 2;
  std::vector<double> h(static_cast<size_t>(m));
  for (int n = 0; n < m; ++n) h[static_cast<size_t>(n)] = 0.5 - 0.5 * std::cos(2.0 * M_PI * n / (m - 1));
  double sum1 = 0;
  for (double v : h) sum1 += v;
  cv::Mat k(r, r, CV_64F);
  for (int i = 0; i < r; ++i)
    for (int j = 0; j < r; ++j) k.at<double>(i, j) = h[static_cast<size_t>(i + 1)] * h[static_cast<size_t>(j + 1)] / (sum1 * sum1);
  return k;
}

PixelRc LocalisePeak(const cv::Mat& probability, const LocaliseOptions& options, float* peak) {
  if (probability.empty() || probability.type() != CV_32FC1) {
    throw CV_ERROR(InvalidArgumentError, "heatmap must be a non-empty single-channel float32 map");
  }
  cv::Mat map = probability;
  if (options.hanning_size > 1) {
    // The kernel is an outer product: filter separably with the 1-D normalised window.
    cv::Mat k2 = HanningKernel(options.hanning_size);
    cv::Mat k1(options.hanning_size, 1, CV_64F);
    double s = std::sqrt(k2.at<double>(options.hanning_size / 2, options.hanning_size / 2));
    for (int i = 0; i < options.hanning_size; ++i) k1.at<double>(i) = k2.at<double>(i, options.hanning_size / 2) / s;
    cv::Mat out;
    cv::sepFilter2D(map, out, CV_32F, k1, k1, cv::Point(-1, -1), 0.0, cv::BORDER_REFLECT_101);
    map = out;
  }
  if (map.rows != options.input_size || map.cols != options.input_size) {
    cv::Mat out;
    cv::resize(map, out, cv::Size(options.input_size, options.input_size), 0, 0, cv::INTER_LINEAR);
    map = out;
  }
  // First maximum in row-major order.
  float best = -std::numeric_limits<float>::infinity();
  PixelRc rc;
  for (int r = 0; r < map.rows; ++r) {
    const float* row = map.ptr<float>(r);
    for (int c = 0; c < map.cols; ++c) {
      if (row[c] > best) {
        best = row[c];
        rc = {r, c};
      }
    }
  }
  if (peak != nullptr) *peak = best;
  return rc;
}

void LonLatFromPixel(const SearchMapCorners& m, const PixelRc& rc, int s, double* lon, double* lat) {
  *lon = m.tl_e + (m.br_e - m.tl_e) * rc.col / s;
  *lat = m.tl_n - (m.tl_n - m.br_n) * rc.row / s;
}

double DrlHaversineM(double lat_a, double lon_a, double lat_b, double lon_b) {
  const double d2r = M_PI / 180.0;
  double a = (lat_a - lat_b) * d2r, b = (lon_a - lon_b) * d2r;
  double h = std::sin(a / 2) * std::sin(a / 2) + std::cos(lat_a * d2r) * std::cos(lat_b * d2r) * std::sin(b / 2) * std::sin(b / 2);
  return 6378.137 * 2.0 * std::asin(std::sqrt(h)) * 1000.0;
}

double RelativeDistanceScore(const PixelRc& pred, const PixelRc& gt, int s, double k) {
  double dr = static_cast<double>(pred.row - gt.row) / s, dc = static_cast<double>(pred.col - gt.col) / s;
  return std::exp(-k * std::sqrt((dr * dr + dc * dc) / 2.0));
}

PixelRc RdsTruthFromLabel(int label_row, int label_col, int stored, int s) {
  return {static_cast<int>(std::trunc(static_cast<double>(label_row) * s / stored)),
          static_cast<int>(std::trunc(static_cast<double>(label_col) * s / stored))};
}

double Sdm1(double pred_lon, double pred_lat, double gt_lon, double gt_lat) {
  return std::exp(-5000.0 * std::hypot(pred_lon - gt_lon, pred_lat - gt_lat));
}

DrlMetrics SummariseDrl(const std::vector<DrlSample>& samples, const DrlMetricOptions& options) {
  DrlMetrics m;
  m.n = static_cast<int64_t>(samples.size());
  m.ma_strict = options.ma_strict;
  if (samples.empty()) return m;
  auto within = [&](double e, double k) { return options.ma_strict ? e < k : e <= k; };
  std::vector<double> errors;
  for (const auto& s : samples) {
    errors.push_back(s.meter_error);
    m.rds += s.rds;
    m.sdm += s.sdm;
    m.mean_error_m += s.meter_error;
  }
  const double n = static_cast<double>(samples.size());
  m.rds /= n;
  m.sdm /= n;
  m.mean_error_m /= n;
  std::sort(errors.begin(), errors.end());
  m.median_error_m = errors.size() % 2 ? errors[errors.size() / 2]
                                        : 0.5 * (errors[errors.size() / 2 - 1] + errors[errors.size() / 2]);
  auto ma = [&](double k) {
    return static_cast<double>(std::count_if(errors.begin(), errors.end(), [&](double e) { return within(e, k); })) / n;
  };
  for (int k : options.ks) m.ma[k] = ma(k);
  for (int k = 1; k <= 100; ++k) m.ma_curve.push_back(ma(k));
  return m;
}

std::string DistributionBucket(double rho) {
  static const char* kNames[] = {"0.0-0.2", "0.2-0.4", "0.4-0.6", "0.6-0.8", "0.8-1.0", ">1.0"};
  int b = std::min(5, std::max(0, static_cast<int>(std::floor(5.0 * rho))));
  return kNames[b];
}

namespace {
std::map<std::string, DrlMetrics> Breakdown(const std::vector<DrlSample>& samples, const DrlMetricOptions& options,
                                            const std::function<std::string(const DrlSample&)>& key) {
  std::map<std::string, std::vector<DrlSample>> groups;
  for (const auto& s : samples) groups[key(s)].push_back(s);
  std::map<std::string, DrlMetrics> out;
  for (const auto& [k, g] : groups) out[k] = SummariseDrl(g, options);
  return out;
}
}  // namespace

std::map<std::string, DrlMetrics> BreakdownByMapSize(const std::vector<DrlSample>& s, const DrlMetricOptions& o) {
  return Breakdown(s, o, [](const DrlSample& x) { return std::to_string(x.map_size); });
}
std::map<std::string, DrlMetrics> BreakdownByDistribution(const std::vector<DrlSample>& s, const DrlMetricOptions& o) {
  return Breakdown(s, o, [](const DrlSample& x) { return DistributionBucket(x.rho); });
}
std::map<std::string, DrlMetrics> BreakdownByAltitude(const std::vector<DrlSample>& s, const DrlMetricOptions& o) {
  return Breakdown(s, o, [](const DrlSample& x) { return std::to_string(x.altitude_m); });
}

}  // namespace crossview::eval

// DRL post-processing and metrics (spec drl.md §8): Hanning smoothing of the probability map,
// first-maximum argmax, pixel → lon/lat through the search map's corners, haversine metres, MA@K,
// RDS, SDM and the per map size / query distribution / altitude breakdowns. Torch-free: heatmaps
// are float32 cv::Mat (probabilities, after the caller's sigmoid).
#pragma once

#include <opencv2/core.hpp>

#include <map>
#include <string>
#include <vector>

namespace crossview::eval {

// The exact R×R Hanning kernel of §8.2 (symmetric Hann of M = R + 2 points, outer product,
// normalised, zero border dropped). R = 1 gives [[1]].
cv::Mat HanningKernel(int r);

// A (row, col) position in the network's satellite input space (S × S).
struct PixelRc {
  int row = 0;
  int col = 0;
};

struct LocaliseOptions {
  int hanning_size = 31;  // R_filter; ≤ 1 skips smoothing
  int input_size = 384;   // S: the map is bilinearly resized to S×S when its size differs
};

// §8.1 steps 2–4: smooth at the output resolution (reflect-101 borders), resize to S×S (OpenCV
// bilinear, half-pixel centres), take the FIRST maximum in row-major order. Returns the peak
// position and writes the post-filter peak value to *peak if given.
PixelRc LocalisePeak(const cv::Mat& probability, const LocaliseOptions& options = {}, float* peak = nullptr);

// A search map's corners: lon/lat of the top-left and bottom-right corners (tl_E, tl_N, br_E, br_N).
struct SearchMapCorners {
  double tl_e = 0, tl_n = 0, br_e = 0, br_n = 0;
};
// §1.2: E = tl_E + (br_E − tl_E)·c/S, N = tl_N − (tl_N − br_N)·r/S (no half-pixel offset).
void LonLatFromPixel(const SearchMapCorners& corners, const PixelRc& rc, int input_size, double* lon_deg, double* lat_deg);

// §8.4: haversine on R = 6378.137 km, degrees in, metres out.
double DrlHaversineM(double lat_a, double lon_a, double lat_b, double lon_b);

// §8.6 per sample: exp(−k·√((dr² + dc²)/2)) with dr, dc as fractions of S.
double RelativeDistanceScore(const PixelRc& pred, const PixelRc& gt, int input_size = 384, double k = 10.0);
// §8.3: the RDS pixel truth from the stored label: trunc(label·S/stored).
PixelRc RdsTruthFromLabel(int label_row, int label_col, int stored_size = 768, int input_size = 384);
// §8.7 SDM@1 = exp(−5000·‖ΔE, ΔN‖) in degrees (double precision).
double Sdm1(double pred_lon, double pred_lat, double gt_lon, double gt_lat);

struct DrlSample {
  double meter_error = 0;
  double rds = 0;
  double sdm = 0;
  int map_size = 0;          // for the per-size breakdown
  double rho = 0;            // √(cdX² + cdY²), for the query-distribution breakdown
  int altitude_m = 0;
};

struct DrlMetrics {
  int64_t n = 0;
  std::map<int, double> ma;  // K → MA@K
  std::vector<double> ma_curve;  // MA@1 … MA@100
  double rds = 0, sdm = 0, mean_error_m = 0, median_error_m = 0;
  bool ma_strict = false;
};

struct DrlMetricOptions {
  std::vector<int> ks = {1, 3, 5, 10, 20, 30, 50, 100};
  bool ma_strict = false;  // `<` instead of the code's `≤`
};

DrlMetrics SummariseDrl(const std::vector<DrlSample>& samples, const DrlMetricOptions& options = {});

// Breakdowns of §8.7: by map size, by query-distribution bucket ("0.0-0.2" … "0.8-1.0", ">1.0"),
// by altitude.
std::map<std::string, DrlMetrics> BreakdownByMapSize(const std::vector<DrlSample>& samples, const DrlMetricOptions& options = {});
std::map<std::string, DrlMetrics> BreakdownByDistribution(const std::vector<DrlSample>& samples, const DrlMetricOptions& options = {});
std::map<std::string, DrlMetrics> BreakdownByAltitude(const std::vector<DrlSample>& samples, const DrlMetricOptions& options = {});
std::string DistributionBucket(double rho);

}  // namespace crossview::eval

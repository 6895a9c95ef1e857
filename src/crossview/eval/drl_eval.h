// Evaluating a DRL model on a UL14-layout test set (spec drl.md §8): PIL-bicubic test resize,
// no normalisation, sigmoid → Hanning → first-max argmax → lon/lat through the map corners,
// haversine metres against GPS_info "UAV", RDS against the stored label, SDM, breakdowns, and
// the per-sample predictions in the reference's JSON keys.
#pragma once

#include <c10/core/Device.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crossview/datasets/ul14.h"
#include "crossview/eval/drl_metrics.h"
#include "crossview/models/drl/drl_net.h"

namespace crossview::eval {

struct DrlEvalOptions {
  int uav_size = 128;
  int satellite_size = 384;
  int hanning_size = 31;  // R_filter (= training R)
  int stored_size = 768;  // side of the stored search maps (labels are in this space)
  int batch = 4;
  int64_t max_samples = 0;  // 0 = all UAV images
  c10::Device device{c10::kCPU};
  std::string progress_label;
  DrlMetricOptions metrics;
  std::string heatmap_dir;  // when set, heatmap overlay PNGs of the first `heatmap_count` pairs
  int heatmap_count = 12;
};

struct DrlEvalResult {
  std::vector<DrlSample> samples;
  nlohmann::json predictions = nlohmann::json::array();  // one object per (UAV, search map)
  DrlMetrics total;
  double seconds = 0;
};

DrlEvalResult EvaluateDrl(models::drl::DrlNet& net, const std::vector<datasets::Ul14TestSample>& test, const DrlEvalOptions& options);

// {"n", "MA@K"..., "RDS", "SDM@1", "mean_error_m", "median_error_m", "ma_strict", breakdowns}
nlohmann::json DrlReport(const DrlEvalResult& r, const DrlEvalOptions& options);
std::string FormatDrl(const DrlMetrics& m);

}  // namespace crossview::eval

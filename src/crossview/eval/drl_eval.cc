#include "crossview/eval/drl_eval.h"

#include <torch/torch.h>

#include <chrono>
#include <iomanip>
#include <sstream>

#include "crossview/data/image_io.h"
#include "crossview/eval/heatmap_overlay.h"
#include "crossview/models/image_tensor.h"
#include "crossview/transforms/resize.h"
#include "crossview/util/errors.h"
#include "crossview/util/progress.h"

namespace crossview::eval {

namespace {
cv::Mat LoadResized(const std::filesystem::path& p, int size) {
  return transforms::PilResize(data::LoadImageRgb(p), cv::Size(size, size), transforms::PilFilter::kBicubic);
}
nlohmann::json MetricsJson(const DrlMetrics& m) {
  nlohmann::json j = {{"n", m.n}, {"RDS", m.rds}, {"SDM@1", m.sdm}, {"mean_error_m", m.mean_error_m}, {"median_error_m", m.median_error_m}};
  for (const auto& [k, v] : m.ma) j["MA@" + std::to_string(k)] = v;
  return j;
}
}  // namespace

DrlEvalResult EvaluateDrl(models::drl::DrlNet& net, const std::vector<datasets::Ul14TestSample>& test, const DrlEvalOptions& o) {
  if (test.empty()) throw CV_ERROR(InvalidArgumentError, "no DRL test samples").Hint("check the UL14 test folder");
  const auto t0 = std::chrono::steady_clock::now();
  const bool was_training = net->is_training();
  net->eval();
  net->to(o.device);
  torch::NoGradGuard ng;
  DrlEvalResult r;
  size_t n = o.max_samples > 0 ? std::min<size_t>(test.size(), static_cast<size_t>(o.max_samples)) : test.size();
  ProgressBar::Options po;
  po.enabled_auto = !o.progress_label.empty();
  ProgressBar bar(static_cast<int64_t>(n), o.progress_label, po);
  for (size_t i = 0; i < n; ++i) {
    const datasets::Ul14TestSample& s = test[i];
    cv::Mat uav = LoadResized(s.uav_image, o.uav_size);
    for (size_t m0 = 0; m0 < s.maps.size(); m0 += static_cast<size_t>(o.batch)) {
      size_t m1 = std::min(s.maps.size(), m0 + static_cast<size_t>(o.batch));
      std::vector<cv::Mat> sats, uavs;
      for (size_t m = m0; m < m1; ++m) {
        sats.push_back(LoadResized(s.maps[m].path, o.satellite_size));
        uavs.push_back(uav);
      }
      torch::Tensor xu = models::ImagesToTensor(uavs, models::Normalization::None()).to(o.device);
      torch::Tensor xs = models::ImagesToTensor(sats, models::Normalization::None()).to(o.device);
      torch::Tensor prob = torch::sigmoid(net->forward(xu, xs).logits).to(torch::kCPU);
      for (size_t m = m0; m < m1; ++m) {
        const datasets::Ul14SearchMapRecord& map = s.maps[m];
        LocaliseOptions lo;
        lo.hanning_size = o.hanning_size;
        lo.input_size = o.satellite_size;
        float peak = 0;
        PixelRc pred = LocalisePeak(models::TensorToFloatMap(prob[static_cast<int64_t>(m - m0)]), lo, &peak);
        SearchMapCorners c{map.gps.tl_e_deg, map.gps.tl_n_deg, map.gps.br_e_deg, map.gps.br_n_deg};
        double lon, lat;
        LonLatFromPixel(c, pred, o.satellite_size, &lon, &lat);
        DrlSample d;
        d.meter_error = DrlHaversineM(lat, lon, s.uav_lat_lon.lat_deg, s.uav_lat_lon.lon_deg);
        PixelRc gt = RdsTruthFromLabel(map.label.row, map.label.col, o.stored_size, o.satellite_size);
        d.rds = RelativeDistanceScore(pred, gt, o.satellite_size);
        d.sdm = Sdm1(lon, lat, s.uav_lat_lon.lon_deg, s.uav_lat_lon.lat_deg);
        d.map_size = map.gps.map_size;
        d.rho = std::hypot(map.gps.center_distribute_x, map.gps.center_distribute_y);
        d.altitude_m = s.name.height_m;
        r.samples.push_back(d);
        if (!o.heatmap_dir.empty() && static_cast<int>(r.samples.size()) <= o.heatmap_count) {
          PixelRc truth = RdsTruthFromLabel(map.label.row, map.label.col, o.stored_size, o.satellite_size);
          cv::Mat pic = HeatmapOverlay(sats[m - m0], models::TensorToFloatMap(prob[static_cast<int64_t>(m - m0)]), pred, &truth);
          data::SaveImage(std::filesystem::path(o.heatmap_dir) / (s.folder + "_" + std::filesystem::path(map.name).stem().string() + ".png"), pic);
        }
        r.predictions.push_back({{"GT_GPS", {s.uav_lat_lon.lon_deg, s.uav_lat_lon.lat_deg}},
                                 {"Pred_GPS", {lon, lat}},
                                 {"UAV_filename", s.uav_image.string()},
                                 {"Satellite_filename", map.path.string()},
                                 {"mapsize", map.gps.map_size},
                                 {"drone_in_satellite_relative_position", {map.gps.center_distribute_x, map.gps.center_distribute_y}},
                                 {"Satellite_GPS_info", {c.tl_e, c.tl_n, c.br_e, c.br_n}},
                                 {"pred_rc", {pred.row, pred.col}},
                                 {"gt_rc", {gt.row, gt.col}},
                                 {"meter_error", d.meter_error},
                                 {"RDS", d.rds},
                                 {"peak_prob", peak},
                                 {"altitude_m", d.altitude_m}});
      }
    }
    bar.Add(1);
  }
  bar.Finish();
  if (was_training) net->train();
  r.total = SummariseDrl(r.samples, o.metrics);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

nlohmann::json DrlReport(const DrlEvalResult& r, const DrlEvalOptions& o) {
  nlohmann::json j = MetricsJson(r.total);
  j["ma_strict"] = r.total.ma_strict;
  j["hanning_size"] = o.hanning_size;
  j["uav_size"] = o.uav_size;
  j["satellite_size"] = o.satellite_size;
  j["channel_order"] = "RGB";
  j["seconds"] = r.seconds;
  j["seconds_per_pair"] = r.samples.empty() ? 0.0 : r.seconds / static_cast<double>(r.samples.size());
  j["ma_curve"] = r.total.ma_curve;
  for (const auto& [name, fn] : std::vector<std::pair<std::string, std::map<std::string, DrlMetrics> (*)(const std::vector<DrlSample>&, const DrlMetricOptions&)>>{
           {"by_map_size", &BreakdownByMapSize}, {"by_distribution", &BreakdownByDistribution}, {"by_altitude", &BreakdownByAltitude}}) {
    nlohmann::json b = nlohmann::json::object();
    for (const auto& [k, m] : fn(r.samples, o.metrics)) b[k] = MetricsJson(m);
    j[name] = b;
  }
  return j;
}

std::string FormatDrl(const DrlMetrics& m) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(3) << "RDS " << m.rds;
  for (int k : {5, 10, 20, 50}) {
    auto it = m.ma.find(k);
    if (it != m.ma.end()) os << "  MA@" << k << " " << it->second;
  }
  os << std::setprecision(1) << "  median " << m.median_error_m << " m  (" << m.n << " pairs)";
  return os.str();
}

}  // namespace crossview::eval

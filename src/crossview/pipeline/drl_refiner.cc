#include "crossview/pipeline/drl_refiner.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "crossview/convert/import.h"
#include "crossview/data/image_io.h"
#include "crossview/eval/heatmap_overlay.h"
#include "crossview/models/image_tensor.h"
#include "crossview/runtime/device.h"
#include "crossview/transforms/resize.h"
#include "crossview/util/errors.h"
#include "crossview/util/sha256.h"

namespace crossview::pipeline {

void RefineOptions::Check() const {
  if (!(window_m >= 0.0) || !std::isfinite(window_m)) throw CV_ERROR(InvalidArgumentError, "refine window_m must be >= 0").With("window_m", window_m);
  if (candidates < 1) throw CV_ERROR(InvalidArgumentError, "refine candidates must be at least 1").With("candidates", candidates);
  if (hanning_size < 0) throw CV_ERROR(InvalidArgumentError, "hanning_size must be >= 0").With("hanning_size", hanning_size);
}

geo::PixelWindow SearchWindowAround(int map_w, int map_h, geo::PixelColRow centre, int side_w, int side_h) {
  if (map_w < 1 || map_h < 1 || side_w < 1 || side_h < 1) {
    throw CV_ERROR(InvalidArgumentError, "search window and map sizes must be positive").With("side_w", side_w).With("side_h", side_h);
  }
  const int w = std::min(side_w, map_w), h = std::min(side_h, map_h);
  const int col = std::clamp(static_cast<int>(std::lround(centre.col - w / 2.0)), 0, map_w - w);
  const int row = std::clamp(static_cast<int>(std::lround(centre.row - h / 2.0)), 0, map_h - h);
  return {col, row, w, h};
}

geo::PixelColRow MapPixelFromSearchPixel(const geo::PixelWindow& window, const eval::PixelRc& rc, int input_size) {
  if (input_size < 1) throw CV_ERROR(InvalidArgumentError, "input size must be positive").With("input_size", input_size);
  return {window.col_off + static_cast<double>(rc.col) * window.width_px / input_size,
          window.row_off + static_cast<double>(rc.row) * window.height_px / input_size};
}

geo::LatLonDeg LatLonFromSearchPixel(const geo::GeoRaster& map, const geo::PixelWindow& window, const eval::PixelRc& rc, int input_size) {
  return map.lat_lon_from_pixel(MapPixelFromSearchPixel(window, rc, input_size));
}

double HeatmapSpreadM(const cv::Mat& probability, const eval::PixelRc& peak, int input_size, double window_width_m, double window_height_m) {
  if (probability.empty() || probability.type() != CV_32FC1) throw CV_ERROR(InvalidArgumentError, "heatmap must be a non-empty CV_32FC1 map");
  const double mean = cv::mean(probability)[0];
  const double m_per_col = window_width_m / probability.cols, m_per_row = window_height_m / probability.rows;
  // The peak in output pixels (output pixel (r, c) ↔ input pixel (r·S/H, c·S/W)).
  const double peak_col = static_cast<double>(peak.col) * probability.cols / input_size;
  const double peak_row = static_cast<double>(peak.row) * probability.rows / input_size;
  double total = 0.0, moment = 0.0;
  for (int r = 0; r < probability.rows; ++r) {
    const float* p = probability.ptr<float>(r);
    for (int c = 0; c < probability.cols; ++c) {
      const double w = std::max(0.0, static_cast<double>(p[c]) - mean);
      if (w <= 0.0) continue;
      const double de = (c - peak_col) * m_per_col, dn = (r - peak_row) * m_per_row;
      total += w;
      moment += w * (de * de + dn * dn);
    }
  }
  if (total <= 0.0) return 0.5 * std::hypot(window_width_m, window_height_m);
  return std::sqrt(moment / total);
}

DrlRefiner DrlRefiner::Load(const std::filesystem::path& dir, const std::string& device) {
  DrlRefiner r;
  r.model_ = convert::LoadDrlModelAny(dir);
  r.device_ = ResolveDevice(device);
  r.model_.net->to(r.device_);
  r.model_.net->eval();
  r.identity_ = {{"dir", std::filesystem::absolute(dir).lexically_normal().string()},
                 {"drl_model_pt_sha256", Sha256File(convert::IsCheckpointFile(dir) ? dir : dir / "drl_model.pt")},
                 {"uav_size", r.model_.uav_size},
                 {"satellite_size", r.model_.satellite_size},
                 {"hanning_size", r.model_.hanning_size}};
  return r;
}

RefineResult DrlRefiner::Refine(const geo::GeoRaster& map, const geo::ReadRgbOptions& read, const cv::Mat& query_rgb,
                                const std::vector<geo::PixelColRow>& centres, double window_m, const RefineOptions& options) {
  options.Check();
  if (centres.empty()) throw CV_ERROR(InvalidArgumentError, "no candidate positions to refine");
  if (query_rgb.empty() || query_rgb.type() != CV_8UC3) throw CV_ERROR(InvalidArgumentError, "the query must be a non-empty 8-bit RGB image");
  if (!(window_m > 0.0)) throw CV_ERROR(InvalidArgumentError, "search window side must be positive").With("window_m", window_m);
  const int s = model_.satellite_size;
  const int side_w = std::max(1, static_cast<int>(std::lround(window_m / map.pixel_width_m())));
  const int side_h = std::max(1, static_cast<int>(std::lround(window_m / map.pixel_height_m())));
  const cv::Mat uav = transforms::PilResize(query_rgb, cv::Size(model_.uav_size, model_.uav_size), transforms::PilFilter::kBicubic);

  std::vector<geo::PixelWindow> windows;
  std::vector<cv::Mat> sats, uavs;
  for (const geo::PixelColRow& c : centres) {
    windows.push_back(SearchWindowAround(map.width_px(), map.height_px(), c, side_w, side_h));
    geo::RgbImage img = map.ReadRgb(windows.back(), read);
    cv::Mat rgb(img.height_px, img.width_px, CV_8UC3, img.pixels.data());
    sats.push_back(transforms::PilResize(rgb, cv::Size(s, s), transforms::PilFilter::kBicubic));
    uavs.push_back(uav);
  }
  torch::Tensor prob = Probabilities(uavs, sats);
  eval::LocaliseOptions lo;
  lo.hanning_size = options.hanning_size > 0 ? options.hanning_size : model_.hanning_size;
  lo.input_size = s;
  RefineResult best;
  for (size_t i = 0; i < windows.size(); ++i) {
    float peak = 0.0f;
    cv::Mat p = models::TensorToFloatMap(prob[static_cast<int64_t>(i)]);
    const eval::PixelRc rc = eval::LocalisePeak(p, lo, &peak);
    if (i > 0 && !(peak > best.peak)) continue;
    best.peak = peak;
    best.peak_rc = rc;
    best.candidate = static_cast<int>(i);
    best.window = windows[i];
    best.probability = p;
    best.search_map_rgb = sats[i];
  }
  best.input_size = s;
  best.lat_lon = LatLonFromSearchPixel(map, best.window, best.peak_rc, s);
  best.window_top_left = map.lat_lon_from_pixel({static_cast<double>(best.window.col_off), static_cast<double>(best.window.row_off)});
  best.window_bottom_right = map.lat_lon_from_pixel({static_cast<double>(best.window.col_off + best.window.width_px),
                                                     static_cast<double>(best.window.row_off + best.window.height_px)});
  best.spread_m = HeatmapSpreadM(best.probability, best.peak_rc, s, best.window.width_px * map.pixel_width_m(),
                                 best.window.height_px * map.pixel_height_m());
  return best;
}

torch::Tensor DrlRefiner::Probabilities(const std::vector<cv::Mat>& uavs, const std::vector<cv::Mat>& sats) {
  torch::NoGradGuard no_grad;
  torch::Tensor xu = models::ImagesToTensor(uavs, models::Normalization::None()).to(device_);
  torch::Tensor xs = models::ImagesToTensor(sats, models::Normalization::None()).to(device_);
  return torch::sigmoid(model_.net->forward(xu, xs).logits).to(torch::kCPU).to(torch::kFloat32);
}

RefineResult DrlRefiner::LocateInImage(const cv::Mat& search_rgb, const cv::Mat& query_rgb, int hanning_size) {
  if (query_rgb.empty() || query_rgb.type() != CV_8UC3) throw CV_ERROR(InvalidArgumentError, "the UAV image must be a non-empty 8-bit RGB image");
  if (search_rgb.empty() || search_rgb.type() != CV_8UC3) throw CV_ERROR(InvalidArgumentError, "the search map must be a non-empty 8-bit RGB image");
  const int s = model_.satellite_size;
  RefineResult r;
  r.input_size = s;
  r.window = {0, 0, search_rgb.cols, search_rgb.rows};
  r.search_map_rgb = transforms::PilResize(search_rgb, cv::Size(s, s), transforms::PilFilter::kBicubic);
  const cv::Mat uav = transforms::PilResize(query_rgb, cv::Size(model_.uav_size, model_.uav_size), transforms::PilFilter::kBicubic);
  torch::Tensor prob = Probabilities({uav}, {r.search_map_rgb});
  r.probability = models::TensorToFloatMap(prob[0]);
  eval::LocaliseOptions lo;
  lo.hanning_size = hanning_size > 0 ? hanning_size : model_.hanning_size;
  lo.input_size = s;
  r.peak_rc = eval::LocalisePeak(r.probability, lo, &r.peak);
  return r;
}

void WriteHeatmapPicture(const std::filesystem::path& path, const RefineResult& r) {
  if (r.search_map_rgb.empty() || r.probability.empty()) throw CV_ERROR(InvalidArgumentError, "no heatmap to draw");
  data::SaveImage(path, eval::HeatmapOverlay(r.search_map_rgb, r.probability, r.peak_rc, nullptr));
}

}  // namespace crossview::pipeline

#include "crossview/eval/drl_vs_ir.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "crossview/data/image_io.h"
#include "crossview/models/descriptor.h"
#include "crossview/models/image_tensor.h"
#include "crossview/transforms/resize.h"
#include "crossview/util/errors.h"
#include "crossview/util/progress.h"

namespace crossview::eval {
namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::string RowName(const GridVariant& v) {
  std::ostringstream os;
  os << "IR grid K=" << v.k << (v.stride == 1.0 ? "" : ", stride " + std::to_string(v.stride).substr(0, 4));
  return os.str();
}

DrlSample Sample(const datasets::Ul14TestSample& s, const datasets::Ul14SearchMapRecord& map, const PixelRc& pred, int frame, int stored) {
  SearchMapCorners c{map.gps.tl_e_deg, map.gps.tl_n_deg, map.gps.br_e_deg, map.gps.br_n_deg};
  double lon = 0, lat = 0;
  LonLatFromPixel(c, pred, frame, &lon, &lat);
  DrlSample d;
  d.meter_error = DrlHaversineM(lat, lon, s.uav_lat_lon.lat_deg, s.uav_lat_lon.lon_deg);
  d.rds = RelativeDistanceScore(pred, RdsTruthFromLabel(map.label.row, map.label.col, stored, frame), frame);
  d.sdm = Sdm1(lon, lat, s.uav_lat_lon.lon_deg, s.uav_lat_lon.lat_deg);
  d.map_size = map.gps.map_size;
  d.rho = std::hypot(map.gps.center_distribute_x, map.gps.center_distribute_y);
  d.altitude_m = s.name.height_m;
  return d;
}

torch::Tensor Describe(models::RetrievalNet& net, const std::vector<cv::Mat>& rgb, models::View view, const c10::Device& device, int batch) {
  std::vector<torch::Tensor> parts;
  for (size_t b0 = 0; b0 < rgb.size(); b0 += static_cast<size_t>(batch)) {
    std::vector<cv::Mat> chunk(rgb.begin() + static_cast<long>(b0), rgb.begin() + static_cast<long>(std::min(rgb.size(), b0 + batch)));
    torch::Tensor x = models::ImagesToTensor(chunk, models::Normalization::ImageNet()).to(device);
    parts.push_back(models::ExtractDescriptors(net, x, view).to(torch::kCPU));
  }
  return torch::cat(parts, 0);
}

}  // namespace

void DrlVsIrOptions::Check() const {
  if (variants.empty()) throw CV_ERROR(InvalidArgumentError, "no grid variants to evaluate");
  for (const auto& v : variants) {
    if (v.k < 1 || v.k > 64) throw CV_ERROR(InvalidArgumentError, "grid K must be in 1..64").With("k", v.k);
    if (!(v.stride > 0.0 && v.stride <= 1.0)) throw CV_ERROR(InvalidArgumentError, "grid stride must be a fraction in (0, 1]").With("stride", v.stride);
  }
  if (ir_input_size < 16 || tile_batch < 1) throw CV_ERROR(InvalidArgumentError, "bad IR input size or batch").With("ir_input_size", ir_input_size);
}

DrlVsIrResult CompareDrlWithRetrieval(models::drl::DrlNet& drl, models::RetrievalNet& ir, const std::vector<datasets::Ul14TestSample>& test,
                                      const DrlVsIrOptions& o) {
  o.Check();
  if (test.empty()) throw CV_ERROR(InvalidArgumentError, "no DRL test samples").Hint("check the UL14 test folder");
  drl->eval();
  drl->to(o.device);
  ir->eval();
  ir->to(o.device);
  torch::NoGradGuard ng;
  DrlVsIrResult r;
  r.rows.resize(1 + o.variants.size());
  r.rows[0].name = "DRL";
  for (size_t v = 0; v < o.variants.size(); ++v) {
    r.rows[v + 1].name = RowName(o.variants[v]);
    r.rows[v + 1].variant = o.variants[v];
  }
  const size_t n = o.max_samples > 0 ? std::min<size_t>(test.size(), static_cast<size_t>(o.max_samples)) : test.size();
  ProgressBar::Options po;
  po.enabled_auto = !o.progress_label.empty();
  ProgressBar bar(static_cast<int64_t>(n), o.progress_label, po);
  const int s = o.ir_input_size;
  LocaliseOptions lo;
  lo.hanning_size = o.hanning_size;
  lo.input_size = o.satellite_size;
  for (size_t i = 0; i < n; ++i) {
    const datasets::Ul14TestSample& sample = test[i];
    const cv::Mat uav_raw = data::LoadImageRgb(sample.uav_image);
    // The UAV descriptor (IAL of every IR variant) and the DRL UAV input.
    auto t0 = Clock::now();
    torch::Tensor q = Describe(ir, {transforms::PilResize(uav_raw, cv::Size(s, s), transforms::PilFilter::kBicubic)}, models::View::kDrone, o.device, 1);
    const double uav_describe_s = Since(t0);
    r.descriptor_dim = q.size(1);
    t0 = Clock::now();
    const cv::Mat uav_drl = transforms::PilResize(uav_raw, cv::Size(o.uav_size, o.uav_size), transforms::PilFilter::kBicubic);
    const double uav_drl_s = Since(t0);
    for (const auto& map : sample.maps) {
      const cv::Mat map_raw = data::LoadImageRgb(map.path);
      const int64_t si = static_cast<int64_t>(std::filesystem::file_size(map.path));
      // DRL: BSG = resize the map; IAL = forward + sigmoid + Hanning + argmax + geo.
      DrlVsIrRow& d = r.rows[0];
      t0 = Clock::now();
      const cv::Mat sat = transforms::PilResize(map_raw, cv::Size(o.satellite_size, o.satellite_size), transforms::PilFilter::kBicubic);
      d.time.bsg_s += Since(t0);
      t0 = Clock::now();
      torch::Tensor xu = models::ImagesToTensor({uav_drl}, models::Normalization::None()).to(o.device);
      torch::Tensor xs = models::ImagesToTensor({sat}, models::Normalization::None()).to(o.device);
      torch::Tensor prob = torch::sigmoid(drl->forward(xu, xs).logits).to(torch::kCPU);
      const PixelRc pred = LocalisePeak(models::TensorToFloatMap(prob[0]), lo);
      d.samples.push_back(Sample(sample, map, pred, o.satellite_size, o.stored_size));
      d.time.ial_s += Since(t0) + uav_drl_s / static_cast<double>(sample.maps.size());
      d.si_bytes += si;
      // IR variants.
      for (size_t v = 0; v < o.variants.size(); ++v) {
        DrlVsIrRow& row = r.rows[v + 1];
        const GridVariant& g = o.variants[v];
        t0 = Clock::now();
        const int side = g.k * s;
        cv::Mat big;
        cv::resize(map_raw, big, cv::Size(side, side), 0, 0, cv::INTER_LINEAR);
        const int step = std::max(1, static_cast<int>(std::lround(s * g.stride)));
        std::vector<cv::Mat> tiles;
        std::vector<std::pair<double, double>> centres;  // (row, col) fractions
        for (int y = 0; y + s <= side; y += step) {
          for (int x = 0; x + s <= side; x += step) {
            tiles.push_back(big(cv::Rect(x, y, s, s)));
            centres.emplace_back((y + 0.5 * s) / side, (x + 0.5 * s) / side);
          }
        }
        row.time.bsg_s += Since(t0);
        t0 = Clock::now();
        torch::Tensor gallery = Describe(ir, tiles, models::View::kSatellite, o.device, o.tile_batch);
        row.time.gfp_s += Since(t0);
        t0 = Clock::now();
        const int64_t best = torch::mv(gallery, q[0]).argmax().item<int64_t>();
        PixelRc p;
        p.row = static_cast<int>(centres[static_cast<size_t>(best)].first * o.frame);
        p.col = static_cast<int>(centres[static_cast<size_t>(best)].second * o.frame);
        row.samples.push_back(Sample(sample, map, p, o.frame, o.stored_size));
        row.time.ial_s += Since(t0) + uav_describe_s / static_cast<double>(sample.maps.size());
        row.tiles_per_map += static_cast<int64_t>(tiles.size());
        row.si_bytes += si;
        row.gf_bytes += static_cast<int64_t>(tiles.size()) * gallery.size(1) * 4;
        std::vector<uchar> buf;
        for (const auto& t : tiles) {
          cv::Mat bgr;
          cv::cvtColor(t, bgr, cv::COLOR_RGB2BGR);
          cv::imencode(".jpg", bgr, buf, {cv::IMWRITE_JPEG_QUALITY, 95});
          row.gi_bytes += static_cast<int64_t>(buf.size());
        }
      }
      ++r.pairs;
    }
    bar.Add(1);
  }
  bar.Finish();
  for (auto& row : r.rows) {
    row.metrics = SummariseDrl(row.samples, o.metrics);
    if (r.pairs > 0) row.tiles_per_map /= r.pairs;
  }
  return r;
}

nlohmann::json ToJson(const DrlVsIrResult& r, const DrlVsIrOptions& o) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& row : r.rows) {
    nlohmann::json m = {{"n", row.metrics.n}, {"RDS", row.metrics.rds}, {"SDM@1", row.metrics.sdm}, {"median_error_m", row.metrics.median_error_m},
                        {"mean_error_m", row.metrics.mean_error_m}};
    for (const auto& [k, v] : row.metrics.ma) m["MA@" + std::to_string(k)] = v;
    nlohmann::json j = {{"name", row.name}, {"metrics", m},
                        {"time_s", {{"BSG", row.time.bsg_s}, {"GFP", row.time.gfp_s}, {"IAL", row.time.ial_s}, {"total", row.time.bsg_s + row.time.gfp_s + row.time.ial_s}}},
                        {"storage_bytes", {{"SI", row.si_bytes}, {"GI", row.gi_bytes}, {"GF", row.gf_bytes}}}};
    if (row.name != "DRL") j["grid"] = {{"k", row.variant.k}, {"stride", row.variant.stride}, {"tiles_per_map", row.tiles_per_map}};
    rows.push_back(j);
  }
  return {{"pairs", r.pairs}, {"descriptor_dim", r.descriptor_dim}, {"ir_input_size", o.ir_input_size}, {"tile_batch", o.tile_batch},
          {"drl", {{"uav_size", o.uav_size}, {"satellite_size", o.satellite_size}, {"hanning_size", o.hanning_size}}},
          {"frame", o.frame}, {"device", o.device.str()}, {"rows", rows}};
}

std::string DrlVsIrMarkdown(const DrlVsIrResult& r, const DrlVsIrOptions& o) {
  std::ostringstream os;
  os << std::fixed;
  os << "## Accuracy on the same " << r.pairs << " (UAV, search map) pairs\n\n"
     << "| method | tiles/map | MA@3 | MA@5 | MA@10 | MA@20 | MA@50 | RDS | median error (m) |\n|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& row : r.rows) {
    auto ma = [&](int k) { auto it = row.metrics.ma.find(k); return it == row.metrics.ma.end() ? 0.0 : it->second; };
    os << "| " << row.name << " | " << (row.name == "DRL" ? std::string("-") : std::to_string(row.tiles_per_map)) << std::setprecision(3) << " | " << ma(3) << " | "
       << ma(5) << " | " << ma(10) << " | " << ma(20) << " | " << ma(50) << " | " << row.metrics.rds << std::setprecision(1) << " | "
       << row.metrics.median_error_m << " |\n";
  }
  os << "\nPaper, Table III (UL14 test, 27,972 pairs): IR University-1652 ResNet-50 MA@3/10/20 = 0.005/0.047/0.145, "
        "MCCG ConvNeXt-T 0.078/0.574/0.752; DRL Mix-Fusion 0.131/-/0.837.\n\n";
  os << "## Time (s, summed over the pairs; " << o.device.str() << ", IR tile batch " << o.tile_batch << ", DRL batch 1)\n\n"
     << "| method | BSG | GFP | IAL | total | IAL per pair (ms) |\n|---|---|---|---|---|---|\n";
  for (const auto& row : r.rows) {
    os << std::setprecision(3) << "| " << row.name << " | " << row.time.bsg_s << " | " << row.time.gfp_s << " | " << row.time.ial_s << " | "
       << row.time.bsg_s + row.time.gfp_s + row.time.ial_s << std::setprecision(2) << " | " << 1000.0 * row.time.ial_s / std::max<int64_t>(1, r.pairs) << " |\n";
  }
  os << "\nPaper (600 samples, GPU): IR (FSRA) BSG 4.2, GFP 6.5, IAL 43.2 s; DRL IAL 6.0 s (Mix-Fusion).\n\n";
  os << "## Storage (MB)\n\n| method | SI | GI (JPEG q95) | GF (float32) | total without GI |\n|---|---|---|---|---|\n";
  for (const auto& row : r.rows) {
    os << std::setprecision(2) << "| " << row.name << " | " << row.si_bytes / 1e6 << " | " << row.gi_bytes / 1e6 << " | " << row.gf_bytes / 1e6 << " | "
       << (row.si_bytes + row.gf_bytes) / 1e6 << " |\n";
  }
  os << "\nPaper: IR SI 4.8, GI 44.6, GF 10.8 (total 15.6); DRL SI 4.8 (total 4.8).\n";
  return os.str();
}

}  // namespace crossview::eval

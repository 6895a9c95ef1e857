#include "crossview/service/pictures.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "crossview/data/image_io.h"
#include "crossview/util/errors.h"

namespace crossview::service {

nlohmann::json Overview::ToJson(const std::string& url) const {
  nlohmann::json corners_json = nlohmann::json::array();
  for (const geo::LatLonDeg& c : corners) corners_json.push_back({c.lat_deg, c.lon_deg});
  return {{"url", url},
          {"width_px", width_px},
          {"height_px", height_px},
          {"corners", corners_json},
          {"bounds", {{bounds.south_lat_deg, bounds.west_lon_deg}, {bounds.north_lat_deg, bounds.east_lon_deg}}}};
}

Overview RenderOverview(const geo::GeoRaster& map, const geo::ReadRgbOptions& read, int max_side_px) {
  if (max_side_px < 1) throw CV_ERROR(InvalidArgumentError, "overview size must be at least 1 px").With("max_side_px", max_side_px);
  const int w = map.width_px(), h = map.height_px();
  const double scale = std::min(1.0, static_cast<double>(max_side_px) / std::max(w, h));
  const int out_w = std::max(1, static_cast<int>(std::lround(w * scale)));
  const int out_h = std::max(1, static_cast<int>(std::lround(h * scale)));
  cv::Mat out(out_h, out_w, CV_8UC3);
  // Output rows in blocks; each block reads the source rows it covers (about 256 of them).
  const int block = std::max(1, static_cast<int>(256 * scale));
  for (int o0 = 0; o0 < out_h; o0 += block) {
    const int o1 = std::min(out_h, o0 + block);
    const int r0 = static_cast<int>(std::lround(static_cast<double>(o0) * h / out_h));
    const int r1 = std::max(r0 + 1, static_cast<int>(std::lround(static_cast<double>(o1) * h / out_h)));
    geo::RgbImage strip = map.ReadRgb({0, r0, w, r1 - r0}, read);
    const cv::Mat src(strip.height_px, strip.width_px, CV_8UC3, strip.pixels.data());
    cv::Mat dst = out.rowRange(o0, o1);
    cv::resize(src, dst, dst.size(), 0, 0, cv::INTER_AREA);
  }
  Overview ov;
  ov.width_px = out_w;
  ov.height_px = out_h;
  ov.png = data::EncodeImage(out, data::ImageFormat::kPng);
  const double wd = w, hd = h;
  ov.corners = {map.lat_lon_from_pixel({0.0, 0.0}), map.lat_lon_from_pixel({wd, 0.0}), map.lat_lon_from_pixel({wd, hd}),
                map.lat_lon_from_pixel({0.0, hd})};
  ov.bounds = {ov.corners[0].lon_deg, ov.corners[0].lat_deg, ov.corners[0].lon_deg, ov.corners[0].lat_deg};
  for (const geo::LatLonDeg& c : ov.corners) {
    ov.bounds.west_lon_deg = std::min(ov.bounds.west_lon_deg, c.lon_deg);
    ov.bounds.east_lon_deg = std::max(ov.bounds.east_lon_deg, c.lon_deg);
    ov.bounds.south_lat_deg = std::min(ov.bounds.south_lat_deg, c.lat_deg);
    ov.bounds.north_lat_deg = std::max(ov.bounds.north_lat_deg, c.lat_deg);
  }
  return ov;
}

std::string HeatmapPng(const pipeline::RefineResult& refined) {
  const cv::Mat& p = refined.probability;
  if (p.empty() || p.type() != CV_32FC1) throw CV_ERROR(InvalidArgumentError, "no heatmap to draw");
  double lo = 0.0, hi = 0.0;
  cv::minMaxLoc(p, &lo, &hi);
  cv::Mat norm;
  p.convertTo(norm, CV_32F, hi > lo ? 1.0 / (hi - lo) : 0.0, hi > lo ? -lo / (hi - lo) : 0.0);
  const int side = std::max(refined.input_size, std::max(p.rows, p.cols));
  cv::resize(norm, norm, cv::Size(side, side), 0, 0, cv::INTER_LINEAR);
  cv::Mat grey;
  norm.convertTo(grey, CV_8U, 255.0);
  cv::Mat bgr;
  cv::applyColorMap(grey, bgr, cv::COLORMAP_JET);
  cv::Mat bgra;
  cv::cvtColor(bgr, bgra, cv::COLOR_BGR2BGRA);
  for (int r = 0; r < side; ++r) {
    const float* v = norm.ptr<float>(r);
    cv::Vec4b* px = bgra.ptr<cv::Vec4b>(r);
    for (int c = 0; c < side; ++c) {
      // Transparent below a fifth of the range, then up to 85 % opaque at the peak.
      const float a = std::clamp((v[c] - 0.2f) / 0.8f, 0.0f, 1.0f);
      px[c][3] = static_cast<uchar>(std::lround(217.0f * a));
    }
  }
  std::vector<uchar> png;
  if (!cv::imencode(".png", bgra, png)) throw CV_ERROR(InternalError, "cannot encode the heatmap as PNG");
  return std::string(png.begin(), png.end());
}

std::string Base64(const std::string& bytes) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                       static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8 | static_cast<unsigned char>(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (rest == 2) v |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace crossview::service

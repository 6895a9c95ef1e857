#include "crossview/eval/heatmap_overlay.h"

#include <opencv2/imgproc.hpp>

#include "crossview/util/errors.h"

namespace crossview::eval {

cv::Mat HeatmapOverlay(const cv::Mat& map_rgb, const cv::Mat& probability, const PixelRc& predicted, const PixelRc* truth,
                       double alpha) {
  if (map_rgb.empty() || map_rgb.type() != CV_8UC3 || probability.empty() || probability.type() != CV_32FC1) {
    throw CV_ERROR(InvalidArgumentError, "overlay needs an 8-bit RGB map and a float32 heatmap");
  }
  cv::Mat p;
  cv::resize(probability, p, map_rgb.size(), 0, 0, cv::INTER_LINEAR);
  double lo, hi;
  cv::minMaxLoc(p, &lo, &hi);
  cv::Mat grey;
  p.convertTo(grey, CV_8U, hi > lo ? 255.0 / (hi - lo) : 0.0, hi > lo ? -lo * 255.0 / (hi - lo) : 0.0);
  cv::Mat colour_bgr, colour;
  cv::applyColorMap(grey, colour_bgr, cv::COLORMAP_JET);
  cv::cvtColor(colour_bgr, colour, cv::COLOR_BGR2RGB);
  cv::Mat out;
  cv::addWeighted(map_rgb, 1.0 - alpha, colour, alpha, 0.0, out);
  const int r = std::max(4, map_rgb.cols / 60);
  if (truth != nullptr) cv::circle(out, cv::Point(truth->col, truth->row), r + 2, cv::Scalar(0, 255, 0), 2, cv::LINE_AA);
  cv::drawMarker(out, cv::Point(predicted.col, predicted.row), cv::Scalar(255, 0, 0), cv::MARKER_CROSS, 2 * r + 4, 2, cv::LINE_AA);
  return out;
}

}  // namespace crossview::eval

// Pictures for DRL results: the probability heatmap blended over the search map, with the
// predicted position (red cross) and the truth (green circle).
#pragma once

#include <opencv2/core.hpp>

#include "crossview/eval/drl_metrics.h"

namespace crossview::eval {

// `map_rgb`: the search map (any size, 8-bit RGB); `probability`: CV_32FC1 (any size, resized to
// the map); positions in the map's own pixels. Returns an 8-bit RGB picture (map size), with the
// heatmap normalised to its own range for display (as the paper does).
cv::Mat HeatmapOverlay(const cv::Mat& map_rgb, const cv::Mat& probability, const PixelRc& predicted, const PixelRc* truth,
                       double alpha = 0.45);

}  // namespace crossview::eval

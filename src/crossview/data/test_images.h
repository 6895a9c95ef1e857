// Crafted images shared by the data module's tests (header-only, test use only).
#pragma once

#include <cmath>
#include <cstdint>

#include <opencv2/core.hpp>

#include "crossview/util/random.h"

namespace crossview::data::testing {

// A W × H RGB texture with content at every scale: per-pixel noise, fine stripes (period 3 px),
// a checkerboard of 8 px cells and smooth gradients, all channels different. Deterministic.
inline cv::Mat MakeBusyTexture(int width_px, int height_px, uint64_t seed = 7) {
  Rng rng(seed);
  cv::Mat out(height_px, width_px, CV_8UC3);
  for (int r = 0; r < height_px; ++r) {
    auto* p = out.ptr<uint8_t>(r);
    for (int c = 0; c < width_px; ++c) {
      const double noise = rng.Uniform(-40.0, 40.0);
      const double stripes = ((c + 2 * r) % 3 == 0) ? 50.0 : 0.0;
      const double checker = (((r / 8) + (c / 8)) % 2 == 0) ? 60.0 : 0.0;
      const double gx = 80.0 * c / width_px, gy = 80.0 * r / height_px;
      const double v[3] = {40.0 + noise + stripes + gx, 60.0 + checker + gy + 0.5 * noise,
                           30.0 + stripes + checker + 0.5 * (gx + gy)};
      for (int ch = 0; ch < 3; ++ch) {
        p[3 * c + ch] = static_cast<uint8_t>(std::lround(std::min(255.0, std::max(0.0, v[ch]))));
      }
    }
  }
  return out;
}

// Mean absolute difference over all pixels and channels of two same-size 8-bit images.
inline double MeanAbsDiff(const cv::Mat& a, const cv::Mat& b) {
  cv::Mat diff;
  cv::absdiff(a, b, diff);
  const cv::Scalar s = cv::mean(diff);
  return (s[0] + s[1] + s[2] + s[3]) / a.channels();
}

}  // namespace crossview::data::testing

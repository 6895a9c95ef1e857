// Plain owned pixel buffers returned by geo/ readers (no OpenCV dependency). Row-major, tightly
// packed; the data module wraps them in cv::Mat without copying when it needs to:
//   cv::Mat rgb(image.height_px, image.width_px, CV_8UC3, image.pixels.data());   // RGB order
#pragma once

#include <cstdint>
#include <vector>

#include "crossview/util/errors.h"

namespace crossview::geo {

// 8-bit RGB, interleaved R, G, B.
struct RgbImage {
  int width_px = 0;
  int height_px = 0;
  std::vector<uint8_t> pixels;  // size width_px * height_px * 3

  RgbImage() = default;
  RgbImage(int width, int height) : width_px(width), height_px(height) {
    if (width < 0 || height < 0) {
      throw CV_ERROR(InvalidArgumentError, "image size must be non-negative").With("width", width).With("height", height);
    }
    pixels.assign(static_cast<size_t>(width) * static_cast<size_t>(height) * 3u, 0);
  }
  uint8_t& at(int row, int col, int channel) {
    return pixels[(static_cast<size_t>(row) * static_cast<size_t>(width_px) + static_cast<size_t>(col)) * 3u +
                  static_cast<size_t>(channel)];
  }
  uint8_t at(int row, int col, int channel) const {
    return pixels[(static_cast<size_t>(row) * static_cast<size_t>(width_px) + static_cast<size_t>(col)) * 3u +
                  static_cast<size_t>(channel)];
  }
  bool empty() const { return width_px == 0 || height_px == 0; }
};

// One byte per pixel: 1 = valid data, 0 = no-data.
struct ValidMask {
  int width_px = 0;
  int height_px = 0;
  std::vector<uint8_t> valid;  // size width_px * height_px

  uint8_t at(int row, int col) const {
    return valid[static_cast<size_t>(row) * static_cast<size_t>(width_px) + static_cast<size_t>(col)];
  }
  // Fraction of no-data pixels, in [0, 1] (0 for an empty mask).
  double nodata_fraction() const {
    if (valid.empty()) return 0.0;
    size_t invalid = 0;
    for (uint8_t v : valid) invalid += (v == 0);
    return static_cast<double>(invalid) / static_cast<double>(valid.size());
  }
};

}  // namespace crossview::geo

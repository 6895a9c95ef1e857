// DRL training augmentations (spec drl.md §6.6–6.7): Random Scale Crop of the centre-aligned
// training satellite image, UAV random erasing, and the random-interpolation resize.
#pragma once

#include <opencv2/core.hpp>

#include <string>
#include <vector>

#include "crossview/util/random.h"

namespace crossview::transforms {

struct RandomScaleCropOptions {
  std::string scale_type = "rs";  // rs: uniform in [min, max−1]; ms: choice from `choices`; ss: fixed `min`
  int min_size = 512;
  int max_size = 1000;            // exclusive upper bound under rs
  std::vector<int> choices = {512, 768, 1000};
  double cover_rate = 0.85;       // C: the UAV lands in the central C-fraction of the crop
  bool legacy_bgr = false;        // the reference's RGB→BGR swap of training satellites
  void Check() const;
  // Scales the size range by `factor` (smaller training satellites in the tiny/ci presets).
  RandomScaleCropOptions Scaled(double factor) const;
};

struct ScaleCropResult {
  cv::Mat crop;            // m × m, mean-colour padded where the box left the image
  int map_size = 0;        // m (even)
  int centre_row = 0, centre_col = 0;  // r₀, c₀ in the source image
  double rate_row = 0.5, rate_col = 0.5;  // the UAV's relative position in the crop (the label)
  int pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
};

// The exact §6.6 procedure; the UAV is at (⌊H/2⌋, ⌊W/2⌋) of `satellite` (8-bit, 3 channels).
ScaleCropResult RandomScaleCrop(const cv::Mat& satellite, const RandomScaleCropOptions& options, Rng& rng);

struct RandomErasingOptions {
  double probability = 0.3;
  double min_area = 0.02, max_area = 0.3;
  double min_ratio = 0.3;         // aspect ratio in [min_ratio, 1/min_ratio]
  bool legacy_fill = false;       // the reference's fill: grey mean of pixel column k for channel k
};

// Erases one rectangle in place (8-bit, 3 channels), filled with each channel's mean over the
// whole image (default). Returns true when a rectangle was erased.
bool RandomErasing(cv::Mat& image, const RandomErasingOptions& options, Rng& rng);

// Resizes with an interpolation drawn uniformly from {nearest, bilinear, bicubic, area}.
cv::Mat RandomInterpolationResize(const cv::Mat& image, cv::Size size, Rng& rng);

}  // namespace crossview::transforms

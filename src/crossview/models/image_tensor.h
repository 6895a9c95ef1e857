// Conversions between 8-bit RGB images (cv::Mat) and network input tensors.
#pragma once

#include <ATen/core/Tensor.h>
#include <opencv2/core.hpp>

#include <array>
#include <vector>

namespace crossview::models {

struct Normalization {
  std::array<float, 3> mean{0.f, 0.f, 0.f};
  std::array<float, 3> std{1.f, 1.f, 1.f};
  static Normalization ImageNet() { return {{0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}}; }
  static Normalization None() { return {}; }  // DRL: raw [0, 1] RGB
};

// Same-sized CV_8UC3 RGB images → (N, 3, H, W) float32 in [0, 1], then (x − mean)/std.
at::Tensor ImagesToTensor(const std::vector<cv::Mat>& rgb, const Normalization& norm);

// A (H, W) or (1, H, W) or (1, 1, H, W) float tensor → CV_32FC1 map (copied, on the CPU).
cv::Mat TensorToFloatMap(const at::Tensor& map);

}  // namespace crossview::models

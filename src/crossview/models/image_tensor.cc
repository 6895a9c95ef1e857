#include "crossview/models/image_tensor.h"

#include <torch/torch.h>

#include "crossview/util/errors.h"

namespace crossview::models {

at::Tensor ImagesToTensor(const std::vector<cv::Mat>& rgb, const Normalization& norm) {
  if (rgb.empty()) throw CV_ERROR(InvalidArgumentError, "no images to convert");
  const int h = rgb[0].rows, w = rgb[0].cols;
  at::Tensor out = torch::empty({static_cast<int64_t>(rgb.size()), 3, h, w});
  for (size_t i = 0; i < rgb.size(); ++i) {
    const cv::Mat& m = rgb[i];
    if (m.type() != CV_8UC3 || m.rows != h || m.cols != w) {
      throw CV_ERROR(InvalidArgumentError, "images in a batch must be 8-bit RGB of one size")
          .With("index", i).With("size", std::to_string(m.cols) + "x" + std::to_string(m.rows))
          .With("expected", std::to_string(w) + "x" + std::to_string(h));
    }
    cv::Mat contiguous = m.isContinuous() ? m : m.clone();
    at::Tensor hwc = torch::from_blob(contiguous.data, {h, w, 3}, torch::kUInt8);
    out[static_cast<int64_t>(i)] = hwc.permute({2, 0, 1}).to(torch::kFloat).div(255.0);
  }
  at::Tensor mean = torch::tensor({norm.mean[0], norm.mean[1], norm.mean[2]}).view({1, 3, 1, 1});
  at::Tensor std = torch::tensor({norm.std[0], norm.std[1], norm.std[2]}).view({1, 3, 1, 1});
  return (out - mean) / std;
}

cv::Mat TensorToFloatMap(const at::Tensor& map) {
  at::Tensor t = map.detach().to(torch::kCPU, torch::kFloat).contiguous();
  while (t.dim() > 2) {
    if (t.size(0) != 1) throw CV_ERROR(InvalidArgumentError, "expected a single map").With("shape", map.sizes());
    t = t.squeeze(0);
  }
  if (t.dim() != 2) throw CV_ERROR(InvalidArgumentError, "expected a 2-D map").With("shape", map.sizes());
  cv::Mat m(static_cast<int>(t.size(0)), static_cast<int>(t.size(1)), CV_32FC1);
  std::memcpy(m.data, t.data_ptr<float>(), sizeof(float) * static_cast<size_t>(t.numel()));
  return m;
}

}  // namespace crossview::models

#include "crossview/pipeline/describer.h"

#include <torch/torch.h>

#include "crossview/convert/import.h"
#include "crossview/models/image_tensor.h"
#include "crossview/runtime/device.h"
#include "crossview/transforms/resize.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"
#include "crossview/util/sha256.h"

namespace crossview::pipeline {

ModelIdentity ReadModelIdentity(const std::filesystem::path& model_dir) {
  if (convert::IsCheckpointFile(model_dir)) {
    // A published checkpoint used directly: its identity is the file's hash and what it imports to.
    ModelIdentity id;
    id.dir = std::filesystem::absolute(model_dir).lexically_normal().string();
    id.model_json = convert::LoadRetrievalModelAny(model_dir).info;
    id.model_pt_sha256 = Sha256File(model_dir);
    return id;
  }
  const std::filesystem::path json_path = model_dir / "model.json";
  if (!std::filesystem::exists(json_path)) {
    throw CV_ERROR(NotFoundError, "no model.json in the model directory").With("path", model_dir.string())
        .Hint("pass a directory written by 'crossview train ir'");
  }
  ModelIdentity id;
  id.dir = std::filesystem::absolute(model_dir).lexically_normal().string();
  id.model_json = nlohmann::json::parse(ReadFile(json_path), nullptr, false);
  if (id.model_json.is_discarded()) throw CV_ERROR(InvalidArgumentError, "model.json is not valid JSON").With("path", json_path.string());
  id.model_pt_sha256 = Sha256File(model_dir / "model.pt");
  return id;
}

void DescriberOptions::Check() const {
  if (batch < 1) throw CV_ERROR(InvalidArgumentError, "batch must be at least 1").With("batch", batch);
  ParseDevice(device);
}

RetrievalDescriber RetrievalDescriber::Load(const std::filesystem::path& model_dir, const DescriberOptions& options) {
  options.Check();
  RetrievalDescriber d;
  d.options_ = options;
  d.identity_ = ReadModelIdentity(model_dir);
  d.model_ = convert::LoadRetrievalModelAny(model_dir);
  d.input_size_ = d.model_.input_size;
  if (d.input_size_ < 8) throw CV_ERROR(InvalidArgumentError, "model input size is too small").With("input_size", d.input_size_);
  d.device_ = ResolveDevice(options.device);
  d.model_.net->to(d.device_);
  d.model_.net->eval();
  return d;
}

cv::Mat RetrievalDescriber::Preprocess(const cv::Mat& rgb, int input_size) {
  if (rgb.empty() || rgb.type() != CV_8UC3) {
    throw CV_ERROR(InvalidArgumentError, "expected a non-empty 8-bit RGB image").With("type", rgb.type()).With("size", rgb.size());
  }
  if (rgb.cols == input_size && rgb.rows == input_size) return rgb;
  return transforms::PilResize(rgb, cv::Size(input_size, input_size), transforms::PilFilter::kBicubic);
}

std::vector<float> RetrievalDescriber::Describe(const std::vector<cv::Mat>& rgb, models::View view) {
  std::vector<float> rows;
  torch::NoGradGuard no_grad;
  for (size_t b0 = 0; b0 < rgb.size(); b0 += static_cast<size_t>(options_.batch)) {
    const size_t b1 = std::min(rgb.size(), b0 + static_cast<size_t>(options_.batch));
    std::vector<cv::Mat> batch;
    batch.reserve(b1 - b0);
    for (size_t i = b0; i < b1; ++i) batch.push_back(Preprocess(rgb[i], input_size_));
    at::Tensor x = models::ImagesToTensor(batch, models::Normalization::ImageNet()).to(device_);
    at::Tensor d = models::ExtractDescriptors(model_.net, x, view, options_.descriptor).to(torch::kCPU).to(torch::kFloat32).contiguous();
    if (d.dim() != 2 || d.size(0) != static_cast<int64_t>(b1 - b0)) throw CV_ERROR(InternalError, "descriptor batch has the wrong shape");
    if (dim_ == 0) dim_ = d.size(1);
    if (d.size(1) != dim_) throw CV_ERROR(InternalError, "descriptor length changed between batches");
    const float* p = d.data_ptr<float>();
    rows.insert(rows.end(), p, p + d.numel());
  }
  return rows;
}

nlohmann::json RetrievalDescriber::Settings() const {
  return {{"resize", "pil-bicubic"},
          {"input_size", input_size_},
          {"normalization", "imagenet"},
          {"flip_tta", options_.descriptor.flip_tta},
          {"msba_global_weight", options_.descriptor.msba_global_weight},
          {"msba_global_only", options_.descriptor.msba_global_only},
          {"gallery_view", models::ViewName(models::View::kSatellite)},
          {"query_view", models::ViewName(models::View::kDrone)}};
}

}  // namespace crossview::pipeline

#include "crossview/models/backbones/vgg.h"

#include <torch/torch.h>

#include "crossview/util/errors.h"

namespace crossview::models {

namespace nn = torch::nn;

void VggOptions::Check() const {
  if (base_width < 1) throw CV_ERROR(InvalidArgumentError, "VGG base_width must be positive").With("base_width", base_width);
  if (classifier && (classifier_hidden < 1 || num_classes < 1)) {
    throw CV_ERROR(InvalidArgumentError, "VGG classifier sizes must be positive").With("classifier_hidden", classifier_hidden)
        .With("num_classes", num_classes);
  }
  if (dropout < 0 || dropout >= 1) throw CV_ERROR(InvalidArgumentError, "VGG dropout must be in [0, 1)").With("dropout", dropout);
}

std::vector<int64_t> VggOptions::StageChannels() const {
  const int64_t b = base_width;
  return {b, 2 * b, 4 * b, 8 * b, 8 * b};
}

VggImpl::VggImpl(const VggOptions& options) : options_(options) {
  options_.Check();
  static const int kConvsPerStage[5] = {2, 2, 3, 3, 3};  // VGG-16 ("D")
  const std::vector<int64_t> channels = options_.StageChannels();
  features = register_module("features", nn::Sequential());
  int64_t in = 3;
  for (int s = 0; s < 5; ++s) {
    stage_convs_.emplace_back();
    for (int c = 0; c < kConvsPerStage[s]; ++c) {
      nn::Conv2d conv(nn::Conv2dOptions(in, channels[static_cast<size_t>(s)], 3).padding(1));
      // torchvision's initialisation: Kaiming normal (fan_out, relu), bias 0.
      nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut, torch::kReLU);
      nn::init::zeros_(conv->bias);
      features->push_back(conv);
      features->push_back(nn::ReLU(nn::ReLUOptions(true)));
      stage_convs_.back().push_back(conv);
      in = channels[static_cast<size_t>(s)];
    }
    features->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2).stride(2)));
  }
  if (options_.classifier) {
    classifier = register_module("classifier", nn::Sequential());
    const int64_t hidden = options_.classifier_hidden;
    const std::vector<std::pair<int64_t, int64_t>> shapes = {{channels[4] * 49, hidden}, {hidden, hidden}, {hidden, options_.num_classes}};
    for (size_t i = 0; i < shapes.size(); ++i) {
      nn::Linear linear(shapes[i].first, shapes[i].second);
      nn::init::normal_(linear->weight, 0.0, 0.01);
      nn::init::zeros_(linear->bias);
      classifier->push_back(linear);
      if (i + 1 < shapes.size()) {  // ReLU + Dropout after the first two Linears (indices 1, 2 and 4, 5)
        classifier->push_back(nn::ReLU(nn::ReLUOptions(true)));
        classifier->push_back(nn::Dropout(options_.dropout));
      }
    }
  }
}

VggStages VggImpl::ForwardStages(const torch::Tensor& x) {
  VggStages out;
  torch::Tensor y = x;
  for (auto& convs : stage_convs_) {
    for (auto& conv : convs) y = torch::relu(conv->forward(y));
    out.pre_pool_sizes.push_back({y.size(2), y.size(3)});
    auto [pooled, indices] = torch::max_pool2d_with_indices(y, {2, 2}, {2, 2});
    out.maps.push_back(pooled);
    out.indices.push_back(indices);
    y = pooled;
  }
  return out;
}

torch::Tensor VggImpl::forward(const torch::Tensor& x) {
  torch::Tensor y = ForwardStages(x).maps.back();
  if (!options_.classifier) return y;
  y = torch::adaptive_avg_pool2d(y, {7, 7}).flatten(1);
  return classifier->forward(y);
}

}  // namespace crossview::models

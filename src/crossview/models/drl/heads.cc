#include "crossview/models/drl/heads.h"

#include <torch/torch.h>

#include "crossview/util/errors.h"

namespace crossview::models::drl {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

ChannelEmbeddingImpl::ChannelEmbeddingImpl(std::vector<int64_t> dims) {
  if (dims.size() < 2 || dims.back() != 1) {
    throw CV_ERROR(InvalidArgumentError, "ChannelEmbedding dims must end in 1").With("layers", dims.size());
  }
  for (size_t k = 0; k + 1 < dims.size(); ++k) {
    layers_.push_back(register_module("module_" + std::to_string(k), nn::Linear(dims[k], dims[k + 1])));
  }
}

torch::Tensor ChannelEmbeddingImpl::forward(const torch::Tensor& x) {
  torch::Tensor t = x.permute({0, 2, 3, 1});  // per-pixel channel vectors
  for (auto& l : layers_) t = l(t);
  return t.permute({0, 3, 1, 2});
}

torch::Tensor ChannelEmbeddingImpl::ForwardFolded(const torch::Tensor& x) {
  torch::NoGradGuard ng;
  torch::Tensor w = layers_[0]->weight, b = layers_[0]->bias;
  for (size_t k = 1; k < layers_.size(); ++k) {
    b = torch::matmul(layers_[k]->weight, b) + layers_[k]->bias;
    w = torch::matmul(layers_[k]->weight, w);
  }
  // w: (1, C), b: (1)
  return (x * w.view({1, -1, 1, 1})).sum(1, true) + b.view({1, 1, 1, 1});
}

ChannelPoolingImpl::ChannelPoolingImpl(const std::string& mode, int64_t channels) : mode_(mode) {
  if (mode == "gem") {
    auto holder = register_module("pool", std::make_shared<nn::Module>());
    p_ = holder->register_parameter("p", torch::full({channels}, 3.0));
  } else if (mode != "avg") {
    throw CV_ERROR(InvalidArgumentError, "unknown channel pooling '" + mode + "'").Hint("valid: avg, gem");
  }
}

torch::Tensor ChannelPoolingImpl::forward(const torch::Tensor& x) {
  if (mode_ == "avg") return x.mean(1, true);
  return (x * torch::softmax(p_, 0).view({1, -1, 1, 1})).sum(1, true);
}

torch::Tensor GroupCrossCorrelation(const torch::Tensor& kernel, const torch::Tensor& satellite, int64_t padding) {
  const int64_t b = satellite.size(0), c = satellite.size(1);
  if (kernel.size(0) != b || kernel.size(1) != c) {
    throw CV_ERROR(InvalidArgumentError, "UAV kernel and satellite map disagree in batch or channels")
        .With("kernel", kernel.sizes()).With("satellite", satellite.sizes());
  }
  torch::Tensor input = satellite.reshape({1, b * c, satellite.size(2), satellite.size(3)});
  torch::Tensor out = F::conv2d(input, kernel, F::Conv2dFuncOptions().padding(padding).groups(b));
  return out.view({b, 1, out.size(2), out.size(3)});
}

SingleGroupFusionHeadImpl::SingleGroupFusionHeadImpl(int64_t dim, double out_scale_init, bool padding) : padding_(padding) {
  cls_conv_uav = register_module("cls_conv_uav", nn::Conv2d(nn::Conv2dOptions(dim, dim, 1)));
  cls_conv_satellite = register_module("cls_conv_satellite", nn::Conv2d(nn::Conv2dOptions(dim, dim, 1)));
  nn::init::xavier_uniform_(cls_conv_uav->weight);
  nn::init::xavier_uniform_(cls_conv_satellite->weight);
  out_scale = register_parameter("out_scale", torch::tensor(out_scale_init));
}

torch::Tensor SingleGroupFusionHeadImpl::forward(const torch::Tensor& uav, const torch::Tensor& satellite) {
  torch::Tensor k = cls_conv_uav(uav);
  torch::Tensor f = cls_conv_satellite(satellite);
  int64_t pad = padding_ ? k.size(3) / 2 : 0;  // from the kernel WIDTH, on all sides (reference)
  return GroupCrossCorrelation(k, f, pad) * out_scale;
}

}  // namespace crossview::models::drl

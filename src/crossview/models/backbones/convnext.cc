#include "crossview/models/backbones/convnext.h"

#include <torch/torch.h>

#include "crossview/util/errors.h"

namespace crossview::models {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

void ConvNextOptions::Check() const {
  if (depths.size() != 4 || dims.size() != 4) {
    throw CV_ERROR(InvalidArgumentError, "ConvNeXt needs 4 depths and 4 dims").With("depths", depths.size()).With("dims", dims.size());
  }
  for (int i = 0; i < 4; ++i) {
    if (depths[i] < 1 || dims[i] < 1) throw CV_ERROR(InvalidArgumentError, "ConvNeXt depths and dims must be positive").With("stage", i);
  }
  if (drop_path < 0 || drop_path >= 1) throw CV_ERROR(InvalidArgumentError, "drop_path must be in [0, 1)").With("drop_path", drop_path);
}

ConvNextOptions ConvNextOptions::Tiny() { return ConvNextOptions{}; }
ConvNextOptions ConvNextOptions::Base() {
  ConvNextOptions o;
  o.depths = {3, 3, 27, 3};
  o.dims = {128, 256, 512, 1024};
  return o;
}
ConvNextOptions ConvNextOptions::Small() {
  ConvNextOptions o;
  o.depths = {1, 1, 2, 1};
  o.dims = {24, 48, 96, 192};
  return o;
}

ChannelsFirstLayerNormImpl::ChannelsFirstLayerNormImpl(int64_t channels, double eps) : eps_(eps) {
  weight = register_parameter("weight", torch::ones({channels}));
  bias = register_parameter("bias", torch::zeros({channels}));
}

torch::Tensor ChannelsFirstLayerNormImpl::forward(const torch::Tensor& x) {
  torch::Tensor mean = x.mean(1, true);
  torch::Tensor var = (x - mean).pow(2).mean(1, true);  // biased
  torch::Tensor y = (x - mean) / torch::sqrt(var + eps_);
  return y * weight.view({1, -1, 1, 1}) + bias.view({1, -1, 1, 1});
}

namespace {

class BlockImpl : public nn::Module {
 public:
  BlockImpl(int64_t dim, double drop_path, double layer_scale) : drop_path_(drop_path) {
    dwconv = register_module("dwconv", nn::Conv2d(nn::Conv2dOptions(dim, dim, 7).padding(3).groups(dim)));
    norm = register_module("norm", nn::LayerNorm(nn::LayerNormOptions({dim}).eps(1e-6)));
    pwconv1 = register_module("pwconv1", nn::Linear(dim, 4 * dim));
    pwconv2 = register_module("pwconv2", nn::Linear(4 * dim, dim));
    gamma = register_parameter("gamma", torch::full({dim}, layer_scale));
    // Meta's init: truncated normal std 0.02 (cut at ±2, i.e. effectively untruncated), bias 0.
    torch::NoGradGuard ng;
    for (torch::Tensor* w : {&pwconv1->weight, &pwconv2->weight, &dwconv->weight}) w->normal_(0.0, 0.02).clamp_(-2.0, 2.0);
    for (torch::Tensor* b : {&pwconv1->bias, &pwconv2->bias, &dwconv->bias}) b->zero_();
  }
  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor y = dwconv(x).permute({0, 2, 3, 1});  // NHWC
    y = pwconv2(F::gelu(pwconv1(norm(y))));                // exact erf GELU
    y = (y * gamma).permute({0, 3, 1, 2});
    if (is_training() && drop_path_ > 0) {
      torch::Tensor keep = torch::empty({x.size(0), 1, 1, 1}, x.options()).bernoulli_(1.0 - drop_path_);
      y = y * keep / (1.0 - drop_path_);
    }
    return x + y;
  }
  nn::Conv2d dwconv{nullptr};
  nn::LayerNorm norm{nullptr};
  nn::Linear pwconv1{nullptr}, pwconv2{nullptr};
  torch::Tensor gamma;

 private:
  double drop_path_;
};
TORCH_MODULE(Block);

}  // namespace

ConvNextImpl::ConvNextImpl(const ConvNextOptions& options) : options_(options) {
  options_.Check();
  const auto& d = options_.dims;
  downsample_layers = register_module("downsample_layers", nn::ModuleList());
  nn::Sequential stem(nn::Conv2d(nn::Conv2dOptions(3, d[0], 4).stride(4)), ChannelsFirstLayerNorm(d[0]));
  downsample_layers->push_back(stem);
  for (int i = 1; i < 4; ++i) {
    downsample_layers->push_back(nn::Sequential(ChannelsFirstLayerNorm(d[i - 1]), nn::Conv2d(nn::Conv2dOptions(d[i - 1], d[i], 2).stride(2))));
  }
  stages = register_module("stages", nn::ModuleList());
  int64_t total = 0, index = 0;
  for (int64_t depth : options_.depths) total += depth;
  for (int i = 0; i < 4; ++i) {
    nn::Sequential stage;
    for (int64_t b = 0; b < options_.depths[i]; ++b, ++index) {
      double rate = total > 1 ? options_.drop_path * static_cast<double>(index) / static_cast<double>(total - 1) : 0.0;
      stage->push_back(Block(d[i], rate, options_.layer_scale_init));
    }
    stages->push_back(stage);
  }
  norm = register_module("norm", nn::LayerNorm(nn::LayerNormOptions({d[3]}).eps(1e-6)));
  head = register_module("head", nn::Linear(d[3], options_.num_classes));
}

std::vector<torch::Tensor> ConvNextImpl::ForwardStages(const torch::Tensor& x) {
  std::vector<torch::Tensor> out;
  torch::Tensor y = x;
  for (int i = 0; i < 4; ++i) {
    y = downsample_layers[i]->as<nn::Sequential>()->forward(y);
    y = stages[i]->as<nn::Sequential>()->forward(y);
    out.push_back(y);
  }
  return out;
}

torch::Tensor ConvNextImpl::Pooled(const torch::Tensor& stage3) { return norm(stage3.mean({2, 3})); }

}  // namespace crossview::models

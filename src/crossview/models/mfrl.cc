#include "crossview/models/mfrl.h"

#include <torch/torch.h>

#include "crossview/util/errors.h"

namespace crossview::models {

namespace nn = torch::nn;

void MfrlOptions::Check(int64_t channels) const {
  if (attention != "sge" && attention != "none") {
    throw CV_ERROR(InvalidArgumentError, "unknown MFRL attention '" + attention + "'").Hint("valid: sge, none");
  }
  if (conv != "acmix_conv" && conv != "conv3x3" && conv != "none") {
    throw CV_ERROR(InvalidArgumentError, "unknown MFRL convolution branch '" + conv + "'").Hint("valid: acmix_conv, conv3x3, none");
  }
  if (sge_groups < 1 || channels % sge_groups != 0) {
    throw CV_ERROR(InvalidArgumentError, "SGE groups must divide the channels").With("groups", sge_groups).With("channels", channels);
  }
  if (heads < 1 || channels % heads != 0) {
    throw CV_ERROR(InvalidArgumentError, "ACmix heads must divide the channels").With("heads", heads).With("channels", channels);
  }
  if (kernel < 1 || kernel % 2 == 0) throw CV_ERROR(InvalidArgumentError, "ACmix kernel must be odd").With("kernel", kernel);
}

SgeImpl::SgeImpl(int64_t groups) : groups_(groups) {
  weight = register_parameter("weight", torch::zeros({1, groups, 1, 1}));
  bias = register_parameter("bias", torch::ones({1, groups, 1, 1}));
}

torch::Tensor SgeImpl::forward(const torch::Tensor& x) {
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  if (c % groups_ != 0) throw CV_ERROR(InvalidArgumentError, "SGE input channels not divisible by the groups").With("channels", c).With("groups", groups_);
  torch::Tensor g = x.reshape({n * groups_, c / groups_, h, w});
  torch::Tensor a = (g * g.mean({2, 3}, true)).sum(1, true);  // (N·G, 1, H, W)
  torch::Tensor t = a.reshape({n * groups_, h * w});
  t = t - t.mean(1, true);
  t = t / (t.std(1, /*unbiased=*/true, /*keepdim=*/true) + 1e-5);
  t = t.reshape({n, groups_, h, w}) * weight + bias;
  return (g * torch::sigmoid(t.reshape({n * groups_, 1, h, w}))).reshape({n, c, h, w});
}

AcmixConvImpl::AcmixConvImpl(int64_t channels, int64_t heads, int64_t kernel) : heads_(heads), kernel_(kernel) {
  const int64_t d = channels / heads, k2 = kernel * kernel;
  conv1 = register_module("conv1", nn::Conv2d(nn::Conv2dOptions(channels, channels, 1)));
  conv2 = register_module("conv2", nn::Conv2d(nn::Conv2dOptions(channels, channels, 1)));
  conv3 = register_module("conv3", nn::Conv2d(nn::Conv2dOptions(channels, channels, 1)));
  fc = register_module("fc", nn::Conv2d(nn::Conv2dOptions(3 * heads, k2, 1)));
  dep_conv = register_module("dep_conv", nn::Conv2d(nn::Conv2dOptions(k2 * d, channels, kernel).padding(kernel / 2).groups(d)));
  torch::NoGradGuard ng;
  dep_conv->weight.zero_();
  for (int64_t j = 0; j < k2; ++j) dep_conv->weight.select(1, j).select(1, j / kernel).select(1, j % kernel).fill_(1.0);
  dep_conv->bias.zero_();
}

torch::Tensor AcmixConvImpl::forward(const torch::Tensor& x) {
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  const int64_t d = c / heads_;
  auto heads = [&](const torch::Tensor& t) { return t.reshape({n, heads_, d, h * w}); };
  torch::Tensor all = torch::cat({heads(conv1(x)), heads(conv2(x)), heads(conv3(x))}, 1);  // (N, 3h, d, HW)
  all = fc(all);                                                                             // (N, k², d, HW)
  torch::Tensor shifted = all.permute({0, 2, 1, 3}).reshape({n, d * kernel_ * kernel_, h, w});  // channel i_d·k² + j
  return dep_conv(shifted);
}

ConvBnReluImpl::ConvBnReluImpl(int64_t channels) {
  conv = register_module("conv", nn::Conv2d(nn::Conv2dOptions(channels, channels, 3).padding(1).bias(false)));
  bn = register_module("bn", nn::BatchNorm2d(channels));
}

torch::Tensor ConvBnReluImpl::forward(const torch::Tensor& x) { return torch::relu(bn(conv(x))); }

MfrlFusionImpl::MfrlFusionImpl(int64_t channels, const MfrlOptions& options) {
  options.Check(channels);
  if (options.attention == "sge") {
    sge = register_module("sge", Sge(options.sge_groups));
    alpha = register_parameter("alpha", torch::full({}, options.alpha_init));
  }
  if (options.conv != "none") {
    if (options.conv == "acmix_conv") {
      acmix = register_module("conv", AcmixConv(channels, options.heads, options.kernel));
    } else {
      conv3x3 = register_module("conv", ConvBnRelu(channels));
    }
    beta = register_parameter("beta", torch::full({}, options.beta_init));
  }
}

torch::Tensor MfrlFusionImpl::forward(const torch::Tensor& o) {
  torch::Tensor out;
  if (!sge.is_empty()) out = alpha * sge(o);
  if (!acmix.is_empty() || !conv3x3.is_empty()) {
    torch::Tensor c = beta * (acmix.is_empty() ? conv3x3(o) : acmix(o));
    out = out.defined() ? out + c : c;
  }
  return out.defined() ? out : o;
}

MfrlBranchImpl::MfrlBranchImpl(const ConvNextOptions& backbone, const MfrlOptions& options, const ClassBlockOptions& head) {
  convnext = register_module("convnext", ConvNext(backbone));
  const int64_t c = backbone.dims[3];
  fusion = register_module("fusion", MfrlFusion(c, options));
  ClassBlockOptions h = head;
  h.in_features = c;
  classifier1 = register_module("classifier1", ClassBlock(h));
  classifier_fuse = register_module("classifier_fuse", ClassBlock(h));
}

std::vector<torch::Tensor> MfrlBranchImpl::HeadInputs(const torch::Tensor& o) {
  return {fusion(o).mean({2, 3}), convnext->Pooled(o)};
}

}  // namespace crossview::models

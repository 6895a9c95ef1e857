// DRL heads (spec drl.md §4.2, §4.5, §5.3): channel pooling of the satellite feature map to one
// logit per pixel.
// - ChannelEmbedding ("CE"): Linear stack dims[0]→…→1 per pixel, no activations (keys module_k.*);
// - ChannelPooling avg: channel mean; "gem" (as coded): softmax(p)-weighted channel sum, p init 3;
// - GC: per-sample group-convolution cross-correlation of the satellite map with the UAV map as the
//   kernel, zero padding ⌊k_w/2⌋ on all sides (an even kernel gives H+1 outputs), × out_scale.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <vector>

namespace crossview::models::drl {

class ChannelEmbeddingImpl : public torch::nn::Module {
 public:
  // dims = {128, 64, 16, 1} (paper config) or {128, 64, 32, 8, 1}.
  explicit ChannelEmbeddingImpl(std::vector<int64_t> dims);
  // (B, C, h, w) → (B, 1, h, w)
  torch::Tensor forward(const torch::Tensor& x);
  // The stack folded into one affine map (inference option; must equal forward()).
  torch::Tensor ForwardFolded(const torch::Tensor& x);

 private:
  std::vector<torch::nn::Linear> layers_;
};
TORCH_MODULE(ChannelEmbedding);

class ChannelPoolingImpl : public torch::nn::Module {
 public:
  // mode "avg" or "gem" (softmax-weighted channels, parameter pool.p).
  ChannelPoolingImpl(const std::string& mode, int64_t channels);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  std::string mode_;
  torch::Tensor p_;
};
TORCH_MODULE(ChannelPooling);

class SingleGroupFusionHeadImpl : public torch::nn::Module {
 public:
  SingleGroupFusionHeadImpl(int64_t dim, double out_scale_init, bool padding);
  // uav (B, C, kh, kw), satellite (B, C, H, W) → (B, 1, H', W')
  torch::Tensor forward(const torch::Tensor& uav, const torch::Tensor& satellite);
  torch::nn::Conv2d cls_conv_uav{nullptr}, cls_conv_satellite{nullptr};
  torch::Tensor out_scale;

 private:
  bool padding_;
};
TORCH_MODULE(SingleGroupFusionHead);

// Plain cross-correlation of each satellite map with its own UAV kernel (no parameters).
torch::Tensor GroupCrossCorrelation(const torch::Tensor& uav_kernel, const torch::Tensor& satellite, int64_t padding);

}  // namespace crossview::models::drl

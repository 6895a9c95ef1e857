// ConvNeXt (spec retrieval.md §3.2) in Meta's key layout: downsample_layers.{0..3}.{0,1},
// stages.{s}.{b}.{dwconv,norm,pwconv1,pwconv2,gamma}, norm, head. The timm layout (stem.*,
// stages.s.downsample.*, stages.s.blocks.b.{conv_dw,mlp.fc1,mlp.fc2}, head.norm/head.fc) is mapped
// onto these names by the weight loader (models/weights). LayerNorm eps 1e-6 everywhere; the
// channels-first LN normalises over channels at each position; exact (erf) GELU; layer scale.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include <vector>

namespace crossview::models {

struct ConvNextOptions {
  std::vector<int64_t> depths = {3, 3, 9, 3};
  std::vector<int64_t> dims = {96, 192, 384, 768};
  double layer_scale_init = 1e-6;
  double drop_path = 0.0;  // max stochastic depth rate, spread linearly over all blocks
  int64_t num_classes = 1000;
  void Check() const;
  static ConvNextOptions Tiny();   // ConvNeXt-T
  static ConvNextOptions Base();   // ConvNeXt-B (Sample4Geo)
  static ConvNextOptions Small();  // reduced CPU configuration: depths 1/1/2/1, dims 24/48/96/192
};

// LayerNorm over the channel axis of an NCHW map (eps 1e-6), equal to channels-last LN.
class ChannelsFirstLayerNormImpl : public torch::nn::Module {
 public:
  explicit ChannelsFirstLayerNormImpl(int64_t channels, double eps = 1e-6);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight, bias;

 private:
  double eps_;
};
TORCH_MODULE(ChannelsFirstLayerNorm);

class ConvNextImpl : public torch::nn::Module {
 public:
  explicit ConvNextImpl(const ConvNextOptions& options = ConvNextOptions::Tiny());
  // Per-stage maps [stage0 (s/4), stage1 (s/8), stage2 (s/16), stage3 (s/32)].
  std::vector<torch::Tensor> ForwardStages(const torch::Tensor& x);
  // LN(GAP(stage3)): the (N, dims[3]) pooled feature ("forward_features").
  torch::Tensor Pooled(const torch::Tensor& stage3);
  const ConvNextOptions& options() const { return options_; }

 private:
  ConvNextOptions options_;
  torch::nn::ModuleList downsample_layers{nullptr};
  torch::nn::ModuleList stages{nullptr};
  torch::nn::LayerNorm norm{nullptr};
  torch::nn::Linear head{nullptr};
};
TORCH_MODULE(ConvNext);

}  // namespace crossview::models

// MFRL, the ConvNeXt multi-level representation network of [MFRL-P] (spec retrieval.md §4.7).
// The paper has no code; this spec defines the wiring and key names ([INTERP], each an option):
//   O      = ConvNeXt-T stage-4 map (N, 768, h, w), backbone shared by both views
//   F_att  = SGE(O), G = 64 groups                       (model_1.fusion.sge.{weight,bias})
//   F_conv = the ACmix convolution path on O              (model_1.fusion.conv.{conv1,conv2,conv3,fc,dep_conv})
//   F_out  = α·F_att + β·F_conv, α, β scalars init 0.5    (model_1.fusion.alpha, model_1.fusion.beta)
//   g_glob = LN_final(GAP(O)) → classifier1,  g_fuse = GAP(F_out) → classifier_fuse
// (ClassBlock(768, K, 0.5) each). Train: logits/features [fuse, glob]; eval (N, 512, 2) = [fuse, glob].
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <string>
#include <vector>

#include "crossview/models/backbones/convnext.h"
#include "crossview/models/heads/class_block.h"

namespace crossview::models {

struct MfrlOptions {
  std::string attention = "sge";    // sge | none (the "w/o SGE" ablation)
  std::string conv = "acmix_conv";  // acmix_conv (ACmix convolution path) | conv3x3 (Conv3×3+BN+ReLU) | none
  int64_t sge_groups = 64;          // SGE groups G (768 / 64 = 12 channels per group)
  int64_t heads = 4;                // ACmix heads h (head dim d = C / h)
  int64_t kernel = 3;               // ACmix convolution kernel k
  double alpha_init = 0.5;          // ACmix's initialisation of the fusion scalars
  double beta_init = 0.5;
  // Throws InvalidArgumentError for unknown values or sizes `channels` cannot be split into.
  void Check(int64_t channels) const;
};

// Spatial Group-wise Enhance [SGE] with the reference initialisation (weight 0, bias 1): per group,
// a(x,y) = Σ_c X_c(x,y)·mean_xy(X_c), standardised over positions with the UNBIASED std + 1e-5,
// t = a·w_g + b_g, output X·sigmoid(t).
class SgeImpl : public torch::nn::Module {
 public:
  explicit SgeImpl(int64_t groups);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight, bias;  // [1, G, 1, 1]

 private:
  int64_t groups_;
};
TORCH_MODULE(Sge);

// The convolution path of ACmix: 1×1 q/k/v projections, `fc` mixes the 3h head maps into k²
// shift channels per head dimension, and `dep_conv` (groups d, shift-kernel initialisation:
// weight[o, j, ⌊j/k⌋, j mod k] = 1) aggregates them: (N, C, H, W) → (N, C, H, W).
class AcmixConvImpl : public torch::nn::Module {
 public:
  AcmixConvImpl(int64_t channels, int64_t heads, int64_t kernel);
  torch::Tensor forward(const torch::Tensor& x);
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr}, fc{nullptr}, dep_conv{nullptr};

 private:
  int64_t heads_, kernel_;
};
TORCH_MODULE(AcmixConv);

// Ablation alternative: Conv3×3 (no bias) → BN → ReLU, keys conv.{conv,bn}.*.
class ConvBnReluImpl : public torch::nn::Module {
 public:
  explicit ConvBnReluImpl(int64_t channels);
  torch::Tensor forward(const torch::Tensor& x);
  torch::nn::Conv2d conv{nullptr};
  torch::nn::BatchNorm2d bn{nullptr};
};
TORCH_MODULE(ConvBnRelu);

// F_out = α·SGE(O) + β·Conv(O); a disabled branch drops its term (both disabled: F_out = O).
class MfrlFusionImpl : public torch::nn::Module {
 public:
  MfrlFusionImpl(int64_t channels, const MfrlOptions& options);
  torch::Tensor forward(const torch::Tensor& o);
  Sge sge{nullptr};
  AcmixConv acmix{nullptr};
  ConvBnRelu conv3x3{nullptr};
  torch::Tensor alpha, beta;  // scalars (shape []), defined when their branch is
};
TORCH_MODULE(MfrlFusion);

// `model_1` of MFRL: the backbone, the fusion and the two classifiers.
class MfrlBranchImpl : public torch::nn::Module {
 public:
  MfrlBranchImpl(const ConvNextOptions& backbone, const MfrlOptions& options, const ClassBlockOptions& head);
  // The two head inputs [g_fuse, g_glob] from the stage-4 map O.
  std::vector<torch::Tensor> HeadInputs(const torch::Tensor& o);
  ConvNext convnext{nullptr};
  MfrlFusion fusion{nullptr};
  ClassBlock classifier1{nullptr}, classifier_fuse{nullptr};
};
TORCH_MODULE(MfrlBranch);

}  // namespace crossview::models

// CvT-13 (spec drl.md §2) with the reference's quirks, in two flavours:
// - Mix-Fusion (§3): one stream over [UAV tokens ; satellite tokens] with asymmetric mixed
//   attention (UAV queries see UAV keys; satellite queries see UAV + satellite keys), frozen BN in
//   the q/k/v projections, the stage-2 cls token present but unused;
// - Post-Fusion (§4): an ordinary CvT-13 per view with trainable BN and a real stage-2 cls token.
// Common: convolutional token embedding (conv + channel LN), dw-conv + BN projections (q stride 1,
// k/v stride 2) followed by Linear proj_{q,k,v}, attention scale C^-1/2 (not head_dim^-1/2),
// QuickGELU MLP, pre-norm blocks with timm-style drop path.
//
// Keys: stage{i}.patch_embed.{proj,norm}.*, stage{i}.blocks.{j}.{norm1,norm2}.*,
// ...attn.conv_proj_{q,k,v}.{conv,bn}.*, ...attn.proj_{q,k,v}.*, ...attn.proj.*, ...mlp.fc{1,2}.*,
// stage2.cls_token, norm.*, [head.*].
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include <memory>
#include <utility>
#include <vector>

namespace crossview::models::drl {

struct CvtStageSpec {
  int64_t patch_kernel, patch_stride, patch_padding, in_channels, dim, heads, depth;
  double drop_path_max;  // rates 0..max spread linearly over the stage's blocks
  bool cls_token;
};

struct CvtOptions {
  std::vector<CvtStageSpec> stages = {
      {7, 4, 2, 3, 64, 1, 1, 0.0, false},
      {3, 2, 1, 64, 192, 3, 2, 0.0, false},
      {3, 2, 1, 192, 384, 6, 10, 0.1, true},
  };
  bool mix_fusion = true;      // Mix-Fusion attention + frozen BN; false = Post-Fusion CvT
  bool with_head = true;       // the unused ImageNet head (Mix-Fusion keys only)
  int64_t num_classes = 1000;
  double mlp_ratio = 4.0;
  void Check() const;
  // CvT-13 as the paper uses it; `small` = a reduced configuration for CPU tests and the demo
  // (dims 32/64/128, depths 1/1/2; same structure and key names, smaller shapes).
  static CvtOptions Cvt13(bool mix_fusion);
  static CvtOptions Small(bool mix_fusion);
};

// A spatial token grid: rows × cols tokens, row-major.
struct TokenGrid {
  int64_t rows = 0, cols = 0;
  int64_t size() const { return rows * cols; }
};

// BatchNorm2d whose four tensors are buffers (never trained, no num_batches_tracked).
class FrozenBatchNorm2dImpl : public torch::nn::Module {
 public:
  explicit FrozenBatchNorm2dImpl(int64_t channels, double eps = 1e-5);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight, bias, running_mean, running_var;

 private:
  double eps_;
};
TORCH_MODULE(FrozenBatchNorm2d);

class CvtStageImpl;  // defined in cvt.cc

class CvtImpl : public torch::nn::Module {
 public:
  explicit CvtImpl(const CvtOptions& options = CvtOptions::Cvt13(true));

  // Post-Fusion: one image → the three stage maps [s0, s1, s2].
  std::vector<torch::Tensor> ForwardSingle(const torch::Tensor& image);
  // Mix-Fusion: (UAV, satellite) → their stage maps, each [s0, s1, s2].
  std::pair<std::vector<torch::Tensor>, std::vector<torch::Tensor>> ForwardMixed(const torch::Tensor& uav,
                                                                                 const torch::Tensor& satellite);
  const CvtOptions& options() const { return options_; }

 private:
  CvtOptions options_;
  std::vector<std::shared_ptr<CvtStageImpl>> stages_;
  torch::nn::LayerNorm norm{nullptr};
  torch::nn::Linear head{nullptr};
};
TORCH_MODULE(Cvt);

}  // namespace crossview::models::drl

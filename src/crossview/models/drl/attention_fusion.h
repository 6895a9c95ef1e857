// Attention fusion heads of Post-Fusion (spec drl.md §4.3–4.4), stacks of 4 layers with d = 128,
// 8 heads, FFN 256, dropout 0.1, ReLU, no position embedding:
// - CAF (corrected definition): a = MHA(q = satellite, k = v = UAV); h = LN(X + Dropout(a));
//   X ← Linear22(Dropout(ReLU(Linear21(h)))) — no residual or norm after the FFN (default);
// - SAF (as coded): S = [UAV ; satellite]; a = MHA(S, S, S); h = LN11(S + Dropout(a));
//   S ← Linear22(Dropout(ReLU(Linear21(h)))); the satellite part of the last S is pooled.
// Then Linear(128 → 1) per satellite token, reshaped to (B, 1, H, W).
// Every module the reference constructs exists for key compatibility (head.head.encoder.layers.
// {i}.{self_attn1,self_attn2,multihead_attn1,multihead_attn2,linear11,linear12,linear21,linear22,
// norm11..13,norm21..23}, head.head.decoder.layers.0.*, head.head.pool.pool.*), used or not.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include <string>

namespace crossview::models::drl {

struct AttentionFusionOptions {
  std::string kind = "caf";  // caf | saf
  int64_t dim = 128;
  int64_t heads = 8;
  int64_t feedforward = 256;
  int64_t layers = 4;
  double dropout = 0.1;
  bool ffn_residual = false;  // option: X ← LN'(h + Dropout(FFN(h))) (TransT/DETR form)
  void Check() const;
};

class AttentionFusionHeadImpl : public torch::nn::Module {
 public:
  explicit AttentionFusionHeadImpl(const AttentionFusionOptions& options = {});
  // uav (B, C, hu, wu), satellite (B, C, H, W) → (B, 1, H, W)
  torch::Tensor forward(const torch::Tensor& uav, const torch::Tensor& satellite);

 private:
  AttentionFusionOptions options_;
  torch::nn::ModuleList layers_{nullptr};
  torch::nn::Linear pool_{nullptr};
};
TORCH_MODULE(AttentionFusionHead);

}  // namespace crossview::models::drl

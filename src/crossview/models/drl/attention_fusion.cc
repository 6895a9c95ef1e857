#include "crossview/models/drl/attention_fusion.h"

#include <torch/torch.h>

#include "crossview/util/errors.h"

namespace crossview::models::drl {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

void AttentionFusionOptions::Check() const {
  if (kind != "caf" && kind != "saf") throw CV_ERROR(InvalidArgumentError, "unknown attention fusion '" + kind + "'").Hint("valid: caf, saf");
  if (dim % heads != 0 || layers < 1) throw CV_ERROR(InvalidArgumentError, "attention fusion needs dim divisible by heads and >= 1 layer");
}

namespace {

nn::MultiheadAttention Mha(const AttentionFusionOptions& o) {
  return nn::MultiheadAttention(nn::MultiheadAttentionOptions(o.dim, o.heads).dropout(o.dropout));
}
nn::LayerNorm Ln(int64_t d) { return nn::LayerNorm(nn::LayerNormOptions({d})); }

class FusionLayerImpl : public nn::Module {
 public:
  explicit FusionLayerImpl(const AttentionFusionOptions& o) : o_(o) {
    self_attn1 = register_module("self_attn1", Mha(o));
    self_attn2 = register_module("self_attn2", Mha(o));
    multihead_attn1 = register_module("multihead_attn1", Mha(o));
    multihead_attn2 = register_module("multihead_attn2", Mha(o));
    linear11 = register_module("linear11", nn::Linear(o.dim, o.feedforward));
    linear12 = register_module("linear12", nn::Linear(o.feedforward, o.dim));
    linear21 = register_module("linear21", nn::Linear(o.dim, o.feedforward));
    linear22 = register_module("linear22", nn::Linear(o.feedforward, o.dim));
    for (const char* n : {"norm11", "norm12", "norm13", "norm21", "norm22", "norm23"}) norms_.emplace(n, register_module(n, Ln(o.dim)));
    dropout = register_module("dropout", nn::Dropout(o.dropout));
  }
  // Tokens are seq-first (T, B, C).
  torch::Tensor Caf(const torch::Tensor& x, const torch::Tensor& z) {
    torch::Tensor a = std::get<0>(multihead_attn2(x, z, z));
    torch::Tensor h = norms_.at("norm22")(x + dropout(a));
    return Ffn(h, "norm23");
  }
  torch::Tensor Saf(const torch::Tensor& s) {
    torch::Tensor a = std::get<0>(self_attn1(s, s, s));
    torch::Tensor h = norms_.at("norm11")(s + dropout(a));
    return Ffn(h, "norm21");
  }
  nn::MultiheadAttention self_attn1{nullptr}, self_attn2{nullptr}, multihead_attn1{nullptr}, multihead_attn2{nullptr};
  nn::Linear linear11{nullptr}, linear12{nullptr}, linear21{nullptr}, linear22{nullptr};
  nn::Dropout dropout{nullptr};

 private:
  torch::Tensor Ffn(const torch::Tensor& h, const char* residual_norm) {
    torch::Tensor f = linear22(dropout(torch::relu(linear21(h))));
    return o_.ffn_residual ? norms_.at(residual_norm)(h + dropout(f)) : f;
  }
  AttentionFusionOptions o_;
  std::map<std::string, nn::LayerNorm> norms_;
};
TORCH_MODULE(FusionLayer);

// The reference's one-layer decoder: constructed for key compatibility, never used.
class UnusedDecoderLayerImpl : public nn::Module {
 public:
  explicit UnusedDecoderLayerImpl(const AttentionFusionOptions& o) {
    register_module("multihead_attn", Mha(o));
    register_module("linear1", nn::Linear(o.dim, o.feedforward));
    register_module("linear2", nn::Linear(o.feedforward, o.dim));
    register_module("norm1", Ln(o.dim));
    register_module("norm2", Ln(o.dim));
  }
};
TORCH_MODULE(UnusedDecoderLayer);

class NamedModuleImpl : public nn::Module {};
TORCH_MODULE(NamedModule);

}  // namespace

AttentionFusionHeadImpl::AttentionFusionHeadImpl(const AttentionFusionOptions& options) : options_(options) {
  options_.Check();
  auto encoder = register_module("encoder", NamedModule());
  layers_ = encoder->register_module("layers", nn::ModuleList());
  for (int64_t i = 0; i < options_.layers; ++i) layers_->push_back(FusionLayer(options_));
  auto decoder = register_module("decoder", NamedModule());
  auto dlayers = decoder->register_module("layers", nn::ModuleList());
  dlayers->push_back(UnusedDecoderLayer(options_));
  auto pool = register_module("pool", NamedModule());
  pool_ = pool->register_module("pool", nn::Linear(options_.dim, 1));
  // Xavier-uniform on every parameter with more than one dimension.
  torch::NoGradGuard ng;
  for (auto& p : parameters()) {
    if (p.dim() > 1) nn::init::xavier_uniform_(p);
  }
}

torch::Tensor AttentionFusionHeadImpl::forward(const torch::Tensor& uav, const torch::Tensor& satellite) {
  const int64_t b = satellite.size(0), h = satellite.size(2), w = satellite.size(3);
  torch::Tensor x = satellite.flatten(2).permute({2, 0, 1});  // (H·W, B, C)
  torch::Tensor z = uav.flatten(2).permute({2, 0, 1});        // (hu·wu, B, C)
  torch::Tensor s = options_.kind == "saf" ? torch::cat({z, x}, 0) : x;
  for (auto& m : *layers_) {
    auto* layer = m->as<FusionLayerImpl>();
    if (options_.kind == "caf") {
      x = layer->Caf(x, z);  // the UAV tokens are never updated
    } else {
      s = layer->Saf(s);
    }
  }
  if (options_.kind == "saf") x = s.narrow(0, z.size(0), h * w);
  torch::Tensor logits = pool_(x);  // (H·W, B, 1)
  return logits.permute({1, 2, 0}).reshape({b, 1, h, w});
}

}  // namespace crossview::models::drl

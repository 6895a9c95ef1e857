#include "crossview/models/drl/cvt.h"

#include <torch/torch.h>

#include <cmath>

#include "crossview/util/errors.h"

namespace crossview::models::drl {

namespace nn = torch::nn;
using torch::indexing::Slice;

void CvtOptions::Check() const {
  if (stages.size() != 3) throw CV_ERROR(InvalidArgumentError, "CvT needs exactly 3 stages").With("stages", stages.size());
  for (size_t i = 0; i < stages.size(); ++i) {
    const auto& s = stages[i];
    if (s.dim <= 0 || s.heads <= 0 || s.dim % s.heads != 0 || s.depth <= 0) {
      throw CV_ERROR(InvalidArgumentError, "bad CvT stage: dim must be a positive multiple of heads, depth > 0")
          .With("stage", i).With("dim", s.dim).With("heads", s.heads).With("depth", s.depth);
    }
    if (i > 0 && s.in_channels != stages[i - 1].dim) {
      throw CV_ERROR(InvalidArgumentError, "CvT stage input must equal the previous stage's dim").With("stage", i);
    }
  }
}

CvtOptions CvtOptions::Cvt13(bool mix_fusion) {
  CvtOptions o;
  o.mix_fusion = mix_fusion;
  o.with_head = mix_fusion;
  return o;
}

CvtOptions CvtOptions::Small(bool mix_fusion) {
  CvtOptions o = Cvt13(mix_fusion);
  o.stages = {{7, 4, 2, 3, 32, 1, 1, 0.0, false}, {3, 2, 1, 32, 64, 1, 1, 0.0, false}, {3, 2, 1, 64, 128, 2, 2, 0.1, true}};
  return o;
}

FrozenBatchNorm2dImpl::FrozenBatchNorm2dImpl(int64_t channels, double eps) : eps_(eps) {
  weight = register_buffer("weight", torch::ones({channels}));
  bias = register_buffer("bias", torch::zeros({channels}));
  running_mean = register_buffer("running_mean", torch::zeros({channels}));
  running_var = register_buffer("running_var", torch::ones({channels}));
}

torch::Tensor FrozenBatchNorm2dImpl::forward(const torch::Tensor& x) {
  torch::Tensor scale = weight * (running_var + eps_).rsqrt();
  torch::Tensor shift = bias - running_mean * scale;
  return x * scale.view({1, -1, 1, 1}) + shift.view({1, -1, 1, 1});
}

namespace {

// (B, T, C) tokens of one grid ↔ (B, C, rows, cols) map.
torch::Tensor ToMap(const torch::Tensor& tokens, const TokenGrid& g) {
  return tokens.transpose(1, 2).reshape({tokens.size(0), tokens.size(2), g.rows, g.cols});
}
torch::Tensor ToTokens(const torch::Tensor& map) { return map.flatten(2).transpose(1, 2); }

torch::Tensor QuickGelu(const torch::Tensor& x) { return x * torch::sigmoid(1.702 * x); }

// Per-sample stochastic depth (timm): keep with probability 1-p, scale survivors by 1/(1-p).
torch::Tensor DropPath(const torch::Tensor& x, double p, bool training) {
  if (p <= 0.0 || !training) return x;
  std::vector<int64_t> shape(x.dim(), 1);
  shape[0] = x.size(0);
  torch::Tensor keep = torch::empty(shape, x.options()).bernoulli_(1.0 - p);
  return x * keep / (1.0 - p);
}

class ConvEmbedImpl : public nn::Module {
 public:
  explicit ConvEmbedImpl(const CvtStageSpec& s) {
    proj = register_module("proj", nn::Conv2d(nn::Conv2dOptions(s.in_channels, s.dim, s.patch_kernel)
                                                   .stride(s.patch_stride).padding(s.patch_padding)));
    norm = register_module("norm", nn::LayerNorm(nn::LayerNormOptions({s.dim}).eps(1e-5)));
  }
  // image/map → (tokens (B, T, C), grid)
  std::pair<torch::Tensor, TokenGrid> forward(const torch::Tensor& x) {
    torch::Tensor y = proj(x);
    TokenGrid g{y.size(2), y.size(3)};
    return {norm(ToTokens(y)), g};
  }
  nn::Conv2d proj{nullptr};
  nn::LayerNorm norm{nullptr};
};
TORCH_MODULE(ConvEmbed);

// dw_bn projection: depthwise 3×3 conv (no bias) + BN, then flatten to tokens.
class ConvProjectionImpl : public nn::Module {
 public:
  ConvProjectionImpl(int64_t dim, int64_t stride, bool frozen_bn) {
    conv = register_module("conv", nn::Conv2d(nn::Conv2dOptions(dim, dim, 3).stride(stride).padding(1).groups(dim).bias(false)));
    if (frozen_bn) {
      frozen = register_module("bn", FrozenBatchNorm2d(dim));
    } else {
      bn = register_module("bn", nn::BatchNorm2d(nn::BatchNorm2dOptions(dim).eps(1e-5).momentum(0.1)));
    }
  }
  // map (B, C, h, w) → tokens (B, h'·w', C)
  torch::Tensor forward(const torch::Tensor& map) {
    torch::Tensor y = conv(map);
    y = frozen.is_empty() ? bn(y) : frozen(y);
    return ToTokens(y);
  }
  nn::Conv2d conv{nullptr};
  nn::BatchNorm2d bn{nullptr};
  FrozenBatchNorm2d frozen{nullptr};
};
TORCH_MODULE(ConvProjection);

class AttentionImpl : public nn::Module {
 public:
  AttentionImpl(int64_t dim, int64_t heads, bool frozen_bn) : dim_(dim), heads_(heads) {
    conv_proj_q = register_module("conv_proj_q", ConvProjection(dim, 1, frozen_bn));
    conv_proj_k = register_module("conv_proj_k", ConvProjection(dim, 2, frozen_bn));
    conv_proj_v = register_module("conv_proj_v", ConvProjection(dim, 2, frozen_bn));
    proj_q = register_module("proj_q", nn::Linear(dim, dim));
    proj_k = register_module("proj_k", nn::Linear(dim, dim));
    proj_v = register_module("proj_v", nn::Linear(dim, dim));
    proj = register_module("proj", nn::Linear(dim, dim));
  }

  // (B, T, C) → (B, heads, T, C/heads), channel index = head·d + i.
  torch::Tensor Heads(const torch::Tensor& t) const {
    return t.view({t.size(0), t.size(1), heads_, dim_ / heads_}).transpose(1, 2);
  }
  torch::Tensor Merge(const torch::Tensor& t) const {
    return t.transpose(1, 2).reshape({t.size(0), t.size(2), dim_});
  }
  torch::Tensor Attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) const {
    // Scale C^-1/2 (the CvT quirk), not head_dim^-1/2.
    torch::Tensor scores = torch::matmul(q, k.transpose(-2, -1)) * (1.0 / std::sqrt(static_cast<double>(dim_)));
    return torch::matmul(torch::softmax(scores, -1), v);
  }

  // Single image, with an optional leading cls token (Post-Fusion stage 2).
  torch::Tensor ForwardSingle(const torch::Tensor& x, const TokenGrid& g, bool has_cls) {
    torch::Tensor cls, body = x;
    if (has_cls) {
      cls = x.narrow(1, 0, 1);
      body = x.narrow(1, 1, x.size(1) - 1);
    }
    torch::Tensor map = ToMap(body, g);
    torch::Tensor q = conv_proj_q(map), k = conv_proj_k(map), v = conv_proj_v(map);
    if (has_cls) {
      q = torch::cat({cls, q}, 1);
      k = torch::cat({cls, k}, 1);
      v = torch::cat({cls, v}, 1);
    }
    q = Heads(proj_q(q));
    k = Heads(proj_k(k));
    v = Heads(proj_v(v));
    return proj(Merge(Attend(q, k, v)));
  }

  // Mix-Fusion: x = [UAV tokens ; satellite tokens].
  torch::Tensor ForwardMixed(const torch::Tensor& x, const TokenGrid& gu, const TokenGrid& gx) {
    torch::Tensor mu = ToMap(x.narrow(1, 0, gu.size()), gu);
    torch::Tensor mx = ToMap(x.narrow(1, gu.size(), gx.size()), gx);
    // Each image is projected (and zero-padded) separately; k/v lengths follow the conv outputs.
    torch::Tensor ku = conv_proj_k(mu), kx = conv_proj_k(mx);
    const int64_t nu = ku.size(1);
    torch::Tensor q = Heads(proj_q(torch::cat({conv_proj_q(mu), conv_proj_q(mx)}, 1)));
    torch::Tensor k = Heads(proj_k(torch::cat({ku, kx}, 1)));
    torch::Tensor v = Heads(proj_v(torch::cat({conv_proj_v(mu), conv_proj_v(mx)}, 1)));
    torch::Tensor qu = q.narrow(2, 0, gu.size()), qx = q.narrow(2, gu.size(), gx.size());
    torch::Tensor out_u = Attend(qu, k.narrow(2, 0, nu), v.narrow(2, 0, nu));  // UAV sees only UAV
    torch::Tensor out_x = Attend(qx, k, v);                                     // satellite sees both
    return proj(Merge(torch::cat({out_u, out_x}, 2)));
  }

  ConvProjection conv_proj_q{nullptr}, conv_proj_k{nullptr}, conv_proj_v{nullptr};
  nn::Linear proj_q{nullptr}, proj_k{nullptr}, proj_v{nullptr}, proj{nullptr};

 private:
  int64_t dim_, heads_;
};
TORCH_MODULE(Attention);

class MlpImpl : public nn::Module {
 public:
  MlpImpl(int64_t dim, int64_t hidden) {
    fc1 = register_module("fc1", nn::Linear(dim, hidden));
    fc2 = register_module("fc2", nn::Linear(hidden, dim));
  }
  torch::Tensor forward(const torch::Tensor& x) { return fc2(QuickGelu(fc1(x))); }
  nn::Linear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(Mlp);

class BlockImpl : public nn::Module {
 public:
  BlockImpl(int64_t dim, int64_t heads, double mlp_ratio, double drop_path, bool frozen_bn) : drop_path_(drop_path) {
    norm1 = register_module("norm1", nn::LayerNorm(nn::LayerNormOptions({dim}).eps(1e-5)));
    attn = register_module("attn", Attention(dim, heads, frozen_bn));
    norm2 = register_module("norm2", nn::LayerNorm(nn::LayerNormOptions({dim}).eps(1e-5)));
    mlp = register_module("mlp", Mlp(dim, static_cast<int64_t>(dim * mlp_ratio)));
  }
  torch::Tensor ForwardSingle(const torch::Tensor& x, const TokenGrid& g, bool has_cls) {
    torch::Tensor y = x + DropPath(attn->ForwardSingle(norm1(x), g, has_cls), drop_path_, is_training());
    return y + DropPath(mlp(norm2(y)), drop_path_, is_training());
  }
  torch::Tensor ForwardMixed(const torch::Tensor& x, const TokenGrid& gu, const TokenGrid& gx) {
    torch::Tensor y = x + DropPath(attn->ForwardMixed(norm1(x), gu, gx), drop_path_, is_training());
    return y + DropPath(mlp(norm2(y)), drop_path_, is_training());
  }
  nn::LayerNorm norm1{nullptr}, norm2{nullptr};
  Attention attn{nullptr};
  Mlp mlp{nullptr};

 private:
  double drop_path_;
};
TORCH_MODULE(Block);

// timm's trunc_normal_(std) truncates at ±2 in absolute units (±100 std for std 0.02).
void InitTruncNormal(torch::Tensor& t, double std) {
  torch::NoGradGuard ng;
  t.normal_(0.0, std).clamp_(-2.0, 2.0);
}

}  // namespace

class CvtStageImpl : public nn::Module {
 public:
  CvtStageImpl(const CvtStageSpec& s, double mlp_ratio, bool frozen_bn)
      : spec_(s), use_cls_(s.cls_token && !frozen_bn) {
    patch_embed = register_module("patch_embed", ConvEmbed(s));
    if (s.cls_token) {
      cls_token = register_parameter("cls_token", torch::zeros({1, 1, s.dim}));
      InitTruncNormal(cls_token, 0.02);
    }
    blocks = register_module("blocks", nn::ModuleList());
    for (int64_t j = 0; j < s.depth; ++j) {
      double dp = s.depth > 1 ? s.drop_path_max * static_cast<double>(j) / static_cast<double>(s.depth - 1) : 0.0;
      blocks->push_back(Block(s.dim, s.heads, mlp_ratio, dp, frozen_bn));
    }
  }

  torch::Tensor ForwardSingle(const torch::Tensor& x) {
    auto [tokens, grid] = patch_embed(x);
    // Mix-Fusion keeps the stage-2 cls token for key compatibility but never uses it.
    const bool use_cls = use_cls_;
    if (use_cls) tokens = torch::cat({cls_token.expand({tokens.size(0), 1, spec_.dim}), tokens}, 1);
    for (auto& b : *blocks) tokens = b->as<BlockImpl>()->ForwardSingle(tokens, grid, use_cls);
    if (use_cls) tokens = tokens.narrow(1, 1, tokens.size(1) - 1);
    return ToMap(tokens, grid);
  }

  std::pair<torch::Tensor, torch::Tensor> ForwardMixed(const torch::Tensor& uav, const torch::Tensor& sat) {
    auto [tu, gu] = patch_embed(uav);
    auto [tx, gx] = patch_embed(sat);
    torch::Tensor t = torch::cat({tu, tx}, 1);  // [UAV ; satellite]; the cls token is never used
    for (auto& b : *blocks) t = b->as<BlockImpl>()->ForwardMixed(t, gu, gx);
    return {ToMap(t.narrow(1, 0, gu.size()), gu), ToMap(t.narrow(1, gu.size(), gx.size()), gx)};
  }

  ConvEmbed patch_embed{nullptr};
  nn::ModuleList blocks{nullptr};
  torch::Tensor cls_token;

 private:
  CvtStageSpec spec_;
  bool use_cls_;
};

CvtImpl::CvtImpl(const CvtOptions& options) : options_(options) {
  options_.Check();
  for (size_t i = 0; i < options_.stages.size(); ++i) {
    auto stage = std::make_shared<CvtStageImpl>(options_.stages[i], options_.mlp_ratio, options_.mix_fusion);
    stages_.push_back(register_module("stage" + std::to_string(i), stage));
  }
  const int64_t last = options_.stages.back().dim;
  norm = register_module("norm", nn::LayerNorm(nn::LayerNormOptions({last}).eps(1e-5)));
  if (options_.with_head) head = register_module("head", nn::Linear(last, options_.num_classes));
  // Linear: truncated normal std 0.02, bias 0 (reference init where no checkpoint is loaded).
  for (auto& m : modules(false)) {
    if (auto* l = m->as<nn::Linear>()) {
      InitTruncNormal(l->weight, 0.02);
      nn::init::zeros_(l->bias);
    }
  }
}

std::vector<torch::Tensor> CvtImpl::ForwardSingle(const torch::Tensor& image) {
  std::vector<torch::Tensor> maps;
  torch::Tensor x = image;
  for (auto& s : stages_) {
    x = s->ForwardSingle(x);
    maps.push_back(x);
  }
  return maps;
}

std::pair<std::vector<torch::Tensor>, std::vector<torch::Tensor>> CvtImpl::ForwardMixed(const torch::Tensor& uav,
                                                                                        const torch::Tensor& satellite) {
  if (!options_.mix_fusion) {
    throw CV_ERROR(InvalidArgumentError, "ForwardMixed needs a Mix-Fusion CvT").Hint("build it with mix_fusion = true");
  }
  std::vector<torch::Tensor> mu, mx;
  torch::Tensor u = uav, x = satellite;
  for (auto& s : stages_) {
    std::tie(u, x) = s->ForwardMixed(u, x);
    mu.push_back(u);
    mx.push_back(x);
  }
  return {mu, mx};
}

}  // namespace crossview::models::drl

#include "crossview/models/heads/part_pooling.h"

#include <torch/torch.h>

#include <cmath>

#include "crossview/util/errors.h"

namespace crossview::models {

namespace F = torch::nn::functional;
using torch::indexing::Slice;

namespace {

at::Tensor Pool(const at::Tensor& x, PartPool pool) {
  // Over the whole (H, W) area of x, zeros included: this is the "divide by the full square" rule.
  return pool == PartPool::kAvg ? x.mean({2, 3}) : x.amax({2, 3});
}

struct RingGeometry {
  at::Tensor x;  // possibly resized map
  int64_t h = 0, w = 0, c_h = 0, c_w = 0, per_h = 0, per_w = 0;
};

RingGeometry Geometry(const at::Tensor& input, int blocks) {
  if (input.dim() != 4) {
    throw CV_ERROR(InvalidArgumentError, "part pooling expects an (N, C, H, W) map").With("dims", input.dim());
  }
  if (blocks < 1) throw CV_ERROR(InvalidArgumentError, "part pooling needs at least one block").With("blocks", blocks);
  RingGeometry g;
  g.x = input;
  g.h = input.size(2);
  g.w = input.size(3);
  g.c_h = g.h / 2;
  g.c_w = g.w / 2;
  double per_h = static_cast<double>(g.h) / (2.0 * blocks);
  double per_w = static_cast<double>(g.w) / (2.0 * blocks);
  if (per_h < 1 && per_w < 1) {
    // Too small for b rings: enlarge bilinearly (align_corners = true) as the reference does.
    int64_t new_h = g.h + (blocks - g.c_h) * 2, new_w = g.w + (blocks - g.c_w) * 2;
    g.x = F::interpolate(input, F::InterpolateFuncOptions()
                                    .size(std::vector<int64_t>{new_h, new_w})
                                    .mode(torch::kBilinear)
                                    .align_corners(true));
    g.h = new_h;
    g.w = new_w;
    g.c_h = g.h / 2;
    g.c_w = g.w / 2;
    per_h = static_cast<double>(g.h) / (2.0 * blocks);
    per_w = static_cast<double>(g.w) / (2.0 * blocks);
  }
  g.per_h = static_cast<int64_t>(std::floor(per_h));
  g.per_w = static_cast<int64_t>(std::floor(per_w));
  if (g.per_h < 1 || g.per_w < 1) {
    throw CV_ERROR(InvalidArgumentError, "feature map too small for the part partition")
        .With("H", input.size(2)).With("W", input.size(3)).With("blocks", blocks);
  }
  return g;
}

// The filled square S_i.
at::Tensor Square(const RingGeometry& g, int64_t i) {
  return g.x.index({Slice(), Slice(), Slice(g.c_h - i * g.per_h, g.c_h + i * g.per_h),
                    Slice(g.c_w - i * g.per_w, g.c_w + i * g.per_w)});
}

// `region` minus S_{i_inner} placed at (top, left) inside it: the zeroing by subtraction.
at::Tensor SubtractInner(const at::Tensor& region, const at::Tensor& inner, int64_t top, int64_t left) {
  at::Tensor padded = torch::zeros_like(region);
  int64_t bottom = std::min<int64_t>(top + inner.size(2), region.size(2));
  int64_t right = std::min<int64_t>(left + inner.size(3), region.size(3));
  padded.index_put_({Slice(), Slice(), Slice(top, bottom), Slice(left, right)},
                    inner.index({Slice(), Slice(), Slice(0, bottom - top), Slice(0, right - left)}));
  return region - padded;
}

// Ring i (1-based, 1 < i < b): S_i with S_{i-1} zeroed.
at::Tensor Ring(const RingGeometry& g, int64_t i) {
  return SubtractInner(Square(g, i), Square(g, i - 1), g.per_h, g.per_w);
}

// The outermost ring: the whole map with S_{b-1} zeroed. On odd maps the reference pads the inner
// square asymmetrically (extra pixel top/left; its pad tuple swaps the H and W roles), which
// misaligns it by one pixel; reproduced when `quirk` is set.
at::Tensor OuterRing(const RingGeometry& g, int64_t b, bool quirk) {
  at::Tensor inner = Square(g, b - 1);
  int64_t pad_h = g.c_h - (b - 1) * g.per_h;
  int64_t pad_w = g.c_w - (b - 1) * g.per_w;
  int64_t top = pad_h, left = pad_w;
  if (quirk && inner.size(2) + 2 * pad_h != g.h) {
    int64_t ep = g.h - (inner.size(2) + 2 * pad_h);
    left = pad_h + ep;  // F.pad's first pair pads the width
    top = pad_w + ep;
  }
  return SubtractInner(g.x, inner, top, left);
}

}  // namespace

at::Tensor LpnPartition(const at::Tensor& x, const LpnOptions& options) {
  RingGeometry g = Geometry(x, options.blocks);
  const int64_t b = options.blocks;
  std::vector<at::Tensor> parts;
  for (int64_t i = 1; i <= b; ++i) {
    at::Tensor region;
    if (i == b) {
      region = b > 1 ? OuterRing(g, b, options.odd_size_quirk) : g.x;
    } else {
      region = i > 1 ? Ring(g, i) : Square(g, 1);
    }
    parts.push_back(Pool(region, options.pool));
  }
  return torch::stack(parts, 2);
}

at::Tensor MsbaBlocks(const at::Tensor& x, PartPool pool, bool odd_size_quirk) {
  RingGeometry g = Geometry(x, 4);
  std::vector<at::Tensor> parts = {
      Pool(Square(g, 1), pool), Pool(Ring(g, 2), pool), Pool(Ring(g, 3), pool),
      Pool(Square(g, 2), pool), Pool(Square(g, 3), pool), Pool(OuterRing(g, 4, odd_size_quirk), pool),
  };
  return torch::stack(parts, 2);
}

at::Tensor BlockAttention(const at::Tensor& z) { return z * torch::softmax(z, /*dim=*/2); }

at::Tensor GemPool(const at::Tensor& x, const at::Tensor& p, double eps) {
  at::Tensor pp = p.view({1, -1, 1, 1});
  return x.clamp_min(eps).pow(pp).mean({2, 3}).pow(1.0 / p.view({1, -1}));
}

}  // namespace crossview::models

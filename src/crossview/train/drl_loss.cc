#include "crossview/train/drl_loss.h"

#include <torch/torch.h>

#include <cmath>

#include "crossview/util/errors.h"

namespace crossview::train {

void DrlLossOptions::Check() const {
  if (kind != "wbl" && kind != "bce" && kind != "focal" && kind != "balance") {
    throw CV_ERROR(InvalidArgumentError, "unknown DRL loss '" + kind + "'").Hint("valid: wbl, bce, focal, balance");
  }
  if (r < 1) throw CV_ERROR(InvalidArgumentError, "loss.r must be >= 1").With("r", r);
  if (w_neg <= 0) throw CV_ERROR(InvalidArgumentError, "loss.w_neg must be positive").With("w_neg", w_neg);
}

at::Tensor DrlTarget(const std::vector<RelativePosition>& positions, int64_t h, int64_t w, int r) {
  at::Tensor t = torch::zeros({static_cast<int64_t>(positions.size()), 1, h, w});
  for (size_t b = 0; b < positions.size(); ++b) {
    const double x = positions[b].rate_row * static_cast<double>(h - 1);
    const double y = positions[b].rate_col * static_cast<double>(w - 1);
    int64_t r0, r1, c0, c1;
    if (r == 2) {
      r0 = static_cast<int64_t>(std::floor(x));
      c0 = static_cast<int64_t>(std::floor(y));
      r1 = r0 + 1;
      c1 = c0 + 1;
    } else {
      const auto xc = static_cast<int64_t>(std::nearbyint(x));  // round half to even
      const auto yc = static_cast<int64_t>(std::nearbyint(y));
      const int64_t half = r / 2;
      r0 = xc - half;
      r1 = xc + half;
      c0 = yc - half;
      c1 = yc + half;
    }
    r0 = std::max<int64_t>(r0, 0);
    c0 = std::max<int64_t>(c0, 0);
    r1 = std::min<int64_t>(r1, h - 1);
    c1 = std::min<int64_t>(c1, w - 1);
    if (r0 <= r1 && c0 <= c1) {
      using torch::indexing::Slice;
      t.index_put_({static_cast<int64_t>(b), 0, Slice(r0, r1 + 1), Slice(c0, c1 + 1)}, 1.0);
    }
  }
  return t;
}

at::Tensor WeightedBalanceLoss(const at::Tensor& logits, const at::Tensor& target, double w_neg) {
  at::Tensor t = target.to(logits.dtype());
  const double n_pos = t.sum().item<double>();
  const double n_neg = static_cast<double>(t.numel()) - n_pos;
  at::Tensor weights = torch::zeros_like(t);
  if (n_pos > 0) weights = weights + t * (1.0 / n_pos);
  if (n_neg > 0) weights = weights + (1 - t) * (w_neg / n_neg);
  weights = weights / weights.sum();
  at::Tensor bce = torch::binary_cross_entropy_with_logits(logits, t, {}, {}, at::Reduction::None);
  return (weights.detach() * bce).sum();
}

at::Tensor DrlLoss(const at::Tensor& logits, const std::vector<RelativePosition>& positions, const DrlLossOptions& options) {
  options.Check();
  if (logits.dim() != 4 || logits.size(1) != 1 || logits.size(0) != static_cast<int64_t>(positions.size())) {
    throw CV_ERROR(InvalidArgumentError, "DRL loss expects (B, 1, h, w) logits and B positions")
        .With("logits", logits.sizes()).With("positions", positions.size());
  }
  at::Tensor target = DrlTarget(positions, logits.size(2), logits.size(3), options.r).to(logits.device());
  if (options.kind == "wbl") return WeightedBalanceLoss(logits, target, options.w_neg);
  if (options.kind == "balance") return WeightedBalanceLoss(logits, target, 1.0);
  at::Tensor bce = torch::binary_cross_entropy_with_logits(logits, target, {}, {}, at::Reduction::None);
  if (options.kind == "bce") return bce.mean();
  at::Tensor pt = torch::exp(-bce);
  return (options.focal_alpha * torch::pow(1 - pt, options.focal_gamma) * bce).mean();
}

}  // namespace crossview::train

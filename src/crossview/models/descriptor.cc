#include "crossview/models/descriptor.h"

#include <torch/torch.h>

#include <cmath>

#include "crossview/util/errors.h"

namespace crossview::models {

at::Tensor NormaliseParts(const at::Tensor& parts, bool is_msba, const DescriptorOptions& options) {
  if (parts.dim() == 2) return parts / parts.norm(2, 1, true).clamp_min(1e-12);
  if (parts.dim() != 3) throw CV_ERROR(InvalidArgumentError, "expected (N, D, P) parts").With("shape", parts.sizes());
  at::Tensor p = parts;
  if (options.part >= 0) {
    if (options.part >= p.size(2)) {
      throw CV_ERROR(InvalidArgumentError, "descriptor part out of range").With("part", options.part).With("parts", p.size(2));
    }
    p = p.narrow(2, options.part, 1);
  } else if (is_msba && options.msba_global_only) {
    p = p.narrow(2, p.size(2) - 1, 1);
  }
  const int64_t n_parts = p.size(2);
  if (n_parts == 1) return p.squeeze(2) / p.squeeze(2).norm(2, 1, true).clamp_min(1e-12);
  at::Tensor normed = p / p.norm(2, 1, true).clamp_min(1e-12) / std::sqrt(static_cast<double>(n_parts));
  if (is_msba && options.msba_global_weight != 1.0) {
    at::Tensor weights = torch::ones({n_parts}, normed.options());
    weights[n_parts - 1] = options.msba_global_weight;
    normed = normed * weights.view({1, 1, n_parts});
  }
  return normed.contiguous().view({normed.size(0), -1});  // channel-major: c·P + p
}

at::Tensor ExtractDescriptors(RetrievalNet& net, const at::Tensor& images, View view, const DescriptorOptions& options) {
  const bool was_training = net->is_training();
  net->eval();
  torch::NoGradGuard no_grad;
  at::Tensor parts = net->forward(images, view).parts;
  if (options.flip_tta) parts = parts + net->forward(images.flip({3}), view).parts;
  if (was_training) net->train();
  return NormaliseParts(parts, net->options().method == "msba", options);
}

}  // namespace crossview::models

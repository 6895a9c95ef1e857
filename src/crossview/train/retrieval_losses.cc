#include "crossview/train/retrieval_losses.h"

#include <torch/torch.h>

#include "crossview/util/errors.h"

namespace crossview::train {

namespace F = torch::nn::functional;

at::Tensor CrossEntropyHeads(const std::vector<at::Tensor>& logits, const at::Tensor& labels, HeadReduction reduction) {
  if (logits.empty()) throw CV_ERROR(InvalidArgumentError, "no heads to compute cross-entropy over");
  at::Tensor total = torch::zeros({}, logits[0].options());
  for (const auto& l : logits) total = total + F::cross_entropy(l, labels);
  return reduction == HeadReduction::kSum ? total : total / static_cast<double>(logits.size());
}

at::Tensor KlMutualLoss(const std::vector<at::Tensor>& sat, const std::vector<at::Tensor>& drone, bool symmetric) {
  if (sat.size() != drone.size() || sat.empty()) {
    throw CV_ERROR(InvalidArgumentError, "KL mutual learning needs the same number of satellite and drone heads")
        .With("satellite", sat.size()).With("drone", drone.size());
  }
  auto kl = [](const at::Tensor& input_logits, const at::Tensor& target_logits) {
    at::Tensor log_input = torch::log_softmax(input_logits, 1);
    at::Tensor target = torch::softmax(target_logits, 1).detach();
    return F::kl_div(log_input, target, F::KLDivFuncOptions().reduction(torch::kBatchMean));
  };
  at::Tensor total = torch::zeros({}, sat[0].options());
  for (size_t h = 0; h < sat.size(); ++h) {
    total = total + kl(sat[h], drone[h]);
    if (symmetric) total = total + kl(drone[h], sat[h]);
  }
  return total / static_cast<double>(sat.size());
}

at::Tensor CrossViewTriplet(const at::Tensor& satellite, const at::Tensor& drone, const at::Tensor& labels,
                            const TripletOptions& options) {
  if (satellite.sizes() != drone.sizes() || satellite.dim() != 2 || labels.size(0) != satellite.size(0)) {
    throw CV_ERROR(InvalidArgumentError, "triplet needs (B, D) satellite and drone features and B labels")
        .With("satellite", satellite.sizes()).With("drone", drone.sizes()).With("labels", labels.sizes());
  }
  const int64_t b = satellite.size(0);
  at::Tensor x = torch::cat({satellite, drone}, 0);
  x = x / (x.norm(2, 1, true) + 1e-6);
  if (options.sphere_radius > 0) x = x * options.sphere_radius;
  at::Tensor sq = (x * x).sum(1, true);
  at::Tensor dist = torch::sqrt(torch::clamp_min(sq + sq.t() - 2 * torch::matmul(x, x.t()), 1e-6));
  at::Tensor y = torch::cat({labels, labels}, 0);
  at::Tensor same = y.unsqueeze(0) == y.unsqueeze(1);
  // Candidates are the other view only.
  at::Tensor view = torch::cat({torch::zeros({b}, torch::kLong), torch::ones({b}, torch::kLong)}, 0).to(x.device());
  at::Tensor cross = view.unsqueeze(0) != view.unsqueeze(1);
  at::Tensor pos = same & cross, neg = (~same) & cross;
  if (!neg.any().item<bool>()) return (x.sum() * 0.0);
  const double big = 1e9;
  at::Tensor d_ap = torch::where(pos, dist, torch::full_like(dist, -big)).amax(1);
  at::Tensor d_an = torch::where(neg, dist, torch::full_like(dist, big)).amin(1);
  at::Tensor valid = pos.any(1) & neg.any(1);
  at::Tensor diff = (d_ap - d_an).masked_select(valid);
  at::Tensor per = options.soft_margin ? F::softplus(diff) : torch::relu(diff + options.margin);
  return per.mean();
}

at::Tensor CrossViewTripletHeads(const std::vector<at::Tensor>& satellite, const std::vector<at::Tensor>& drone,
                                 const at::Tensor& labels, const TripletOptions& options) {
  if (satellite.size() != drone.size() || satellite.empty()) {
    throw CV_ERROR(InvalidArgumentError, "triplet needs the same number of satellite and drone heads");
  }
  at::Tensor total = torch::zeros({}, satellite[0].options());
  for (size_t h = 0; h < satellite.size(); ++h) total = total + CrossViewTriplet(satellite[h], drone[h], labels, options);
  return total / static_cast<double>(satellite.size());
}

}  // namespace crossview::train

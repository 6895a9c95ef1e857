#include "crossview/train/schedule.h"

#include <torch/torch.h>

#include <cmath>

#include "crossview/util/errors.h"

namespace crossview::train {

void OptimOptions::Check() const {
  if (optimizer != "sgd" && optimizer != "adamw") throw CV_ERROR(InvalidArgumentError, "unknown optim.optimizer '" + optimizer + "'").Hint("valid: sgd, adamw");
  if (schedule != "step" && schedule != "multistep" && schedule != "cosine" && schedule != "warmup-cosine-iter") {
    throw CV_ERROR(InvalidArgumentError, "unknown optim.schedule '" + schedule + "'").Hint("valid: step, multistep, cosine, warmup-cosine-iter");
  }
  if (lr <= 0 || backbone_lr_mult < 0 || weight_decay < 0) throw CV_ERROR(InvalidArgumentError, "optim.lr must be > 0 and multipliers/decay >= 0");
  if (step_size < 1) throw CV_ERROR(InvalidArgumentError, "optim.step_size must be >= 1");
}

std::unique_ptr<torch::optim::Optimizer> MakeOptimizer(const OptimOptions& o, const std::vector<torch::Tensor>& backbone,
                                                       const std::vector<torch::Tensor>& head) {
  o.Check();
  if (o.optimizer == "sgd") {
    auto mk = [&](double lr) {
      return std::make_unique<torch::optim::SGDOptions>(
          torch::optim::SGDOptions(lr).momentum(o.momentum).nesterov(o.nesterov).weight_decay(o.weight_decay));
    };
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(backbone, mk(o.lr * o.backbone_lr_mult));
    groups.emplace_back(head, mk(o.lr));
    return std::make_unique<torch::optim::SGD>(groups, torch::optim::SGDOptions(o.lr));
  }
  auto mk = [&](double lr) { return std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(lr).weight_decay(o.weight_decay)); };
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(backbone, mk(o.lr * o.backbone_lr_mult));
  groups.emplace_back(head, mk(o.lr));
  return std::make_unique<torch::optim::AdamW>(groups, torch::optim::AdamWOptions(o.lr));
}

double LrMultiplier(const OptimOptions& o, int epoch, int total_epochs, int64_t iter, int64_t total_iters) {
  if (o.schedule == "warmup-cosine-iter") {
    const double rho = o.floor_ratio;
    if (iter < o.warmup_iters) return (1 - rho) * static_cast<double>(iter) / o.warmup_iters + rho;
    double t = static_cast<double>(iter - o.warmup_iters) / std::max<int64_t>(1, total_iters - o.warmup_iters);
    return std::max(rho, 0.5 * (1 + std::cos(M_PI * t)));
  }
  double m = 1.0;
  if (o.schedule == "step") {
    m = std::pow(o.gamma, epoch / o.step_size);
  } else if (o.schedule == "multistep") {
    int passed = 0;
    for (int s : o.milestones) passed += epoch >= s;
    m = std::pow(o.gamma, passed);
  } else {  // cosine over the epochs
    m = 0.5 * (1 + std::cos(M_PI * static_cast<double>(epoch) / std::max(1, total_epochs)));
  }
  if (o.warmup_epochs > 0 && epoch < o.warmup_epochs) m *= static_cast<double>(epoch + 1) / (o.warmup_epochs + 1);
  return m;
}

void ApplyLr(torch::optim::Optimizer& opt, const OptimOptions& o, double multiplier) {
  auto& groups = opt.param_groups();
  for (size_t g = 0; g < groups.size(); ++g) {
    double base = g == 0 ? o.lr * o.backbone_lr_mult : o.lr;
    groups[g].options().set_lr(base * multiplier);
  }
}

}  // namespace crossview::train

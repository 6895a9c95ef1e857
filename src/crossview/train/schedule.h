// Learning-rate schedules and optimiser construction shared by the trainers.
//
// Retrieval recipes step per epoch (StepLR / MultiStep / cosine, optional linear warm-up over
// whole epochs); the DRL recipe steps per iteration with warm-up from ρ and a cosine floor ρ
// (spec drl.md §9). Backbone parameters get lr × backbone_lr_mult.
#pragma once

#include <torch/optim/optimizer.h>

#include <memory>
#include <string>
#include <vector>

namespace crossview::train {

struct OptimOptions {
  std::string optimizer = "sgd";  // sgd | adamw
  double lr = 0.01;               // head learning rate
  double backbone_lr_mult = 0.1;  // backbone lr = lr × this
  double momentum = 0.9;
  bool nesterov = true;
  double weight_decay = 5e-4;
  std::string schedule = "step";  // step | multistep | cosine | warmup-cosine-iter
  int step_size = 80;             // epochs (step)
  std::vector<int> milestones = {70, 110};  // epochs (multistep)
  double gamma = 0.1;
  int warmup_epochs = 0;          // linear warm-up over whole epochs (epoch schedules)
  int warmup_iters = 500;         // warmup-cosine-iter: W
  double floor_ratio = 0.01;      // warmup-cosine-iter: ρ (start and floor)
  void Check() const;
};

// SGD (momentum, nesterov, weight decay) or AdamW with two groups: backbone and head.
std::unique_ptr<torch::optim::Optimizer> MakeOptimizer(const OptimOptions& o, const std::vector<torch::Tensor>& backbone,
                                                       const std::vector<torch::Tensor>& head);

// The learning-rate multiplier (× the group's base lr) at `epoch` (0-based) for epoch schedules,
// or at global iteration `iter` of `total_iters` for warmup-cosine-iter.
double LrMultiplier(const OptimOptions& o, int epoch, int total_epochs, int64_t iter = 0, int64_t total_iters = 1);

// Sets every group's lr to base_lr(group) × multiplier (group 0 = backbone, 1 = head).
void ApplyLr(torch::optim::Optimizer& opt, const OptimOptions& o, double multiplier);

}  // namespace crossview::train

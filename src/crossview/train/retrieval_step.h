// One optimisation step of a retrieval method on a paired batch (spec retrieval.md §5, §4.8): the
// per-method loss assembly, kept apart from the trainer's data and run handling.
//
//   baseline / lpn / msba / mfrl:  L = ce_weight·(w_sat·CE_sat + w_drone·CE_drone)
//                                      [+ KL mutual] [+ triplet_weight·cross-view triplet]
//     CE per view = sum or mean over heads; MFRL's hybrid loss (§5.6–5.7) is this with mean CE,
//     w_sat = 1.5, w_drone = 0.5 and triplet weight 1 (its preset).
//   imlnet (§4.8 training step, [INTERP]):
//     L_pass = w_mse·MSE(drone reconstruction, satellite target) + w_drcl·DRCL(descriptors)
//              + unit_ce·Σ_n (CE_n,sat + CE_n,drone) [+ global_ce·(CE_sat + CE_drone)]
//     joint schedule: raw pass, then one MUML crop per image (a unit drawn uniformly per image, or
//       the combined map), crop pass; backpropagate L_raw + L_crop; one optimiser step.
//     cmal schedule: for each unit n, deepest first, a step on unit_ce·(CE_n raw + CE_n crops of
//       unit n's map); then a step on L_raw + L_crop with crops from the combined map.
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/optim/optimizer.h>

#include <string>

#include "crossview/models/muml.h"
#include "crossview/models/retrieval_net.h"

namespace crossview::train {

struct RetrievalLossOptions {
  std::string ce_reduction = "sum";  // sum | mean over heads
  double ce_weight = 1.0;            // α1 of the MFRL hybrid loss
  double w_sat = 1.0;                // per-view CE weights (MFRL satellite class weighting, §5.7)
  double w_drone = 1.0;
  bool kl = true;                    // KL mutual learning (MSBA)
  double triplet_weight = 0.0;       // cross-view batch-hard triplet (α2 of the MFRL hybrid loss)
  double triplet_margin = 0.3;
  // IML-Net (§5.5, §5.8)
  double w_mse = 0.1;                // reconstruction weight
  double w_drcl = 1.0;               // DRCL weight
  double drcl_radius = 1.0;          // hypersphere radius s
  double drcl_margin = 0.3;          // m
  double unit_ce = 1.0;              // λ_u, CE of the MUML unit classifiers
  models::MumlOptions muml;
  void Check() const;
};

struct StepBatch {
  at::Tensor satellite, drone;  // (B, 3, H, W) augmented, normalised; row i of both = building labels[i]
  at::Tensor labels;            // (B) class indices
  at::Tensor satellite_target;  // IML-Net: the paired satellites after test-time preprocessing
};

struct StepResult {
  double loss = 0;          // the backpropagated loss (summed over the steps of a cmal iteration)
  at::Tensor drone_scores;  // (B, K) summed drone logits of the raw pass, for the train accuracy
  int optimizer_steps = 0;
};

StepResult TrainStep(models::RetrievalNet& net, torch::optim::Optimizer& optimizer, const StepBatch& batch,
                     const RetrievalLossOptions& options);

// The MUML crops of `images` from a training-mode output of the same images: per image, the box
// of its unit's attention map (`units[i]` in 0..3) or, when `units` is undefined, of the combined
// map; CAM class = prediction or label (options.cam_class). No gradient flows through the crops.
at::Tensor MumlCrops(models::RetrievalNet& net, const at::Tensor& images, const models::RetrievalOutput& out,
                     const at::Tensor& labels, const at::Tensor& units, const models::MumlOptions& options);

}  // namespace crossview::train

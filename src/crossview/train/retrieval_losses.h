// Retrieval losses (spec retrieval.md §5): cross-entropy per head (sum or mean), KL mutual
// learning between the satellite and drone heads, the cross-view batch-hard triplet (margin or
// soft margin), DRCL on a hypersphere, and the weighted CE of the MFRL hybrid loss.
#pragma once

#include <ATen/core/Tensor.h>

#include <vector>

namespace crossview::train {

enum class HeadReduction { kSum, kMean };

// Σ or mean over heads of mean-over-batch softmax CE; `weight` scales the result.
at::Tensor CrossEntropyHeads(const std::vector<at::Tensor>& logits, const at::Tensor& labels, HeadReduction reduction);

// (1/H) Σ_h KL(softmax(drone_h) ‖ softmax(sat_h)) with batchmean reduction, the drone target
// detached; `symmetric` adds the reverse term.
at::Tensor KlMutualLoss(const std::vector<at::Tensor>& satellite_logits, const std::vector<at::Tensor>& drone_logits,
                        bool symmetric = false);

struct TripletOptions {
  double margin = 0.3;
  bool soft_margin = false;   // log(1 + exp(d_ap − d_an)) instead of the hinge
  double sphere_radius = 0;   // > 0: DRCL — features scaled to this norm instead of unit norm
};

// Cross-view batch-hard triplet of one head: rows of `satellite` (B×D) and `drone` (B×D) share
// `labels` (B). Anchors in one view mine positives/negatives in the OTHER view only. Distances
// √max(‖a‖² + ‖b‖² − 2a·b, 1e-6) on normalised rows (x / (‖x‖ + 1e-6), times the radius for
// DRCL). Returns 0 (with a graph) when the batch has no negatives (one class).
at::Tensor CrossViewTriplet(const at::Tensor& satellite, const at::Tensor& drone, const at::Tensor& labels,
                            const TripletOptions& options = {});

// Mean over heads of CrossViewTriplet.
at::Tensor CrossViewTripletHeads(const std::vector<at::Tensor>& satellite, const std::vector<at::Tensor>& drone,
                                 const at::Tensor& labels, const TripletOptions& options = {});

}  // namespace crossview::train

// DRL training targets and losses (spec drl.md §7): the R-box target around the relative UAV
// position, the Weighted Balance Loss (batch-counted weights, normalised to sum 1, summed BCE),
// and the alternatives of Table IX (plain BCE mean, focal, balance = WBL with w_neg 1).
#pragma once

#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

namespace crossview::train {

// Relative UAV position in the search map: fractions of the map side along rows and columns.
struct RelativePosition {
  double rate_row = 0.5;
  double rate_col = 0.5;
};

// (B, 1, h, w) float target: 1 inside the box around round_half_even(rate·(side−1)) of half-width
// ⌊R/2⌋ (inclusive, clipped; even R ≠ 2 gives side R+1 as in the reference), the floor-based 2×2
// box for R = 2, 0 elsewhere.
at::Tensor DrlTarget(const std::vector<RelativePosition>& positions, int64_t h, int64_t w, int r);

struct DrlLossOptions {
  std::string kind = "wbl";  // wbl | bce | focal | balance
  double w_neg = 130.0;      // WBL negative mass ratio
  int r = 31;                // positive box size at the output resolution
  double focal_alpha = 1.0, focal_gamma = 2.0;
  void Check() const;
};

// Loss of (B, 1, h, w) logits against the targets built from `positions` at the logits' size.
at::Tensor DrlLoss(const at::Tensor& logits, const std::vector<RelativePosition>& positions, const DrlLossOptions& options = {});

// WBL on an explicit target (exposed for tests): w = 1/N_pos at positives, w_neg/N_neg at
// negatives, counted over the batch, normalised to sum 1; L = Σ w·BCEwithLogits.
at::Tensor WeightedBalanceLoss(const at::Tensor& logits, const at::Tensor& target, double w_neg);

}  // namespace crossview::train

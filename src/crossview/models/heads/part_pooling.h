// Parameter-free pooling of a feature map into parts (spec retrieval.md §4.2–4.4).
//
// LPN square rings (b parts, centre first): c = ⌊H/2⌋, per = ⌊H/(2b)⌋ (after the small-map
// resize); square S_i = rows [c − i·per, c + i·per) × cols likewise. Part 0 = mean over S_1;
// 0 < i < b−1: S_{i+1} with S_i zeroed, summed and divided by the FULL area of S_{i+1}; the last
// part = the whole map with S_{b−1} zeroed, divided by H·W. All-ones 16×16, b = 4:
// (1, 0.75, 0.5556, 0.4375).
//
// MSBA's six blocks: LPN b = 4 with two filled squares inserted after ring 3:
// [ring1, ring2, ring3, square12, square123, ring4]; all-ones: (1, .75, .5556, 1, 1, .4375).
#pragma once

#include <ATen/core/Tensor.h>

namespace crossview::models {

enum class PartPool { kAvg, kMax };

struct LpnOptions {
  int blocks = 4;             // b
  PartPool pool = PartPool::kAvg;
  // The reference's misaligned zeroing of the last ring on odd maps (checkpoint parity).
  bool odd_size_quirk = true;
};

// x: (N, C, H, W) → (N, C, b), parts ordered centre → outside.
at::Tensor LpnPartition(const at::Tensor& x, const LpnOptions& options = {});

// x: (N, C, H, W) → (N, C, 6), the MSBA block order above.
at::Tensor MsbaBlocks(const at::Tensor& x, PartPool pool = PartPool::kAvg, bool odd_size_quirk = true);

// MSBA block attention: softmax over the block dimension (per sample, per channel), times z.
at::Tensor BlockAttention(const at::Tensor& z);

// Generalised mean pooling over H, W with per-channel exponent p: (mean(clamp(x, eps)^p))^(1/p).
at::Tensor GemPool(const at::Tensor& x, const at::Tensor& p, double eps = 1e-6);

}  // namespace crossview::models

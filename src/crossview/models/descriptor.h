// Descriptor extraction (spec retrieval.md §2.8): flip test-time augmentation summed before
// normalisation, per-column L2 for part models divided by √P, the MSBA global re-weighting, and a
// channel-major flatten (element c·P + p), so stored descriptors interoperate with the reference.
#pragma once

#include <ATen/core/Tensor.h>

#include "crossview/models/retrieval_net.h"

namespace crossview::models {

struct DescriptorOptions {
  bool flip_tta = true;
  // MSBA inference re-weighting of the global column (last), applied after per-column L2 and
  // ÷√P (spec §4.4 [INTERP]); 1.0 reproduces the public code. Ignored for other methods.
  double msba_global_weight = 1.5;
  // Use only the global column of MSBA ("global only" inference).
  bool msba_global_only = false;
  // >= 0: use only descriptor column `part` of a part model (per-part ablations); -1 = all.
  int part = -1;
};

// (N, bottleneck, P) eval output (or (N, D)) → (N, D') normalised rows, as the protocol defines.
at::Tensor NormaliseParts(const at::Tensor& parts, bool is_msba, const DescriptorOptions& options = {});

// Runs `net` in eval mode without gradients on normalised images (N, 3, H, W) and returns the
// (N, D) descriptors. Restores the module's training flag afterwards.
at::Tensor ExtractDescriptors(RetrievalNet& net, const at::Tensor& images, View view,
                              const DescriptorOptions& options = {});

}  // namespace crossview::models

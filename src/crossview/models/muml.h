// Multi-unit mutual learning (MUML) crops of IML-Net (spec retrieval.md §4.8, [CMAL] mechanics):
// a unit's class activation map is resized to the input (bilinear, align_corners = true),
// min–max normalised ((φ − min)/(max − min + 1e-6)), thresholded at t, and the mask's bounding box,
// enlarged by a margin of 0.1·H / 0.1·W per side, truncated to int and clamped, is cropped from
// the (normalised) input and resized back to H×W (bilinear, align_corners = true): an extra
// training image with the same label.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace crossview::models {

struct MumlOptions {
  double threshold = 0.5;             // t [INTERP, [CMAL] value]
  bool inclusive = false;             // mask φ ≥ t ([CMAL]) instead of the paper's φ > t
  double margin = 0.1;                // box enlargement per side, fraction of H / W [INTERP, [CMAL]]
  std::string cam_class = "pred";     // pred (argmax of the unit's logits) | label
  std::string crop_source = "unit";   // unit (each image picks one of the units uniformly) | combined (sum of the maps)
  std::string schedule = "joint";     // joint (one step per iteration) | cmal (a step per unit, deepest first, then a combined step)
  void Check() const;
};

// [begin, end) rows and columns (row-major image coordinates).
struct CropBox {
  int64_t row_begin = 0, row_end = 0, col_begin = 0, col_end = 0;
  bool operator==(const CropBox& o) const {
    return row_begin == o.row_begin && row_end == o.row_end && col_begin == o.col_begin && col_end == o.col_end;
  }
};

// (N, h, w) CAMs → (N, height, width) attention maps in [0, 1).
at::Tensor AttentionMaps(const at::Tensor& cams, int64_t height, int64_t width);

// The sum of several (N, H, W) attention maps, min–max renormalised per image.
at::Tensor CombinedAttention(const std::vector<at::Tensor>& maps);

// The box of one (H, W) attention map. An empty mask (a constant map) gives the whole image
// [INTERP]; a box is never empty (end ≥ begin + 1).
CropBox AttentionBox(const at::Tensor& map, const MumlOptions& options);

// Crops boxes[i] from images[i] (N, C, H, W) and resizes each crop back to H×W.
at::Tensor CropAndResize(const at::Tensor& images, const std::vector<CropBox>& boxes);

}  // namespace crossview::models

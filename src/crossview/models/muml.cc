#include "crossview/models/muml.h"

#include <torch/torch.h>

#include <algorithm>

#include "crossview/util/errors.h"

namespace crossview::models {

namespace F = torch::nn::functional;

void MumlOptions::Check() const {
  if (threshold <= 0 || threshold >= 1) throw CV_ERROR(InvalidArgumentError, "MUML threshold must be in (0, 1)").With("threshold", threshold);
  if (margin < 0 || margin >= 1) throw CV_ERROR(InvalidArgumentError, "MUML margin must be in [0, 1)").With("margin", margin);
  if (cam_class != "pred" && cam_class != "label") throw CV_ERROR(InvalidArgumentError, "unknown MUML cam_class '" + cam_class + "'").Hint("valid: pred, label");
  if (crop_source != "unit" && crop_source != "combined") {
    throw CV_ERROR(InvalidArgumentError, "unknown MUML crop_source '" + crop_source + "'").Hint("valid: unit, combined");
  }
  if (schedule != "joint" && schedule != "cmal") throw CV_ERROR(InvalidArgumentError, "unknown MUML schedule '" + schedule + "'").Hint("valid: joint, cmal");
}

namespace {

at::Tensor MinMax(const at::Tensor& maps) {
  at::Tensor flat = maps.flatten(1);
  at::Tensor lo = std::get<0>(flat.min(1, true)), hi = std::get<0>(flat.max(1, true));
  return ((flat - lo) / (hi - lo + 1e-6)).view_as(maps);
}

}  // namespace

at::Tensor AttentionMaps(const at::Tensor& cams, int64_t height, int64_t width) {
  if (cams.dim() != 3) throw CV_ERROR(InvalidArgumentError, "expected (N, h, w) CAMs").With("shape", cams.sizes());
  at::Tensor up = F::interpolate(cams.unsqueeze(1).to(torch::kFloat),
                                 F::InterpolateFuncOptions().size(std::vector<int64_t>{height, width}).mode(torch::kBilinear).align_corners(true));
  return MinMax(up.squeeze(1));
}

at::Tensor CombinedAttention(const std::vector<at::Tensor>& maps) {
  if (maps.empty()) throw CV_ERROR(InvalidArgumentError, "no attention maps to combine");
  at::Tensor sum = maps[0];
  for (size_t i = 1; i < maps.size(); ++i) sum = sum + maps[i];
  return MinMax(sum);
}

CropBox AttentionBox(const at::Tensor& map, const MumlOptions& options) {
  if (map.dim() != 2) throw CV_ERROR(InvalidArgumentError, "expected an (H, W) attention map").With("shape", map.sizes());
  const int64_t h = map.size(0), w = map.size(1);
  at::Tensor mask = options.inclusive ? map.ge(options.threshold) : map.gt(options.threshold);
  at::Tensor rows = mask.any(1).nonzero().flatten(), cols = mask.any(0).nonzero().flatten();
  if (rows.numel() == 0) return {0, h, 0, w};
  const double mh = options.margin * static_cast<double>(h), mw = options.margin * static_cast<double>(w);
  // Truncation toward zero, then clamping, as the reference's int(...) / max / min.
  CropBox b;
  b.row_begin = std::max<int64_t>(static_cast<int64_t>(static_cast<double>(rows.min().item<int64_t>()) - mh), 0);
  b.row_end = std::min<int64_t>(static_cast<int64_t>(static_cast<double>(rows.max().item<int64_t>()) + mh), h);
  b.col_begin = std::max<int64_t>(static_cast<int64_t>(static_cast<double>(cols.min().item<int64_t>()) - mw), 0);
  b.col_end = std::min<int64_t>(static_cast<int64_t>(static_cast<double>(cols.max().item<int64_t>()) + mw), w);
  if (b.row_end <= b.row_begin) b.row_end = std::min(b.row_begin + 1, h), b.row_begin = b.row_end - 1;
  if (b.col_end <= b.col_begin) b.col_end = std::min(b.col_begin + 1, w), b.col_begin = b.col_end - 1;
  return b;
}

at::Tensor CropAndResize(const at::Tensor& images, const std::vector<CropBox>& boxes) {
  if (images.dim() != 4 || static_cast<size_t>(images.size(0)) != boxes.size()) {
    throw CV_ERROR(InvalidArgumentError, "expected (N, C, H, W) images and N boxes").With("images", images.sizes()).With("boxes", boxes.size());
  }
  const int64_t h = images.size(2), w = images.size(3);
  std::vector<at::Tensor> out;
  for (size_t i = 0; i < boxes.size(); ++i) {
    const CropBox& b = boxes[i];
    at::Tensor crop = images[static_cast<int64_t>(i)].slice(1, b.row_begin, b.row_end).slice(2, b.col_begin, b.col_end).unsqueeze(0);
    out.push_back(F::interpolate(crop, F::InterpolateFuncOptions().size(std::vector<int64_t>{h, w}).mode(torch::kBilinear).align_corners(true)));
  }
  return torch::cat(out, 0);
}

}  // namespace crossview::models

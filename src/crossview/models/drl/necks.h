// DRL necks (spec drl.md §5.1–5.2).
// CCN: one Conv1×1(in → dim) per selected level (keys Conv2dDict.neck_ccn_{i}.{j}.*), no activation.
// FPN_I3: P5 = P5_1(C5); P4 = P4_1(C4) + nearest×2(P5); P3 = P3_1(C3) + nearest×2(P4); outputs
// [P3_2(P3), P4_2(P4), P5_2(P5)] (3×3 convs, pad 1), no activations, no normalisation.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/moduledict.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <vector>

namespace crossview::models::drl {

class FpnI3Impl : public torch::nn::Module {
 public:
  // in_channels = (C3, C4, C5) channels, e.g. (64, 192, 384).
  FpnI3Impl(std::vector<int64_t> in_channels, int64_t dim = 128);
  // [C3, C4, C5] → [P3, P4, P5] (strides 4, 8, 16 for CvT). With `only_p3`, P4_2 and P5_2 are
  // skipped (their outputs are unused by the CE head; results for P3 are identical).
  std::vector<torch::Tensor> forward(const std::vector<torch::Tensor>& c, bool only_p3 = false);
  torch::nn::Conv2d P5_1{nullptr}, P5_2{nullptr}, P4_1{nullptr}, P4_2{nullptr}, P3_1{nullptr}, P3_2{nullptr};
};
TORCH_MODULE(FpnI3);

class CcnImpl : public torch::nn::Module {
 public:
  // One Conv1×1 chain per level in `levels` (indices into the backbone's stage list).
  CcnImpl(std::vector<int64_t> in_channels, std::vector<int64_t> levels, int64_t dim = 128, int num_layers = 1);
  // Stage maps → converted maps of the selected levels, in `levels` order.
  std::vector<torch::Tensor> forward(const std::vector<torch::Tensor>& stages);

 private:
  std::vector<int64_t> levels_;
  torch::nn::ModuleDict Conv2dDict{nullptr};
};
TORCH_MODULE(Ccn);

}  // namespace crossview::models::drl

// VGG-16 in the torchvision layout (spec retrieval.md §3.4, the IML-Net backbone ablation), so
// torchvision ImageNet weights load by name: features.{0,2,5,7,10,12,14,17,19,21,24,26,28} are the
// 13 convolutions (3×3, pad 1, bias), the ReLUs and the five 2×2/2 max pools sit at the other
// indices (pools at 4, 9, 16, 23, 30); avgpool = adaptive 7×7; classifier.{0,3,6} = Linear
// 25088→4096, 4096→4096, 4096→1000 (ReLU + Dropout between). 138,357,544 parameters.
//
// ForwardStages returns the five post-pool stage maps together with each pool's argmax switches
// and pre-pool size, which IML-Net's image-reconstruction decoder uses for max-unpooling.
// `base_width` < 64 gives the reduced configuration (stage channels ×1, 2, 4, 8, 8 of it; keys
// unchanged); `classifier = false` drops avgpool + classifier (IML-Net's encoder never uses them).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <vector>

namespace crossview::models {

struct VggOptions {
  int base_width = 64;              // channels of stage 1 (64 = torchvision)
  bool classifier = true;           // torchvision's avgpool + classifier head
  int64_t classifier_hidden = 4096;
  int64_t num_classes = 1000;
  double dropout = 0.5;
  void Check() const;
  // Output channels of the five stages: base × (1, 2, 4, 8, 8).
  std::vector<int64_t> StageChannels() const;
};

// The five post-pool maps of VGG-16 and what max-unpooling needs to invert each pool.
struct VggStages {
  std::vector<torch::Tensor> maps;                   // stage s (1..5) at index s−1, after its pool
  std::vector<torch::Tensor> indices;                // argmax switches of each pool (flat h·W + w per channel)
  std::vector<std::vector<int64_t>> pre_pool_sizes;  // (H, W) of the map each pool consumed
};

class VggImpl : public torch::nn::Module {
 public:
  explicit VggImpl(const VggOptions& options = {});
  VggStages ForwardStages(const torch::Tensor& x);
  // The ImageNet logits (classifier = true) or the stage-5 map (classifier = false).
  torch::Tensor forward(const torch::Tensor& x);
  const VggOptions& options() const { return options_; }

 private:
  VggOptions options_;
  torch::nn::Sequential features{nullptr};
  torch::nn::Sequential classifier{nullptr};
  std::vector<std::vector<torch::nn::Conv2d>> stage_convs_;  // the convolutions of each stage
};
TORCH_MODULE(Vgg);

}  // namespace crossview::models

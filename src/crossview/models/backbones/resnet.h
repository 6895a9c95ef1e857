// ResNet-18/34/50 in the torchvision layout (spec retrieval.md §3.1), so torchvision ImageNet
// weights and the University-1652 / LPN / MSBA checkpoints load by name: conv1, bn1,
// layer{1..4}.{b}.conv{1,2,3}/bn{1,2,3}, layer{i}.0.downsample.{0,1}, fc.
//
// Bottleneck v1.5 (stride on the 3×3 conv2), BN eps 1e-5 momentum 0.1. `last_stride = 1` sets the
// stride of layer4.0.conv2 and layer4.0.downsample.0 to 1 (no key or shape changes; the final map
// doubles in each dimension). `base_width` < 64 gives the reduced configuration for CPU tests and
// the demo (all channel counts scale by base_width/64; keys are unchanged, shapes differ).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <vector>

namespace crossview::models {

struct ResNetOptions {
  int depth = 50;        // 18, 34 or 50
  int last_stride = 2;   // 1 or 2 (layer4)
  int base_width = 64;   // 64 = torchvision; 16 or 32 for the reduced CPU configuration
  int num_classes = 1000;  // the unused ImageNet fc, kept so checkpoints load with strict keys
  void Check() const;
  // Channels of layer4's output (2048 for ResNet-50, 512 for 18/34, scaled by base_width/64).
  int64_t OutChannels() const;
  // Channels of each stage's output, layer1..layer4.
  std::vector<int64_t> StageChannels() const;
};

// The stem max pool's argmax switches (IML-Net's decoder max-unpools with them).
struct StemPool {
  torch::Tensor indices;               // (N, C, h, w): flat position (row·W + col) in the pre-pool map
  std::vector<int64_t> pre_pool_size;  // (H, W) of the conv1 output the pool consumed
};

class ResNetImpl : public torch::nn::Module {
 public:
  explicit ResNetImpl(const ResNetOptions& options = {});

  // The per-stage maps [layer1, layer2, layer3, layer4]; with `stem`, also the stem pool's
  // switches (same values either way).
  std::vector<torch::Tensor> ForwardStages(const torch::Tensor& x, StemPool* stem = nullptr);
  // layer4's map.
  torch::Tensor forward(const torch::Tensor& x);

  const ResNetOptions& options() const { return options_; }

 private:
  torch::nn::Sequential MakeLayer(int64_t in_channels, int64_t width, int blocks, int stride);

  ResNetOptions options_;
  torch::nn::Conv2d conv1{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr};
  torch::nn::Sequential layer1{nullptr}, layer2{nullptr}, layer3{nullptr}, layer4{nullptr};
  torch::nn::Linear fc{nullptr};
};
TORCH_MODULE(ResNet);

}  // namespace crossview::models

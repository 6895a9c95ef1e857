// IML-Net's trainable parts beyond the encoder (spec retrieval.md §4.8; no public code, the spec
// defines the keys, every [INTERP] an option):
//
// Image Reconstruction Network decoder (`irn.*`), a Zeiler–Fergus style mirror of the encoder:
//   ResNet encoder: dec4 (ConvT 3×3, stride = the encoder's last stride) → dec3 (s2) → dec2 (s2) →
//     dec1 (s1) — each ConvT (no bias) → BN → ReLU, keys irn.dec{4..1}.{0,1} — then max-unpool with
//     the stem pool's switches, then dec0 = ConvT 7×7 s2 p3 with bias, no activation: 3 channels
//     at input resolution (compared with the ImageNet-normalised satellite target).
//   VGG-16 encoder [INTERP]: for stage s = 5..1, max-unpool with pool s's switches, then the stage's
//     convolutions in reverse order as ConvT 3×3 s1 → BN → ReLU (keys irn.dec{s}.{j}.{0,1}, j-th
//     reversed convolution); the last one (64 → 3, key irn.dec1.1.{weight,bias}) has a bias and no
//     BN/activation.
//   Every transposed convolution is given the encoder's map size as output size, so the output
//   equals the input size at any input size. Overlapping unpool windows that share an argmax
//   write to the same position; the framework's max_unpool2d keeps the last write.
//
// MUML units (`muml.*`): per unit n (the four encoder stage maps), G_n = conv3×3 C_n→C_v/2 (no bias)
//   → BN(eps 1e-5, momentum 0.01) → ELU → conv3×3 C_v/2→C_v → BN → ELU (keys muml.g{n}.{0,1,3,4}),
//   and a unit classifier GMP → BN1d(C_v) → Linear(C_v, C_v/2) → BN1d → ELU → Linear(C_v/2, K)
//   (keys muml.cls{n}.{0,1,2,4}); C_v = 1024 ([CMAL]).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <string>
#include <vector>

namespace crossview::models {

struct ImlNetOptions {
  std::string encoder = "resnet";  // resnet (RetrievalNetOptions::backbone, last stride 1 [INTERP]) | vgg16
  int64_t unit_channels = 1024;    // C_v of the MUML units ([CMAL] value)
  // > 0: the descriptor ClassBlock keeps its final Linear (classifier.classifier.0) and the trainer
  // adds its cross-entropy with this weight (spec: iml_global_ce, default 0).
  double global_ce = 0.0;
  bool recon_satellite = false;    // also reconstruct satellite inputs (target = the input itself)
  void Check() const;
};

// What the decoder needs from the encoder to invert its max pools.
struct EncoderSwitches {
  std::vector<torch::Tensor> indices;                // ResNet: [stem pool]; VGG-16: pools 1..5
  std::vector<std::vector<int64_t>> pre_pool_sizes;  // (H, W) of the map each pool consumed
};

// ConvTranspose 3×3 (pad 1, no bias) "0" → BatchNorm2d "1" → ReLU, to a given output size.
class ConvTBnReluImpl : public torch::nn::Module {
 public:
  ConvTBnReluImpl(int64_t in, int64_t out, int64_t stride);
  torch::Tensor forward(const torch::Tensor& x, const std::vector<int64_t>& out_hw);

 private:
  torch::nn::ConvTranspose2d convt_{nullptr};
  torch::nn::BatchNorm2d bn_{nullptr};
};
TORCH_MODULE(ConvTBnRelu);

// The IRN decoder for a ResNet encoder. `units` are [layer1..layer4].
class ResNetDecoderImpl : public torch::nn::Module {
 public:
  // stage_channels: layer1..layer4 channels; stem_channels: conv1's.
  ResNetDecoderImpl(const std::vector<int64_t>& stage_channels, int64_t stem_channels, int last_stride);
  torch::Tensor forward(const std::vector<torch::Tensor>& units, const EncoderSwitches& switches, const std::vector<int64_t>& input_hw);

 private:
  ConvTBnRelu dec4{nullptr}, dec3{nullptr}, dec2{nullptr}, dec1{nullptr};
  torch::nn::ConvTranspose2d dec0{nullptr};
};
TORCH_MODULE(ResNetDecoder);

// The IRN decoder for a VGG-16 encoder. `stage5` is the last post-pool map.
class VggDecoderImpl : public torch::nn::Module {
 public:
  explicit VggDecoderImpl(const std::vector<int64_t>& stage_channels);
  torch::Tensor forward(const torch::Tensor& stage5, const EncoderSwitches& switches);

 private:
  // Per stage s = 1..5 (index s−1): the reversed convolutions; stage 1's last is `last_`.
  std::vector<std::vector<ConvTBnRelu>> stages_;
  torch::nn::ConvTranspose2d last_{nullptr};
};
TORCH_MODULE(VggDecoder);

struct MumlOutput {
  std::vector<torch::Tensor> maps;    // G_n outputs x'' (N, C_v, h_n, w_n)
  std::vector<torch::Tensor> logits;  // unit classifier logits (N, K)
};

class MumlUnitsImpl : public torch::nn::Module {
 public:
  MumlUnitsImpl(const std::vector<int64_t>& unit_channels, int64_t hidden_channels, int64_t num_classes);
  MumlOutput forward(const std::vector<torch::Tensor>& units);
  // The class activation map of unit n (0-based) for one class per image (N), without gradient:
  // φ(x,y) = w2[class]ᵀ (W1 · x''(x,y)), W1 = cls.1.weight, w2 = cls.4.weight (biases and BNs
  // ignored, [CMAL]). Returns (N, h_n, w_n).
  torch::Tensor Cam(size_t unit, const torch::Tensor& map, const torch::Tensor& classes);
  size_t num_units() const { return g_.size(); }

 private:
  std::vector<torch::nn::Sequential> g_, cls_;
};
TORCH_MODULE(MumlUnits);

}  // namespace crossview::models

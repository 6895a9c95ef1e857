#include "crossview/models/backbones/resnet.h"

#include <torch/torch.h>

#include "crossview/util/errors.h"

namespace crossview::models {

namespace nn = torch::nn;

void ResNetOptions::Check() const {
  if (depth != 18 && depth != 34 && depth != 50) {
    throw CV_ERROR(InvalidArgumentError, "unsupported ResNet depth").With("depth", depth).Hint("valid depths: 18, 34, 50");
  }
  if (last_stride != 1 && last_stride != 2) {
    throw CV_ERROR(InvalidArgumentError, "ResNet last_stride must be 1 or 2").With("last_stride", last_stride);
  }
  if (base_width < 4 || base_width % 4 != 0) {
    throw CV_ERROR(InvalidArgumentError, "ResNet base_width must be a positive multiple of 4").With("base_width", base_width);
  }
  if (num_classes < 1) throw CV_ERROR(InvalidArgumentError, "num_classes must be positive").With("num_classes", num_classes);
}

namespace {

int Expansion(int depth) { return depth >= 50 ? 4 : 1; }

std::vector<int> BlockCounts(int depth) {
  if (depth == 18) return {2, 2, 2, 2};
  return {3, 4, 6, 3};  // 34 and 50
}

nn::Conv2d Conv(int64_t in, int64_t out, int64_t k, int64_t stride, int64_t pad) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, k).stride(stride).padding(pad).bias(false));
}

nn::BatchNorm2d Bn(int64_t c) { return nn::BatchNorm2d(nn::BatchNorm2dOptions(c).eps(1e-5).momentum(0.1)); }

// torchvision Bottleneck (v1.5) and BasicBlock, with torchvision's submodule names.
class BlockImpl : public nn::Module {
 public:
  BlockImpl(int64_t in, int64_t width, int64_t stride, bool bottleneck) : bottleneck_(bottleneck) {
    int64_t out = bottleneck ? width * 4 : width;
    if (bottleneck) {
      conv1 = register_module("conv1", Conv(in, width, 1, 1, 0));
      bn1 = register_module("bn1", Bn(width));
      conv2 = register_module("conv2", Conv(width, width, 3, stride, 1));
      bn2 = register_module("bn2", Bn(width));
      conv3 = register_module("conv3", Conv(width, out, 1, 1, 0));
      bn3 = register_module("bn3", Bn(out));
    } else {
      conv1 = register_module("conv1", Conv(in, width, 3, stride, 1));
      bn1 = register_module("bn1", Bn(width));
      conv2 = register_module("conv2", Conv(width, width, 3, 1, 1));
      bn2 = register_module("bn2", Bn(width));
    }
    if (stride != 1 || in != out) {
      downsample = register_module("downsample", nn::Sequential(Conv(in, out, 1, stride, 0), Bn(out)));
    }
  }

  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor y = torch::relu(bn1(conv1(x)));
    if (bottleneck_) {
      y = torch::relu(bn2(conv2(y)));
      y = bn3(conv3(y));
    } else {
      y = bn2(conv2(y));
    }
    torch::Tensor identity = downsample.is_empty() ? x : downsample->forward(x);
    return torch::relu(y + identity);
  }

 private:
  bool bottleneck_;
  nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
  nn::BatchNorm2d bn1{nullptr}, bn2{nullptr}, bn3{nullptr};
  nn::Sequential downsample{nullptr};
};
TORCH_MODULE(Block);

}  // namespace

int64_t ResNetOptions::OutChannels() const { return StageChannels().back(); }

std::vector<int64_t> ResNetOptions::StageChannels() const {
  std::vector<int64_t> c;
  for (int i = 0; i < 4; ++i) c.push_back(int64_t(base_width) * (1 << i) * Expansion(depth));
  return c;
}

ResNetImpl::ResNetImpl(const ResNetOptions& options) : options_(options) {
  options_.Check();
  const int64_t w = options_.base_width;
  conv1 = register_module("conv1", Conv(3, w, 7, 2, 3));
  bn1 = register_module("bn1", Bn(w));
  std::vector<int> blocks = BlockCounts(options_.depth);
  int64_t in = w;
  layer1 = register_module("layer1", MakeLayer(in, w, blocks[0], 1));
  in = w * Expansion(options_.depth);
  layer2 = register_module("layer2", MakeLayer(in, w * 2, blocks[1], 2));
  in = w * 2 * Expansion(options_.depth);
  layer3 = register_module("layer3", MakeLayer(in, w * 4, blocks[2], 2));
  in = w * 4 * Expansion(options_.depth);
  layer4 = register_module("layer4", MakeLayer(in, w * 8, blocks[3], options_.last_stride));
  fc = register_module("fc", nn::Linear(options_.OutChannels(), options_.num_classes));

  // torchvision initialisation: Kaiming normal (fan_out, relu) for convs, BN weight 1 bias 0.
  for (auto& m : modules(/*include_self=*/false)) {
    if (auto* conv = m->as<nn::Conv2d>()) {
      nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut, torch::kReLU);
    } else if (auto* bn = m->as<nn::BatchNorm2d>()) {
      nn::init::ones_(bn->weight);
      nn::init::zeros_(bn->bias);
    }
  }
}

nn::Sequential ResNetImpl::MakeLayer(int64_t in_channels, int64_t width, int blocks, int stride) {
  nn::Sequential seq;
  const bool bottleneck = options_.depth >= 50;
  int64_t in = in_channels;
  for (int b = 0; b < blocks; ++b) {
    seq->push_back(Block(in, width, b == 0 ? stride : 1, bottleneck));
    in = bottleneck ? width * 4 : width;
  }
  return seq;
}

std::vector<torch::Tensor> ResNetImpl::ForwardStages(const torch::Tensor& x, StemPool* stem) {
  torch::Tensor y = torch::relu(bn1(conv1(x)));
  if (stem != nullptr) {
    stem->pre_pool_size = {y.size(2), y.size(3)};
    std::tie(y, stem->indices) = torch::max_pool2d_with_indices(y, {3, 3}, {2, 2}, {1, 1});
  } else {
    y = torch::max_pool2d(y, 3, 2, 1);
  }
  std::vector<torch::Tensor> stages;
  y = layer1->forward(y);
  stages.push_back(y);
  y = layer2->forward(y);
  stages.push_back(y);
  y = layer3->forward(y);
  stages.push_back(y);
  y = layer4->forward(y);
  stages.push_back(y);
  return stages;
}

torch::Tensor ResNetImpl::forward(const torch::Tensor& x) { return ForwardStages(x).back(); }

}  // namespace crossview::models

#include "crossview/models/imlnet.h"

#include <torch/torch.h>

#include "crossview/util/errors.h"

namespace crossview::models {

namespace nn = torch::nn;

void ImlNetOptions::Check() const {
  if (encoder != "resnet" && encoder != "vgg16") {
    throw CV_ERROR(InvalidArgumentError, "unknown IML-Net encoder '" + encoder + "'").Hint("valid: resnet, vgg16");
  }
  if (unit_channels < 2 || unit_channels % 2 != 0) {
    throw CV_ERROR(InvalidArgumentError, "IML-Net unit_channels must be even and >= 2").With("unit_channels", unit_channels);
  }
  if (global_ce < 0) throw CV_ERROR(InvalidArgumentError, "IML-Net global_ce must be >= 0").With("global_ce", global_ce);
}

ConvTBnReluImpl::ConvTBnReluImpl(int64_t in, int64_t out, int64_t stride) {
  convt_ = register_module("0", nn::ConvTranspose2d(nn::ConvTranspose2dOptions(in, out, 3).stride(stride).padding(1)
                                                        .output_padding(stride - 1).bias(false)));
  bn_ = register_module("1", nn::BatchNorm2d(out));
}

torch::Tensor ConvTBnReluImpl::forward(const torch::Tensor& x, const std::vector<int64_t>& out_hw) {
  return torch::relu(bn_(convt_(x, at::IntArrayRef(out_hw))));
}

namespace {

std::vector<int64_t> Hw(const torch::Tensor& t) { return {t.size(-2), t.size(-1)}; }

}  // namespace

ResNetDecoderImpl::ResNetDecoderImpl(const std::vector<int64_t>& c, int64_t stem_channels, int last_stride) {
  if (c.size() != 4) throw CV_ERROR(InvalidArgumentError, "the ResNet decoder needs four stage widths").With("given", c.size());
  dec4 = register_module("dec4", ConvTBnRelu(c[3], c[2], last_stride));
  dec3 = register_module("dec3", ConvTBnRelu(c[2], c[1], 2));
  dec2 = register_module("dec2", ConvTBnRelu(c[1], c[0], 2));
  dec1 = register_module("dec1", ConvTBnRelu(c[0], stem_channels, 1));
  dec0 = register_module("dec0", nn::ConvTranspose2d(nn::ConvTranspose2dOptions(stem_channels, 3, 7).stride(2).padding(3).output_padding(1)));
}

torch::Tensor ResNetDecoderImpl::forward(const std::vector<torch::Tensor>& units, const EncoderSwitches& switches,
                                         const std::vector<int64_t>& input_hw) {
  if (units.size() != 4 || switches.indices.size() != 1) {
    throw CV_ERROR(InvalidArgumentError, "the ResNet decoder needs the four stage maps and the stem switches")
        .With("maps", units.size()).With("switches", switches.indices.size());
  }
  torch::Tensor y = dec4(units[3], Hw(units[2]));
  y = dec3(y, Hw(units[1]));
  y = dec2(y, Hw(units[0]));
  y = dec1(y, Hw(units[0]));
  y = torch::max_unpool2d(y, switches.indices[0], switches.pre_pool_sizes[0]);
  return dec0(y, at::IntArrayRef(input_hw));
}

VggDecoderImpl::VggDecoderImpl(const std::vector<int64_t>& c) {
  static const int kConvsPerStage[5] = {2, 2, 3, 3, 3};
  if (c.size() != 5) throw CV_ERROR(InvalidArgumentError, "the VGG decoder needs five stage widths").With("given", c.size());
  stages_.resize(5);
  for (int s = 5; s >= 1; --s) {
    auto holder = register_module("dec" + std::to_string(s), std::make_shared<nn::Module>());
    const int64_t width = c[static_cast<size_t>(s - 1)];
    const int64_t in = s == 1 ? 3 : c[static_cast<size_t>(s - 2)];
    const int n = kConvsPerStage[s - 1];
    for (int j = 0; j < n; ++j) {
      const bool last_of_stage = j == n - 1;
      if (s == 1 && last_of_stage) {
        last_ = holder->register_module(std::to_string(j), nn::ConvTranspose2d(nn::ConvTranspose2dOptions(width, 3, 3).padding(1)));
      } else {
        stages_[static_cast<size_t>(s - 1)].push_back(
            holder->register_module(std::to_string(j), ConvTBnRelu(width, last_of_stage ? in : width, 1)));
      }
    }
  }
}

torch::Tensor VggDecoderImpl::forward(const torch::Tensor& stage5, const EncoderSwitches& switches) {
  if (switches.indices.size() != 5 || switches.pre_pool_sizes.size() != 5) {
    throw CV_ERROR(InvalidArgumentError, "the VGG decoder needs the switches of the five pools").With("switches", switches.indices.size());
  }
  torch::Tensor y = stage5;
  for (int s = 5; s >= 1; --s) {
    const auto& size = switches.pre_pool_sizes[static_cast<size_t>(s - 1)];
    y = torch::max_unpool2d(y, switches.indices[static_cast<size_t>(s - 1)], size);
    for (auto& layer : stages_[static_cast<size_t>(s - 1)]) y = layer(y, size);
  }
  return last_(y);
}

MumlUnitsImpl::MumlUnitsImpl(const std::vector<int64_t>& unit_channels, int64_t cv, int64_t num_classes) {
  const int64_t half = cv / 2;
  for (size_t n = 0; n < unit_channels.size(); ++n) {
    auto conv = [](int64_t in, int64_t out) { return nn::Conv2d(nn::Conv2dOptions(in, out, 3).padding(1).bias(false)); };
    auto bn = [](int64_t ch) { return nn::BatchNorm2d(nn::BatchNorm2dOptions(ch).eps(1e-5).momentum(0.01)); };
    nn::Sequential g(conv(unit_channels[n], half), bn(half), nn::ELU(), conv(half, cv), bn(cv), nn::ELU());
    nn::Sequential cls(nn::BatchNorm1d(cv), nn::Linear(cv, half), nn::BatchNorm1d(half), nn::ELU(), nn::Linear(half, num_classes));
    g_.push_back(register_module("g" + std::to_string(n + 1), g));
    cls_.push_back(register_module("cls" + std::to_string(n + 1), cls));
  }
}

MumlOutput MumlUnitsImpl::forward(const std::vector<torch::Tensor>& units) {
  if (units.size() != g_.size()) throw CV_ERROR(InvalidArgumentError, "MUML needs one map per unit").With("maps", units.size()).With("units", g_.size());
  MumlOutput out;
  for (size_t n = 0; n < g_.size(); ++n) {
    torch::Tensor x = g_[n]->forward(units[n]);
    out.maps.push_back(x);
    out.logits.push_back(cls_[n]->forward(x.amax({2, 3})));
  }
  return out;
}

torch::Tensor MumlUnitsImpl::Cam(size_t unit, const torch::Tensor& map, const torch::Tensor& classes) {
  if (unit >= cls_.size()) throw CV_ERROR(InvalidArgumentError, "no such MUML unit").With("unit", unit).With("units", cls_.size());
  torch::NoGradGuard ng;
  const torch::Tensor& w1 = cls_[unit][1]->as<nn::Linear>()->weight;  // (C_v/2, C_v)
  const torch::Tensor& w2 = cls_[unit][4]->as<nn::Linear>()->weight;  // (K, C_v/2)
  torch::Tensor v = torch::matmul(w2.index_select(0, classes.to(torch::kLong)), w1);  // (N, C_v)
  const torch::Tensor x = map.detach();
  return torch::matmul(v.unsqueeze(1), x.flatten(2)).reshape({x.size(0), x.size(2), x.size(3)});
}

}  // namespace crossview::models

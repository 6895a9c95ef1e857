#include "crossview/models/drl/necks.h"

#include <torch/torch.h>

#include "crossview/util/errors.h"

namespace crossview::models::drl {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

namespace {
torch::Tensor Nearest2x(const torch::Tensor& x) {
  return F::interpolate(x, F::InterpolateFuncOptions().scale_factor(std::vector<double>{2.0, 2.0}).mode(torch::kNearest));
}
torch::Tensor AddUpsampled(const torch::Tensor& lateral, const torch::Tensor& coarse) {
  torch::Tensor up = Nearest2x(coarse);
  if (up.size(2) != lateral.size(2) || up.size(3) != lateral.size(3)) {
    throw CV_ERROR(InvalidArgumentError, "FPN levels must be exactly twice the next level's size")
        .With("lateral", lateral.sizes()).With("upsampled", up.sizes())
        .Hint("use input sides divisible by 16");
  }
  return lateral + up;
}
}  // namespace

FpnI3Impl::FpnI3Impl(std::vector<int64_t> in, int64_t dim) {
  if (in.size() != 3) throw CV_ERROR(InvalidArgumentError, "FPN_I3 needs three input levels").With("levels", in.size());
  P5_1 = register_module("P5_1", nn::Conv2d(nn::Conv2dOptions(in[2], dim, 1)));
  P5_2 = register_module("P5_2", nn::Conv2d(nn::Conv2dOptions(dim, dim, 3).padding(1)));
  P4_1 = register_module("P4_1", nn::Conv2d(nn::Conv2dOptions(in[1], dim, 1)));
  P4_2 = register_module("P4_2", nn::Conv2d(nn::Conv2dOptions(dim, dim, 3).padding(1)));
  P3_1 = register_module("P3_1", nn::Conv2d(nn::Conv2dOptions(in[0], dim, 1)));
  P3_2 = register_module("P3_2", nn::Conv2d(nn::Conv2dOptions(dim, dim, 3).padding(1)));
}

std::vector<torch::Tensor> FpnI3Impl::forward(const std::vector<torch::Tensor>& c, bool only_p3) {
  if (c.size() != 3) throw CV_ERROR(InvalidArgumentError, "FPN_I3 needs three input maps").With("maps", c.size());
  torch::Tensor p5 = P5_1(c[2]);
  torch::Tensor p4 = AddUpsampled(P4_1(c[1]), p5);
  torch::Tensor p3 = AddUpsampled(P3_1(c[0]), p4);
  if (only_p3) return {P3_2(p3)};
  return {P3_2(p3), P4_2(p4), P5_2(p5)};
}

CcnImpl::CcnImpl(std::vector<int64_t> in, std::vector<int64_t> levels, int64_t dim, int num_layers) : levels_(std::move(levels)) {
  Conv2dDict = register_module("Conv2dDict", nn::ModuleDict());
  for (int64_t level : levels_) {
    if (level < 0 || level >= static_cast<int64_t>(in.size())) {
      throw CV_ERROR(InvalidArgumentError, "CCN level out of range").With("level", level).With("levels", in.size());
    }
    nn::Sequential seq;
    for (int j = 0; j < num_layers; ++j) {
      nn::Conv2d conv(nn::Conv2dOptions(j == 0 ? in[level] : dim, dim, 1));
      nn::init::xavier_uniform_(conv->weight);
      seq->push_back(conv);
    }
    Conv2dDict->update({{"neck_ccn_" + std::to_string(level), seq.ptr()}});
  }
}

std::vector<torch::Tensor> CcnImpl::forward(const std::vector<torch::Tensor>& stages) {
  std::vector<torch::Tensor> out;
  for (int64_t level : levels_) {
    auto seq = Conv2dDict[("neck_ccn_" + std::to_string(level))]->as<nn::Sequential>();
    out.push_back(seq->forward(stages.at(static_cast<size_t>(level))));
  }
  return out;
}

}  // namespace crossview::models::drl

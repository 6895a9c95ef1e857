#include "crossview/models/backbones/convnext.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace crossview::models {
namespace {

TEST(ConvNextTest, TinyHasMetaKeysAndParameterCount) {
  ConvNext net(ConvNextOptions::Tiny());
  std::map<std::string, std::vector<int64_t>> s;
  for (const auto& p : net->named_parameters()) s[p.key()] = p.value().sizes().vec();
  EXPECT_EQ(s["downsample_layers.0.0.weight"], (std::vector<int64_t>{96, 3, 4, 4}));
  EXPECT_EQ(s["downsample_layers.0.1.weight"], (std::vector<int64_t>{96}));
  EXPECT_EQ(s["downsample_layers.3.1.weight"], (std::vector<int64_t>{768, 384, 2, 2}));
  EXPECT_EQ(s["stages.2.8.dwconv.weight"], (std::vector<int64_t>{384, 1, 7, 7}));
  EXPECT_EQ(s["stages.3.2.pwconv1.weight"], (std::vector<int64_t>{3072, 768}));
  EXPECT_EQ(s["stages.0.0.gamma"], (std::vector<int64_t>{96}));
  EXPECT_EQ(s["head.weight"], (std::vector<int64_t>{1000, 768}));
  int64_t n = 0;
  for (const auto& p : net->parameters()) n += p.numel();
  EXPECT_EQ(n, 28589128);  // ConvNeXt-T
}

TEST(ConvNextTest, StageSizesAt256) {
  torch::NoGradGuard ng;
  ConvNext net(ConvNextOptions::Small());
  net->eval();
  auto st = net->ForwardStages(torch::rand({1, 3, 256, 256}));
  EXPECT_EQ(st[0].sizes(), (std::vector<int64_t>{1, 24, 64, 64}));
  EXPECT_EQ(st[3].sizes(), (std::vector<int64_t>{1, 192, 8, 8}));
  EXPECT_EQ(net->Pooled(st[3]).sizes(), (std::vector<int64_t>{1, 192}));
}

TEST(ConvNextTest, ChannelsFirstLayerNormEqualsChannelsLast) {
  torch::manual_seed(0);
  ChannelsFirstLayerNorm cf(5);
  torch::nn::LayerNorm cl(torch::nn::LayerNormOptions({5}).eps(1e-6));
  torch::NoGradGuard ng;
  cf->weight.uniform_(0.5, 1.5);
  cf->bias.uniform_(-1, 1);
  cl->weight.copy_(cf->weight);
  cl->bias.copy_(cf->bias);
  torch::Tensor x = torch::randn({2, 5, 3, 4}) * 3 + 1;
  torch::Tensor a = cf(x);
  torch::Tensor b = cl(x.permute({0, 2, 3, 1})).permute({0, 3, 1, 2});
  EXPECT_TRUE(torch::allclose(a, b, 1e-5, 1e-6));
}

}  // namespace
}  // namespace crossview::models

#include "crossview/models/backbones/vgg.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "crossview/util/errors.h"

namespace crossview::models {
namespace {

std::map<std::string, std::vector<int64_t>> Shapes(torch::nn::Module& m) {
  std::map<std::string, std::vector<int64_t>> s;
  for (const auto& p : m.named_parameters()) s[p.key()] = p.value().sizes().vec();
  for (const auto& b : m.named_buffers()) s[b.key()] = b.value().sizes().vec();
  return s;
}

TEST(VggTest, Vgg16HasTorchvisionKeysShapesAndParameterCount) {
  Vgg net(VggOptions{});
  auto s = Shapes(*net);
  EXPECT_EQ(s.size(), 32u);  // torchvision vgg16().state_dict(): 13 convs + 3 linears, weight + bias
  const std::vector<int> conv_index = {0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28};
  const std::vector<int64_t> out = {64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512};
  int64_t in = 3;
  for (size_t i = 0; i < conv_index.size(); ++i) {
    const std::string k = "features." + std::to_string(conv_index[i]);
    EXPECT_EQ(s[k + ".weight"], (std::vector<int64_t>{out[i], in, 3, 3})) << k;
    EXPECT_EQ(s[k + ".bias"], (std::vector<int64_t>{out[i]})) << k;
    in = out[i];
  }
  EXPECT_EQ(s["classifier.0.weight"], (std::vector<int64_t>{4096, 25088}));
  EXPECT_EQ(s["classifier.3.weight"], (std::vector<int64_t>{4096, 4096}));
  EXPECT_EQ(s["classifier.6.weight"], (std::vector<int64_t>{1000, 4096}));
  EXPECT_EQ(s["classifier.6.bias"], (std::vector<int64_t>{1000}));
  int64_t params = 0;
  for (const auto& p : net->parameters()) params += p.numel();
  EXPECT_EQ(params, 138357544);  // torchvision's VGG-16

  VggOptions features_only;
  features_only.classifier = false;
  Vgg f(features_only);
  int64_t fp = 0;
  for (const auto& p : f->parameters()) fp += p.numel();
  EXPECT_EQ(fp, 14714688);  // the convolutional part alone
  EXPECT_EQ(Shapes(*f).count("classifier.0.weight"), 0u);
}

TEST(VggTest, StagesSwitchesAndOddSizes) {
  torch::manual_seed(0);
  VggOptions o;
  o.base_width = 4;  // reduced: channels 4, 8, 16, 32, 32
  o.classifier = false;
  Vgg net(o);
  net->eval();
  torch::NoGradGuard ng;
  torch::Tensor x = torch::rand({2, 3, 72, 100});
  VggStages st = net->ForwardStages(x);
  ASSERT_EQ(st.maps.size(), 5u);
  // Pools floor odd sizes: 72×100 → 36×50 → 18×25 → 9×12 → 4×6 → 2×3.
  const std::vector<std::vector<int64_t>> want = {{2, 4, 36, 50}, {2, 8, 18, 25}, {2, 16, 9, 12}, {2, 32, 4, 6}, {2, 32, 2, 3}};
  const std::vector<std::vector<int64_t>> pre = {{72, 100}, {36, 50}, {18, 25}, {9, 12}, {4, 6}};
  for (size_t s = 0; s < 5; ++s) {
    EXPECT_EQ(st.maps[s].sizes().vec(), want[s]) << s;
    EXPECT_EQ(st.pre_pool_sizes[s], pre[s]) << s;
    EXPECT_EQ(st.indices[s].sizes(), st.maps[s].sizes()) << s;
  }
  EXPECT_TRUE(torch::equal(net->forward(x), st.maps[4]));
  // The switches of pool 1 point at the maxima of the pre-pool map: gathering the map recomputed
  // from the first two convolutions at the switches gives the pooled map, and max-unpooling puts
  // every pooled value back at its position.
  auto children = net->named_modules();
  torch::Tensor y = torch::relu(children["features.0"]->as<torch::nn::Conv2d>()->forward(x));
  y = torch::relu(children["features.2"]->as<torch::nn::Conv2d>()->forward(y));
  torch::Tensor gathered = y.flatten(2).gather(2, st.indices[0].flatten(2)).view_as(st.maps[0]);
  EXPECT_TRUE(torch::equal(gathered, st.maps[0]));
  torch::Tensor unpooled = torch::max_unpool2d(st.maps[0], st.indices[0], pre[0]);
  EXPECT_TRUE(torch::equal(unpooled.amax({2, 3}), y.amax({2, 3})));
  EXPECT_EQ(unpooled.ne(0).sum().item<int64_t>(), st.maps[0].ne(0).sum().item<int64_t>());
}

TEST(VggTest, RejectsBadOptions) {
  VggOptions o;
  o.base_width = 0;
  EXPECT_THROW(Vgg{o}, InvalidArgumentError);
  o.base_width = 8;
  o.dropout = 1.0;
  EXPECT_THROW(Vgg{o}, InvalidArgumentError);
}

}  // namespace
}  // namespace crossview::models

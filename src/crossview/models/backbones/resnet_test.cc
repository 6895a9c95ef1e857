#include "crossview/models/backbones/resnet.h"

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

TEST(ResNetTest, ResNet50HasTorchvisionKeysShapesAndParameterCount) {
  ResNet net(ResNetOptions{});
  auto s = Shapes(*net);
  EXPECT_EQ(s.size(), 320u);  // torchvision resnet50().state_dict() has 320 entries
  EXPECT_EQ(s["conv1.weight"], (std::vector<int64_t>{64, 3, 7, 7}));
  EXPECT_EQ(s["bn1.num_batches_tracked"], (std::vector<int64_t>{}));
  EXPECT_EQ(s["layer1.0.downsample.0.weight"], (std::vector<int64_t>{256, 64, 1, 1}));
  EXPECT_EQ(s["layer3.5.conv2.weight"], (std::vector<int64_t>{256, 256, 3, 3}));
  EXPECT_EQ(s["layer4.0.downsample.1.running_var"], (std::vector<int64_t>{2048}));
  EXPECT_EQ(s["layer4.2.bn3.weight"], (std::vector<int64_t>{2048}));
  EXPECT_EQ(s["fc.weight"], (std::vector<int64_t>{1000, 2048}));
  EXPECT_EQ(s.count("layer1.1.downsample.0.weight"), 0u);
  int64_t params = 0;
  for (const auto& p : net->parameters()) params += p.numel();
  EXPECT_EQ(params, 25557032);  // torchvision's ResNet-50
}

TEST(ResNetTest, ResNet18And34Counts) {
  ResNetOptions o;
  o.depth = 18;
  ResNet r18(o);
  int64_t p18 = 0;
  for (const auto& p : r18->parameters()) p18 += p.numel();
  EXPECT_EQ(p18, 11689512);
  o.depth = 34;
  ResNet r34(o);
  int64_t p34 = 0;
  for (const auto& p : r34->parameters()) p34 += p.numel();
  EXPECT_EQ(p34, 21797672);
}

TEST(ResNetTest, StageSizesFollowLastStride) {
  torch::NoGradGuard ng;
  for (int stride : {1, 2}) {
    ResNetOptions o;
    o.base_width = 16;  // reduced configuration: same keys, smaller shapes
    o.last_stride = stride;
    ResNet net(o);
    net->eval();
    auto stages = net->ForwardStages(torch::rand({2, 3, 64, 96}));
    ASSERT_EQ(stages.size(), 4u);
    EXPECT_EQ(stages[0].sizes(), (std::vector<int64_t>{2, 64, 16, 24}));
    EXPECT_EQ(stages[1].sizes(), (std::vector<int64_t>{2, 128, 8, 12}));
    EXPECT_EQ(stages[2].sizes(), (std::vector<int64_t>{2, 256, 4, 6}));
    int64_t s4 = stride == 1 ? 4 : 2;
    EXPECT_EQ(stages[3].sizes(), (std::vector<int64_t>{2, 512, s4, s4 * 3 / 2}));
    EXPECT_GE(stages[3].min().item<float>(), 0.0f);  // post-ReLU
  }
}

TEST(ResNetTest, RejectsBadOptions) {
  ResNetOptions o;
  o.depth = 101;
  EXPECT_THROW(ResNet{o}, InvalidArgumentError);
  o.depth = 50;
  o.last_stride = 3;
  EXPECT_THROW(ResNet{o}, InvalidArgumentError);
}

}  // namespace
}  // namespace crossview::models

#include "crossview/models/retrieval_net.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "crossview/models/descriptor.h"
#include "crossview/util/errors.h"

namespace crossview::models {
namespace {

RetrievalNetOptions Small(const std::string& method) {
  RetrievalNetOptions o;
  o.method = method;
  o.backbone.base_width = 8;  // reduced: layer4 has 256 channels, layer3 128
  o.num_classes = 11;
  o.bottleneck = 32;
  return o;
}

std::map<std::string, std::vector<int64_t>> Shapes(torch::nn::Module& m) {
  std::map<std::string, std::vector<int64_t>> s;
  for (const auto& p : m.named_parameters()) s[p.key()] = p.value().sizes().vec();
  for (const auto& b : m.named_buffers()) s[b.key()] = b.value().sizes().vec();
  return s;
}

TEST(RetrievalNetTest, PaperConfigurationsHaveReferenceKeys) {
  RetrievalNetOptions o;  // MSBA paper configuration: ResNet-50 stride 1, 701 classes
  RetrievalNet msba(o);
  auto s = Shapes(*msba);
  EXPECT_EQ(s["model_1.model.conv1.weight"], (std::vector<int64_t>{64, 3, 7, 7}));
  EXPECT_EQ(s["model_1.model.fc.weight"], (std::vector<int64_t>{1000, 2048}));
  EXPECT_EQ(s["classifier0.add_block.0.weight"], (std::vector<int64_t>{512, 2048}));
  EXPECT_EQ(s["classifier5.add_block.1.running_mean"], (std::vector<int64_t>{512}));
  EXPECT_EQ(s["classifier00.add_block.0.weight"], (std::vector<int64_t>{512, 3072}));
  EXPECT_EQ(s["classifier00.classifier.0.weight"], (std::vector<int64_t>{701, 512}));
  EXPECT_EQ(s.count("classifier6.add_block.0.weight"), 0u);
  EXPECT_EQ(s.count("model_3.model.conv1.weight"), 0u);  // shared: model_3 is an alias

  o.method = "lpn";
  RetrievalNet lpn(o);
  auto l = Shapes(*lpn);
  EXPECT_EQ(l["classifier3.classifier.0.bias"], (std::vector<int64_t>{701}));
  EXPECT_EQ(l.count("classifier4.classifier.0.bias"), 0u);

  o.method = "baseline";
  o.baseline_pool = "gem";
  o.share_weights = false;
  RetrievalNet base(o);
  auto b = Shapes(*base);
  EXPECT_EQ(b["model_1.gem2.p"], (std::vector<int64_t>{2048}));
  EXPECT_EQ(b["model_3.model.layer4.2.conv3.weight"], (std::vector<int64_t>{2048, 512, 1, 1}));
  EXPECT_EQ(b["classifier.add_block.0.weight"], (std::vector<int64_t>{512, 2048}));
}

TEST(RetrievalNetTest, TrainAndEvalOutputsPerMethod) {
  torch::manual_seed(0);
  struct Case {
    std::string method;
    int64_t parts;
  };
  for (const Case& c : {Case{"baseline", 1}, Case{"lpn", 4}, Case{"msba", 7}}) {
    RetrievalNet net(Small(c.method));
    torch::Tensor x = torch::rand({2, 3, 64, 64});
    net->train();
    RetrievalOutput t = net->forward(x, View::kDrone);
    ASSERT_EQ(static_cast<int64_t>(t.logits.size()), c.parts) << c.method;
    EXPECT_EQ(t.logits[0].sizes(), (std::vector<int64_t>{2, 11}));
    net->eval();
    torch::NoGradGuard ng;
    RetrievalOutput e = net->forward(x, View::kSatellite);
    EXPECT_TRUE(e.logits.empty());
    EXPECT_EQ(e.parts.sizes(), (std::vector<int64_t>{2, 32, c.parts})) << c.method;
    // Shared weights: the drone branch computes the same function.
    EXPECT_TRUE(torch::allclose(e.parts, net->forward(x, View::kDrone).parts));
  }
}

TEST(RetrievalNetTest, DescriptorsAreNormalisedChannelMajor) {
  torch::manual_seed(1);
  RetrievalNet net(Small("msba"));
  torch::Tensor x = torch::rand({3, 3, 64, 64});
  DescriptorOptions plain;
  plain.msba_global_weight = 1.0;
  torch::Tensor d = ExtractDescriptors(net, x, View::kDrone, plain);
  EXPECT_EQ(d.sizes(), (std::vector<int64_t>{3, 32 * 7}));
  EXPECT_TRUE(torch::allclose(d.norm(2, 1), torch::ones({3}), 1e-5, 1e-5));
  // Re-weighted (β = 1.5): every row has norm √((6 + 2.25)/7).
  torch::Tensor w = ExtractDescriptors(net, x, View::kDrone);
  EXPECT_TRUE(torch::allclose(w.norm(2, 1), torch::full({3}, std::sqrt(8.25 / 7)), 1e-5, 1e-5));
  // Channel-major: element c·P + p is column p of channel c.
  torch::Tensor parts = torch::rand({1, 4, 3});
  torch::Tensor flat = NormaliseParts(parts, false);
  torch::Tensor col = parts / parts.norm(2, 1, true) / std::sqrt(3.0);
  EXPECT_NEAR(flat[0][2 * 3 + 1].item<float>(), col[0][2][1].item<float>(), 1e-6);
  // Flip TTA sums both passes before normalising.
  DescriptorOptions noflip = plain;
  noflip.flip_tta = false;
  net->eval();
  torch::NoGradGuard ng;
  torch::Tensor sum = net->forward(x, View::kDrone).parts + net->forward(x.flip({3}), View::kDrone).parts;
  EXPECT_TRUE(torch::allclose(d, NormaliseParts(sum, true, plain), 1e-5, 1e-6));
  EXPECT_FALSE(torch::allclose(d, ExtractDescriptors(net, x, View::kDrone, noflip), 1e-3, 1e-4));
  // One column alone: that column, L2-normalised.
  DescriptorOptions one;
  one.part = 2;
  torch::Tensor c2 = sum.narrow(2, 2, 1).squeeze(2);
  EXPECT_TRUE(torch::allclose(NormaliseParts(sum, true, one), c2 / c2.norm(2, 1, true), 1e-5, 1e-6));
  one.part = 7;
  EXPECT_THROW(NormaliseParts(sum, true, one), InvalidArgumentError);
}

TEST(RetrievalNetTest, UnknownMethodListsValidOnes) {
  RetrievalNetOptions o;
  o.method = "fsra";
  try {
    RetrievalNet net(o);
    FAIL();
  } catch (const InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("baseline, lpn, msba"), std::string::npos);
  }
}

}  // namespace
}  // namespace crossview::models

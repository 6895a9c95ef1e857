#include "crossview/models/mfrl.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>

#include "crossview/models/descriptor.h"
#include "crossview/models/retrieval_net.h"
#include "crossview/util/errors.h"

namespace crossview::models {
namespace {

using Shape = std::vector<int64_t>;

std::map<std::string, Shape> Shapes(torch::nn::Module& m) {
  std::map<std::string, Shape> s;
  for (const auto& p : m.named_parameters()) s[p.key()] = p.value().sizes().vec();
  for (const auto& b : m.named_buffers()) s[b.key()] = b.value().sizes().vec();
  return s;
}

int64_t Count(torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

RetrievalNetOptions SmallMfrl() {
  RetrievalNetOptions o;
  o.method = "mfrl";
  o.convnext = ConvNextOptions::Small();  // stage 4: 192 channels
  o.mfrl.sge_groups = 16;
  o.num_classes = 7;
  o.bottleneck = 32;
  o.dropout = 0.5;
  return o;
}

TEST(MfrlTest, PaperConfigurationKeysShapesAndParameterCount) {
  RetrievalNetOptions o;
  o.method = "mfrl";  // ConvNeXt-T, 701 classes, 512 bottleneck
  RetrievalNet net(o);
  auto s = Shapes(*net);
  EXPECT_EQ(s["model_1.convnext.downsample_layers.0.0.weight"], (Shape{96, 3, 4, 4}));
  EXPECT_EQ(s["model_1.convnext.stages.3.2.gamma"], (Shape{768}));
  EXPECT_EQ(s["model_1.convnext.norm.weight"], (Shape{768}));
  EXPECT_EQ(s["model_1.fusion.sge.weight"], (Shape{1, 64, 1, 1}));
  EXPECT_EQ(s["model_1.fusion.sge.bias"], (Shape{1, 64, 1, 1}));
  for (const char* c : {"conv1", "conv2", "conv3"}) {
    EXPECT_EQ(s[std::string("model_1.fusion.conv.") + c + ".weight"], (Shape{768, 768, 1, 1}));
    EXPECT_EQ(s[std::string("model_1.fusion.conv.") + c + ".bias"], (Shape{768}));
  }
  EXPECT_EQ(s["model_1.fusion.conv.fc.weight"], (Shape{9, 12, 1, 1}));  // 3h = 12 → k² = 9
  EXPECT_EQ(s["model_1.fusion.conv.fc.bias"], (Shape{9}));
  EXPECT_EQ(s["model_1.fusion.conv.dep_conv.weight"], (Shape{768, 9, 3, 3}));  // groups d = 192
  EXPECT_EQ(s["model_1.fusion.conv.dep_conv.bias"], (Shape{768}));
  EXPECT_EQ(s["model_1.fusion.alpha"], (Shape{}));
  EXPECT_EQ(s["model_1.fusion.beta"], (Shape{}));
  EXPECT_EQ(s["model_1.classifier1.add_block.0.weight"], (Shape{512, 768}));
  EXPECT_EQ(s["model_1.classifier1.classifier.0.weight"], (Shape{701, 512}));
  EXPECT_EQ(s["model_1.classifier_fuse.add_block.1.running_var"], (Shape{512}));
  EXPECT_EQ(s["model_1.classifier_fuse.classifier.0.bias"], (Shape{701}));
  for (const auto& [k, v] : s) EXPECT_EQ(k.rfind("model_1.", 0), 0u) << k;  // one shared branch
  // ConvNeXt-T 28,589,128 + fusion (SGE 128, q/k/v 3·590,592, fc 117, dep_conv 62,976, α, β)
  // + 2 ClassBlocks of 754,365.
  EXPECT_EQ(Count(*net), 28589128 + 1834999 + 2 * 754365);
  EXPECT_EQ(net->num_parts(), 2);
  // The initialisation of the spec: α = β = 0.5, SGE weight 0 / bias 1, dep_conv shift kernels.
  const auto params = net->named_parameters();
  EXPECT_EQ(params["model_1.fusion.alpha"].item<float>(), 0.5f);
  EXPECT_EQ(params["model_1.fusion.beta"].item<float>(), 0.5f);
  EXPECT_EQ(params["model_1.fusion.sge.weight"].abs().sum().item<float>(), 0.0f);
  EXPECT_EQ(params["model_1.fusion.sge.bias"].sum().item<float>(), 64.0f);
  torch::Tensor dep = params["model_1.fusion.conv.dep_conv.weight"];
  EXPECT_EQ(dep.sum().item<float>(), 768.0f * 9);
  for (int64_t j = 0; j < 9; ++j) EXPECT_EQ(dep[5][j][j / 3][j % 3].item<float>(), 1.0f) << j;
}

TEST(MfrlTest, SgeOnACraftedTensor) {
  Sge sge(2);
  {
    torch::NoGradGuard ng;
    sge->weight.copy_(torch::tensor({1.0f, -2.0f}).view({1, 2, 1, 1}));
    sge->bias.copy_(torch::tensor({0.0f, 0.5f}).view({1, 2, 1, 1}));
  }
  // 4 channels (2 groups of 2) on a 1×3 map.
  torch::Tensor x = torch::tensor({1.f, 2.f, 3.f, 0.f, 0.f, 3.f, 1.f, 1.f, 1.f, 0.f, 2.f, 4.f}).view({1, 4, 1, 3});
  // Group 0: channel means (2, 1) → a = (2, 4, 9), mean 5, unbiased std √13 → t = (−3, −1, 4)/(√13 + 1e-5).
  // Group 1: means (1, 2) → a = (1, 5, 9), std 4 → t = −2·(−4, 0, 4)/(4 + 1e-5) + 0.5.
  torch::Tensor want = torch::tensor({0.303212f, 0.862207f, 2.256050f, 0.f, 0.f, 2.256050f, 0.924141f, 0.622459f, 0.182426f, 0.f,
                                      1.244919f, 0.729705f}).view({1, 4, 1, 3});
  torch::Tensor got = sge(x);
  EXPECT_TRUE(torch::allclose(got, want, 0, 2e-6)) << got;
  // The reference initialisation (weight 0, bias 1) scales every value by sigmoid(1).
  Sge fresh(2);
  EXPECT_TRUE(torch::allclose(fresh(x), x * 0.7310585786f, 0, 1e-6));
  EXPECT_THROW(fresh(torch::rand({1, 3, 2, 2})), InvalidArgumentError);
}

TEST(MfrlTest, AcmixConvolutionPathMatchesAPlainLoop) {
  torch::manual_seed(3);
  const int64_t c = 8, heads = 2, d = 4, k = 3, h = 3, w = 4;
  AcmixConv m(c, heads, k);
  {
    torch::NoGradGuard ng;
    for (auto& p : m->parameters()) p.normal_();  // random everything, dep_conv included
  }
  torch::Tensor x = torch::randn({2, c, h, w});
  torch::Tensor got = m(x);
  // Reference: q, k, v per pixel; f[j, i_d, p] = Σ_{v,head} fc[j, v·h + head]·proj_v[head·d + i_d, p] + b_j;
  // out[o, y, x] = b_o + Σ_{j, ky, kx} W[o, j, ky, kx]·f[j, g(o), (y + ky − 1, x + kx − 1)], g(o) = o / (C/d).
  torch::NoGradGuard ng;
  std::vector<torch::Tensor> proj = {m->conv1(x).contiguous(), m->conv2(x).contiguous(), m->conv3(x).contiguous()};
  std::vector<torch::TensorAccessor<float, 4>> P = {proj[0].accessor<float, 4>(), proj[1].accessor<float, 4>(), proj[2].accessor<float, 4>()};
  torch::Tensor fcw_t = m->fc->weight.view({k * k, 3 * heads}).contiguous(), W_t = m->dep_conv->weight.contiguous();
  auto fcw = fcw_t.accessor<float, 2>();
  auto fcb = m->fc->bias.accessor<float, 1>();
  auto W = W_t.accessor<float, 4>();
  auto B = m->dep_conv->bias.accessor<float, 1>();
  torch::Tensor want = torch::zeros({2, c, h, w});
  auto out = want.accessor<float, 4>();
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t o = 0; o < c; ++o)
      for (int64_t yy = 0; yy < h; ++yy)
        for (int64_t xx = 0; xx < w; ++xx) {
          const int64_t g = o / (c / d);
          double acc = B[o];
          for (int64_t j = 0; j < k * k; ++j)
            for (int64_t ky = 0; ky < k; ++ky)
              for (int64_t kx = 0; kx < k; ++kx) {
                const int64_t sy = yy + ky - 1, sx = xx + kx - 1;
                if (sy < 0 || sy >= h || sx < 0 || sx >= w) continue;
                double f = fcb[j];
                for (int64_t v = 0; v < 3; ++v)
                  for (int64_t hd = 0; hd < heads; ++hd) f += double(fcw[j][v * heads + hd]) * P[static_cast<size_t>(v)][n][hd * d + g][sy][sx];
                acc += double(W[o][j][ky][kx]) * f;
              }
          out[n][o][yy][xx] = static_cast<float>(acc);
        }
  EXPECT_TRUE(torch::allclose(got, want, 1e-4, 1e-4)) << (got - want).abs().max();
}

TEST(MfrlTest, TrainAndEvalOutputsAtSeveralSizesAndFusionGradients) {
  torch::manual_seed(0);
  RetrievalNet net(SmallMfrl());
  for (int64_t size : {256, 224, 320}) {
    torch::Tensor x = torch::rand({2, 3, size, size});
    net->train();
    RetrievalOutput t = net->forward(x, View::kDrone);
    ASSERT_EQ(t.logits.size(), 2u) << size;  // [fuse, glob]
    ASSERT_EQ(t.features.size(), 2u);
    EXPECT_EQ(t.logits[0].sizes(), (Shape{2, 7}));
    EXPECT_EQ(t.features[1].sizes(), (Shape{2, 32}));
    EXPECT_EQ(t.parts.sizes(), (Shape{2, 32, 2}));
    if (size == 256) {
      torch::Tensor loss = t.logits[0].sum() + t.logits[1].sum();
      loss.backward();
      auto p = net->named_parameters();
      for (const char* k : {"model_1.fusion.alpha", "model_1.fusion.beta", "model_1.fusion.sge.weight", "model_1.fusion.conv.dep_conv.weight"}) {
        ASSERT_TRUE(p[k].grad().defined()) << k;
        EXPECT_GT(p[k].grad().abs().sum().item<float>(), 0.0f) << k;
      }
      EXPECT_TRUE(p["model_1.convnext.downsample_layers.0.0.weight"].grad().defined());
    }
    net->eval();
    torch::NoGradGuard ng;
    RetrievalOutput e = net->forward(x, View::kSatellite);
    EXPECT_TRUE(e.logits.empty());
    EXPECT_EQ(e.parts.sizes(), (Shape{2, 32, 2})) << size;
    EXPECT_TRUE(torch::equal(e.parts, net->forward(x, View::kDrone).parts));  // shared weights
    // Column 1 (glob) is classifier1 on LN(GAP(stage 4)).
    std::vector<torch::Tensor> stages = net->ForwardBackbone(x, View::kDrone);
    EXPECT_EQ(stages[3].size(2), size / 32);
  }
  // Descriptors: per-column L2, ÷√2, channel-major, unit norm, deterministic.
  torch::Tensor x = torch::rand({3, 3, 96, 96});
  torch::Tensor d = ExtractDescriptors(net, x, View::kDrone);
  EXPECT_EQ(d.sizes(), (Shape{3, 64}));
  EXPECT_TRUE(torch::allclose(d.norm(2, 1), torch::ones({3}), 1e-5, 1e-5));
  EXPECT_TRUE(torch::equal(d, ExtractDescriptors(net, x, View::kDrone)));
}

TEST(MfrlTest, AblationBranchesAndParameterGroups) {
  RetrievalNetOptions o = SmallMfrl();
  o.mfrl.attention = "none";
  RetrievalNet no_sge(o);
  auto s = Shapes(*no_sge);
  EXPECT_EQ(s.count("model_1.fusion.sge.weight"), 0u);
  EXPECT_EQ(s.count("model_1.fusion.alpha"), 0u);
  EXPECT_EQ(s.count("model_1.fusion.beta"), 1u);
  o.mfrl.attention = "sge";
  o.mfrl.conv = "conv3x3";
  RetrievalNet c3(o);
  EXPECT_EQ(Shapes(*c3)["model_1.fusion.conv.conv.weight"], (Shape{192, 192, 3, 3}));
  o.mfrl.conv = "acmix_full";
  EXPECT_THROW(RetrievalNet{o}, InvalidArgumentError);
  o.mfrl.conv = "acmix_conv";
  o.mfrl.sge_groups = 7;  // does not divide 192
  EXPECT_THROW(RetrievalNet{o}, InvalidArgumentError);
  o.mfrl.sge_groups = 16;
  o.share_weights = false;
  EXPECT_THROW(RetrievalNet{o}, InvalidArgumentError);

  // Backbone (ConvNeXt) and head (fusion + classifiers) groups split every parameter once.
  RetrievalNet net(SmallMfrl());
  std::set<const void*> backbone, head;
  for (const auto& t : net->BackboneParameters()) backbone.insert(t.unsafeGetTensorImpl());
  for (const auto& t : net->HeadParameters()) head.insert(t.unsafeGetTensorImpl());
  auto all = net->parameters();
  EXPECT_EQ(backbone.size() + head.size(), all.size());
  for (const auto& t : all) EXPECT_NE(backbone.count(t.unsafeGetTensorImpl()), head.count(t.unsafeGetTensorImpl()));
  EXPECT_EQ(head.count(net->named_parameters()["model_1.fusion.alpha"].unsafeGetTensorImpl()), 1u);
}

}  // namespace
}  // namespace crossview::models

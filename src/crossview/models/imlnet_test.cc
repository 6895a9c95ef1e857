// IML-Net (spec retrieval.md §4.8): keys, shapes, the IRN decoder and its switches, and the MUML
// attention → box → crop mechanics on hand-made tensors.
#include "crossview/models/imlnet.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "crossview/models/descriptor.h"
#include "crossview/models/muml.h"
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

RetrievalNetOptions SmallIml(const std::string& encoder = "resnet") {
  RetrievalNetOptions o;
  o.method = "imlnet";
  o.backbone.base_width = 4;  // layer1..4: 16, 32, 64, 128 channels
  o.vgg.base_width = 4;       // stages: 4, 8, 16, 32, 32
  o.iml.encoder = encoder;
  o.iml.unit_channels = 8;
  o.num_classes = 5;
  o.bottleneck = 16;
  o.dropout = 0.0;
  return o;
}

TEST(ImlNetTest, PaperConfigurationKeysShapesAndParameterCount) {
  RetrievalNetOptions o;
  o.method = "imlnet";  // ResNet-50, last stride 1, 701 classes, C_v 1024
  o.dropout = 0.0;
  RetrievalNet net(o);
  auto s = Shapes(*net);
  EXPECT_EQ(s["model_1.model.conv1.weight"], (Shape{64, 3, 7, 7}));
  EXPECT_EQ(s["model_1.model.layer4.2.conv3.weight"], (Shape{2048, 512, 1, 1}));
  EXPECT_EQ(s["classifier.add_block.0.weight"], (Shape{512, 2048}));
  EXPECT_EQ(s["classifier.add_block.1.running_mean"], (Shape{512}));
  EXPECT_EQ(s.count("classifier.classifier.0.weight"), 0u);  // iml_global_ce = 0
  EXPECT_EQ(s["irn.dec4.0.weight"], (Shape{2048, 1024, 3, 3}));  // ConvT weights are [in, out, k, k]
  EXPECT_EQ(s["irn.dec4.1.running_var"], (Shape{1024}));
  EXPECT_EQ(s["irn.dec3.0.weight"], (Shape{1024, 512, 3, 3}));
  EXPECT_EQ(s["irn.dec2.0.weight"], (Shape{512, 256, 3, 3}));
  EXPECT_EQ(s["irn.dec1.0.weight"], (Shape{256, 64, 3, 3}));
  EXPECT_EQ(s["irn.dec1.1.weight"], (Shape{64}));
  EXPECT_EQ(s["irn.dec0.weight"], (Shape{64, 3, 7, 7}));
  EXPECT_EQ(s["irn.dec0.bias"], (Shape{3}));
  EXPECT_EQ(s.count("irn.dec4.0.bias"), 0u);
  const Shape unit_c = {256, 512, 1024, 2048};
  for (int n = 1; n <= 4; ++n) {
    const std::string g = "muml.g" + std::to_string(n), c = "muml.cls" + std::to_string(n);
    EXPECT_EQ(s[g + ".0.weight"], (Shape{512, unit_c[static_cast<size_t>(n - 1)], 3, 3})) << g;
    EXPECT_EQ(s[g + ".1.running_mean"], (Shape{512}));
    EXPECT_EQ(s[g + ".3.weight"], (Shape{1024, 512, 3, 3}));
    EXPECT_EQ(s[g + ".4.weight"], (Shape{1024}));
    EXPECT_EQ(s.count(g + ".0.bias"), 0u);
    EXPECT_EQ(s[c + ".0.weight"], (Shape{1024}));
    EXPECT_EQ(s[c + ".1.weight"], (Shape{512, 1024}));
    EXPECT_EQ(s[c + ".2.running_var"], (Shape{512}));
    EXPECT_EQ(s[c + ".4.weight"], (Shape{701, 512}));
    EXPECT_EQ(s.count(c + ".3.weight"), 0u);  // ELU
  }
  // ResNet-50 25,557,032 + descriptor block 1,050,112 + IRN 24,933,187 + MUML G 36,581,376 and
  // unit classifiers 4 × 887,485.
  EXPECT_EQ(Count(*net), 25557032 + 1050112 + 24933187 + 36581376 + 4 * 887485);
  o.iml.global_ce = 0.5;
  RetrievalNet with_ce(o);
  EXPECT_EQ(Shapes(*with_ce)["classifier.classifier.0.weight"], (Shape{701, 512}));

  o.iml.encoder = "vgg16";
  o.iml.global_ce = 0;
  RetrievalNet vgg(o);
  auto v = Shapes(*vgg);
  EXPECT_EQ(v["model_1.model.features.28.weight"], (Shape{512, 512, 3, 3}));
  EXPECT_EQ(v.count("model_1.model.classifier.0.weight"), 0u);
  EXPECT_EQ(v["classifier.add_block.0.weight"], (Shape{512, 512}));
  EXPECT_EQ(v["irn.dec5.0.0.weight"], (Shape{512, 512, 3, 3}));
  EXPECT_EQ(v["irn.dec4.2.0.weight"], (Shape{512, 256, 3, 3}));
  EXPECT_EQ(v["irn.dec2.1.0.weight"], (Shape{128, 64, 3, 3}));
  EXPECT_EQ(v["irn.dec1.0.1.weight"], (Shape{64}));
  EXPECT_EQ(v["irn.dec1.1.weight"], (Shape{64, 3, 3, 3}));
  EXPECT_EQ(v["irn.dec1.1.bias"], (Shape{3}));
  EXPECT_EQ(v["muml.g1.0.weight"], (Shape{512, 128, 3, 3}));  // unit 1 = stage 2
  EXPECT_EQ(v["muml.g4.0.weight"], (Shape{512, 512, 3, 3}));
}

TEST(ImlNetTest, TrainAndEvalOutputsAtSeveralSizes) {
  torch::manual_seed(0);
  for (const std::string encoder : {"resnet", "vgg16"}) {
    RetrievalNet net(SmallIml(encoder));
    for (int64_t size : {256, 224, 320, 200}) {
      torch::Tensor x = torch::rand({2, 3, size, size});
      net->train();
      RetrievalOutput d = net->forward(x, View::kDrone);
      ASSERT_TRUE(d.reconstruction.defined());
      EXPECT_EQ(d.reconstruction.sizes(), (Shape{2, 3, size, size})) << encoder << " " << size;
      ASSERT_EQ(d.logits.size(), 4u);  // the four unit classifiers
      ASSERT_EQ(d.unit_maps.size(), 4u);
      EXPECT_EQ(d.unit_maps[0].size(1), 8);
      EXPECT_EQ(d.logits[3].sizes(), (Shape{2, 5}));
      EXPECT_EQ(d.features[0].sizes(), (Shape{2, 16}));
      if (encoder == "resnet") {  // last stride 1: units at s/4, s/8, s/16, s/16
        const int64_t s4 = (size + 3) / 4;
        EXPECT_EQ(d.unit_maps[0].size(2), s4) << size;
        EXPECT_EQ(d.unit_maps[3].size(2), d.unit_maps[2].size(2)) << size;
      } else {  // VGG stages 2..5: s/4 .. s/32 (floored)
        EXPECT_EQ(d.unit_maps[3].size(2), size / 32) << size;
      }
      EXPECT_FALSE(net->forward(x, View::kSatellite).reconstruction.defined());  // iml_recon_satellite off
      net->eval();
      torch::NoGradGuard ng;
      RetrievalOutput e = net->forward(x, View::kDrone);
      EXPECT_FALSE(e.reconstruction.defined());
      EXPECT_TRUE(e.logits.empty());
      EXPECT_TRUE(e.unit_maps.empty());
      EXPECT_EQ(e.parts.sizes(), (Shape{2, 16, 1}));
    }
    torch::Tensor x = torch::rand({3, 3, 64, 64});
    torch::Tensor desc = ExtractDescriptors(net, x, View::kDrone);
    EXPECT_EQ(desc.sizes(), (Shape{3, 16}));
    EXPECT_TRUE(torch::allclose(desc.norm(2, 1), torch::ones({3}), 1e-5, 1e-5));
    EXPECT_TRUE(torch::equal(desc, ExtractDescriptors(net, x, View::kSatellite)));  // one shared encoder
  }
  RetrievalNetOptions o = SmallIml();
  o.iml.recon_satellite = true;
  RetrievalNet both(o);
  both->train();
  EXPECT_TRUE(both->forward(torch::rand({2, 3, 32, 32}), View::kSatellite).reconstruction.defined());
}

TEST(ImlNetTest, ReconstructionOverfitsOneBatch) {
  torch::manual_seed(4);
  for (const std::string encoder : {"resnet", "vgg16"}) {
    RetrievalNet net(SmallIml(encoder));
    net->train();
    torch::Tensor drone = torch::randn({2, 3, 32, 32});
    // A smooth satellite-like target: colour gradients and a bright square, different per image.
    torch::Tensor ramp = torch::linspace(-1, 1, 32);
    torch::Tensor target = torch::stack({ramp.view({1, 32}).expand({32, 32}), ramp.view({32, 1}).expand({32, 32}), torch::zeros({32, 32})})
                               .unsqueeze(0).repeat({2, 1, 1, 1});
    target.slice(0, 1, 2).slice(2, 8, 20).slice(3, 10, 24).fill_(1.5);
    torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(1e-2));
    double first = 0, last = 0;
    for (int step = 0; step < 80; ++step) {
      torch::Tensor loss = torch::mse_loss(net->forward(drone, View::kDrone).reconstruction, target);
      opt.zero_grad();
      loss.backward();
      opt.step();
      if (step == 0) first = loss.item<double>();
      last = loss.item<double>();
    }
    EXPECT_LT(last, 0.25 * first) << encoder << ": MSE " << first << " → " << last;
  }
}

TEST(ImlNetTest, StemSwitchesInvertTheMaxPool) {
  // A hand-made 4×4 map through the stem pool (3×3, stride 2, pad 1): windows centred on
  // (0,0), (0,2), (2,0), (2,2) pick 5 @ (1,1), 7 @ (1,3), 13 @ (3,1), 15 @ (3,3).
  torch::Tensor m = torch::arange(16, torch::kFloat).view({1, 1, 4, 4});
  auto [pooled, idx] = torch::max_pool2d_with_indices(m, {3, 3}, {2, 2}, {1, 1});
  EXPECT_TRUE(torch::equal(idx.flatten(), torch::tensor({5, 7, 13, 15}, torch::kLong)));
  torch::Tensor want = torch::zeros({1, 1, 4, 4});
  for (int64_t i : {5, 7, 13, 15}) want.view({-1})[i] = static_cast<float>(i);
  EXPECT_TRUE(torch::equal(torch::max_unpool2d(pooled, idx, {4, 4}), want));

  // The ResNet encoder's switches are those of its own stem map.
  torch::manual_seed(5);
  ResNetOptions ro;
  ro.base_width = 4;
  ResNet net(ro);
  net->eval();
  torch::NoGradGuard ng;
  torch::Tensor x = torch::rand({2, 3, 50, 70});
  StemPool stem;
  std::vector<torch::Tensor> with = net->ForwardStages(x, &stem);
  std::vector<torch::Tensor> without = net->ForwardStages(x);
  for (size_t i = 0; i < 4; ++i) EXPECT_TRUE(torch::equal(with[i], without[i]));
  EXPECT_EQ(stem.pre_pool_size, (Shape{25, 35}));
  auto mods = net->named_modules();
  torch::Tensor y = torch::relu(mods["bn1"]->as<torch::nn::BatchNorm2d>()->forward(mods["conv1"]->as<torch::nn::Conv2d>()->forward(x)));
  torch::Tensor gathered = y.flatten(2).gather(2, stem.indices.flatten(2)).view_as(stem.indices).to(torch::kFloat);
  EXPECT_TRUE(torch::equal(gathered, torch::max_pool2d(y, 3, 2, 1)));
}

TEST(MumlTest, AttentionMapsResizeAndNormalise) {
  // (0 1; 2 3) → 3×3 with align_corners: (0 .5 1; 1 1.5 2; 2 2.5 3), then ÷ (3 + 1e-6).
  torch::Tensor cam = torch::tensor({0.f, 1.f, 2.f, 3.f}).view({1, 2, 2});
  torch::Tensor want = torch::tensor({0.f, .5f, 1.f, 1.f, 1.5f, 2.f, 2.f, 2.5f, 3.f}).view({1, 3, 3}) / (3.0f + 1e-6f);
  EXPECT_TRUE(torch::allclose(AttentionMaps(cam, 3, 3), want, 0, 1e-6));
  // Combined: sum then renormalise per image.
  torch::Tensor a = torch::tensor({0.f, 1.f}).view({1, 1, 2}), b = torch::tensor({1.f, 1.f}).view({1, 1, 2});
  EXPECT_TRUE(torch::allclose(CombinedAttention({a, b}), torch::tensor({0.f, 1.f / (1 + 1e-6f)}).view({1, 1, 2})));
}

TEST(MumlTest, BoxFromAHandMadeAttentionMap) {
  torch::Tensor map = torch::zeros({20, 30});
  map.slice(0, 5, 9).slice(1, 10, 20).fill_(1.0);  // rows 5..8, cols 10..19
  map[12][3] = 0.5;                                  // exactly t: in the mask only when inclusive
  MumlOptions o;
  // Strict (paper): rows 5..8 ± 2 → [3, 10); cols 10..19 ± 3 → [7, 22).
  EXPECT_EQ(AttentionBox(map, o), (CropBox{3, 10, 7, 22}));
  o.inclusive = true;  // [CMAL]: rows 5..12 → [3, 14); cols 3..19 → [0, 22) (int(3 − 3) = 0)
  EXPECT_EQ(AttentionBox(map, o), (CropBox{3, 14, 0, 22}));
  // Fractional margins truncate toward zero before clamping: H = W = 25, margin 2.5.
  torch::Tensor m25 = torch::zeros({25, 25});
  m25.slice(0, 1, 9).slice(1, 5, 24).fill_(1.0);  // rows 1..8, cols 5..23
  MumlOptions strict;
  // rows: int(1 − 2.5) = −1 → 0, int(8 + 2.5) = 10; cols: int(5 − 2.5) = 2, int(23 + 2.5) = 25 → 25.
  EXPECT_EQ(AttentionBox(m25, strict), (CropBox{0, 10, 2, 25}));
  // A constant map has an empty mask: the whole image [INTERP].
  EXPECT_EQ(AttentionBox(torch::zeros({6, 8}), strict), (CropBox{0, 6, 0, 8}));
  strict.threshold = 1.5;
  EXPECT_THROW(strict.Check(), InvalidArgumentError);
}

TEST(MumlTest, CropAndResizeAndCam) {
  // Crop rows [1, 3) × cols [0, 2) of a 4×4 ramp and resize back to 4×4 (align_corners): the
  // corners keep the crop's corner values, the rest interpolates linearly.
  torch::Tensor img = torch::arange(16, torch::kFloat).view({1, 1, 4, 4});
  torch::Tensor out = CropAndResize(img, {CropBox{1, 3, 0, 2}});
  ASSERT_EQ(out.sizes(), (Shape{1, 1, 4, 4}));
  // crop = (4 5; 8 9): value(r, c) = 4 + 4·r/3 + c/3.
  torch::Tensor want = torch::empty({1, 1, 4, 4});
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) want[0][0][r][c] = 4.0f + 4.0f * r / 3.0f + c / 3.0f;
  EXPECT_TRUE(torch::allclose(out, want, 0, 1e-5));
  EXPECT_THROW(CropAndResize(img, {}), InvalidArgumentError);

  // CAM = w2[class]ᵀ (W1 · x) per position, biases and BNs ignored.
  torch::manual_seed(6);
  MumlUnits units(std::vector<int64_t>{4, 4, 4, 4}, 6, 5);
  torch::Tensor x = torch::randn({2, 6, 3, 3});
  torch::Tensor classes = torch::tensor({4, 1}, torch::kLong);
  torch::Tensor cam = units->Cam(2, x, classes);
  auto p = units->named_parameters();
  torch::Tensor w1 = p["cls3.1.weight"], w2 = p["cls3.4.weight"];
  for (int64_t i = 0; i < 2; ++i) {
    torch::Tensor v = torch::matmul(w2[classes[i].item<int64_t>()], w1);  // (6)
    torch::Tensor manual = (x[i] * v.view({6, 1, 1})).sum(0);
    EXPECT_TRUE(torch::allclose(cam[i], manual, 1e-5, 1e-5));
  }
  EXPECT_FALSE(cam.requires_grad());
  EXPECT_THROW(units->Cam(4, x, classes), InvalidArgumentError);
}

}  // namespace
}  // namespace crossview::models

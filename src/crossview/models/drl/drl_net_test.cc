#include "crossview/models/drl/drl_net.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "crossview/models/weights.h"
#include "crossview/util/errors.h"
#include "crossview/util/testing.h"

namespace crossview::models::drl {
namespace {

int64_t CountParams(torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

TEST(DrlNetTest, PaperConfigurationMatchesReferenceStateDict) {
  auto meta_path = crossview::testing::SharedFile("parity/drl_mixcvt13_fpn_ce/meta.json");
  CV_REQUIRE_FILE(meta_path);
  std::ifstream in(meta_path);
  nlohmann::json meta = nlohmann::json::parse(in);
  DrlNet net(DrlNetOptions::Paper());
  std::map<std::string, std::vector<int64_t>> ours;
  for (const auto& [k, t] : StateDict(*net)) ours[k] = t.sizes().vec();
  std::map<std::string, std::vector<int64_t>> ref;
  for (const auto& e : meta["state_dict"]) ref[e[0].get<std::string>()] = e[1].get<std::vector<int64_t>>();
  EXPECT_EQ(ref.size(), 450u);
  for (const auto& [k, s] : ref) {
    auto it = ours.find(k);
    ASSERT_NE(it, ours.end()) << "missing " << k;
    EXPECT_EQ(it->second, s) << k;
  }
  for (const auto& [k, s] : ours) EXPECT_TRUE(ref.count(k)) << "unexpected " << k;
  EXPECT_EQ(CountParams(*net), 21031177);
  EXPECT_EQ(CountParams(*net), meta["parameters"].get<int64_t>());
  int64_t buffers = 0;
  for (const auto& b : net->named_buffers()) buffers += b.value().numel();
  EXPECT_EQ(buffers, 51456);  // frozen BN: 4 × C per projection, no num_batches_tracked
}

TEST(DrlNetTest, ComponentParameterCountsMatchSpec) {
  FpnI3 fpn(std::vector<int64_t>{64, 192, 384}, 128);
  EXPECT_EQ(CountParams(*fpn), 525056);
  ChannelEmbedding ce(std::vector<int64_t>{128, 64, 16, 1});
  EXPECT_EQ(CountParams(*ce), 9313);
  Cvt mix(CvtOptions::Cvt13(true));
  EXPECT_EQ(CountParams(*mix), 19971752);
  Cvt post(CvtOptions::Cvt13(false));
  EXPECT_EQ(CountParams(*post), 19612480);
  DrlNet pf(DrlNetOptions::PostFusionGc());
  EXPECT_EQ(CountParams(*pf), 39356545);
  auto keys = StateDict(*pf);
  bool has_nbt = false;
  for (const auto& [k, t] : keys) has_nbt |= k == "backbone_uav.backbone.stage0.blocks.0.attn.conv_proj_q.bn.num_batches_tracked";
  EXPECT_TRUE(has_nbt);
}

TEST(DrlNetTest, MixFusionUavStreamIsAPlainCvtOnTheUavImage) {
  torch::manual_seed(0);
  Cvt cvt(CvtOptions::Small(true));
  cvt->eval();
  torch::NoGradGuard ng;
  torch::Tensor uav = torch::rand({2, 3, 64, 64}), sat = torch::rand({2, 3, 128, 128});
  auto [mu, mx] = cvt->ForwardMixed(uav, sat);
  std::vector<torch::Tensor> alone = cvt->ForwardSingle(uav);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(torch::allclose(mu[i], alone[i], 1e-5, 1e-5)) << "stage " << i;
  EXPECT_EQ(mu[2].sizes(), (std::vector<int64_t>{2, 128, 4, 4}));
  EXPECT_EQ(mx[0].sizes(), (std::vector<int64_t>{2, 32, 32, 32}));
  // The satellite stream is conditioned on the UAV: another UAV image changes it.
  auto [mu2, mx2] = cvt->ForwardMixed(torch::rand({2, 3, 64, 64}), sat);
  EXPECT_FALSE(torch::allclose(mx[2], mx2[2], 1e-4, 1e-4));
  // Odd grids work (k/v lengths follow the conv outputs): 80 → 20 → 10 → 5 tokens per side.
  auto [ou, ox] = cvt->ForwardMixed(torch::rand({1, 3, 80, 80}), torch::rand({1, 3, 144, 112}));
  EXPECT_EQ(ou[2].sizes(), (std::vector<int64_t>{1, 128, 5, 5}));
  EXPECT_EQ(ox[2].sizes(), (std::vector<int64_t>{1, 128, 9, 7}));
}

TEST(DrlNetTest, GroupCrossCorrelationIsUnflippedAndPaddedFromKernelWidth) {
  // One channel: a 2×2 kernel [[1,2],[3,4]] over a 3×3 ramp; no padding → 2×2 output.
  torch::Tensor k = torch::tensor({1.f, 2.f, 3.f, 4.f}).view({1, 1, 2, 2});
  torch::Tensor x = torch::arange(9, torch::kFloat).view({1, 1, 3, 3});
  torch::Tensor out = GroupCrossCorrelation(k, x, 0);
  EXPECT_FLOAT_EQ(out[0][0][0][0].item<float>(), 0 * 1 + 1 * 2 + 3 * 3 + 4 * 4);
  EXPECT_FLOAT_EQ(out[0][0][1][1].item<float>(), 4 * 1 + 5 * 2 + 7 * 3 + 8 * 4);
  // Per-sample kernels: sample b only sees its own kernel.
  torch::Tensor kb = torch::stack({k[0], 2 * k[0]});
  torch::Tensor xb = torch::stack({x[0], x[0]});
  torch::Tensor ob = GroupCrossCorrelation(kb, xb, 0);
  EXPECT_TRUE(torch::allclose(ob[1], 2 * ob[0]));
  // GC head sizes: 8×8 kernel on 24×24 with pad 4 → 25×25; without padding 17×17.
  torch::NoGradGuard ng;
  SingleGroupFusionHead padded(16, 1e-4, true), plain(16, 1e-4, false);
  torch::Tensor u = torch::rand({2, 16, 8, 8}), s = torch::rand({2, 16, 24, 24});
  EXPECT_EQ(padded(u, s).sizes(), (std::vector<int64_t>{2, 1, 25, 25}));
  EXPECT_EQ(plain(u, s).sizes(), (std::vector<int64_t>{2, 1, 17, 17}));
}

TEST(DrlNetTest, ChannelEmbeddingFoldEqualsStackAndPoolingModes) {
  torch::manual_seed(3);
  ChannelEmbedding ce(std::vector<int64_t>{128, 64, 16, 1});
  torch::Tensor x = torch::randn({2, 128, 5, 7});
  torch::NoGradGuard ng;
  EXPECT_TRUE(torch::allclose(ce(x), ce->ForwardFolded(x), 1e-4, 1e-5));
  ChannelPooling avg("avg", 4), gem("gem", 4);
  torch::Tensor y = torch::rand({1, 4, 3, 3});
  EXPECT_TRUE(torch::allclose(avg(y), y.mean(1, true)));
  EXPECT_TRUE(torch::allclose(gem(y), y.mean(1, true), 1e-6, 1e-6));  // p = 3 everywhere: uniform weights
  EXPECT_THROW(ChannelPooling("max", 4), InvalidArgumentError);
}

TEST(DrlNetTest, SmallNetworkProducesInputSizedLogits) {
  torch::manual_seed(1);
  DrlNetOptions o = DrlNetOptions::Small();
  o.output_size = 128;
  DrlNet net(o);
  net->eval();
  torch::NoGradGuard ng;
  DrlOutput out = net->forward(torch::rand({2, 3, 64, 64}), torch::rand({2, 3, 128, 128}));
  EXPECT_EQ(out.logits.sizes(), (std::vector<int64_t>{2, 1, 128, 128}));
  EXPECT_EQ(out.satellite_neck.sizes(), (std::vector<int64_t>{2, 32, 32, 32}));
  // Nearest ×4 replicates 4×4 blocks exactly.
  EXPECT_TRUE(torch::equal(out.logits.index({0, 0, torch::indexing::Slice(0, 4), torch::indexing::Slice(0, 4)}),
                           out.logits[0][0][0][0].expand({4, 4})));
  // skip_unused_branches gives identical logits.
  DrlNetOptions skip = o;
  skip.skip_unused_branches = true;
  DrlNet net2(skip);
  LoadStateDict(*net2, StateDict(*net));
  net2->eval();
  torch::Tensor u = torch::rand({1, 3, 64, 64}), s = torch::rand({1, 3, 128, 128});
  EXPECT_TRUE(torch::allclose(net->forward(u, s).logits, net2->forward(u, s).logits, 1e-6, 1e-6));
  EXPECT_THROW(net->forward(torch::rand({1, 3, 64, 64}), torch::rand({2, 3, 128, 128})), InvalidArgumentError);
}

TEST(DrlNetTest, PostFusionAttentionHeadsRun) {
  torch::manual_seed(2);
  for (const char* head : {"caf", "saf"}) {
    DrlNetOptions o = DrlNetOptions::Small();
    o.fusion = "post";
    o.neck = "ccn";
    o.head = head;
    o.output_size = 128;
    DrlNet net(o);
    net->eval();
    torch::NoGradGuard ng;
    DrlOutput out = net->forward(torch::rand({1, 3, 64, 64}), torch::rand({1, 3, 128, 128}));
    EXPECT_EQ(out.logits.sizes(), (std::vector<int64_t>{1, 1, 128, 128})) << head;
    bool has_key = false;
    for (const auto& [k, t] : StateDict(*net)) has_key |= k == "head.head.encoder.layers.3.multihead_attn2.out_proj.bias";
    EXPECT_TRUE(has_key) << head;
  }
}

TEST(DrlNetTest, OptionsAreValidated) {
  DrlNetOptions o;
  o.head = "caf2";
  EXPECT_THROW(DrlNet{o}, InvalidArgumentError);
  o = DrlNetOptions::Paper();
  o.head = "gc";
  EXPECT_THROW(DrlNet{o}, InvalidArgumentError);  // GC needs the CCN neck
}

}  // namespace
}  // namespace crossview::models::drl

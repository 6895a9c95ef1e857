// Parity with the official PyTorch implementations: weights, inputs and expected outputs written
// by the reference code (../shared/parity, see its README). Tolerances: rtol 1e-4, atol 1e-5.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "crossview/checkpoint/checkpoint.h"
#include "crossview/models/drl/drl_net.h"
#include "crossview/models/heads/part_pooling.h"
#include "crossview/models/retrieval_net.h"
#include "crossview/models/weights.h"
#include "crossview/util/testing.h"

namespace crossview {
namespace {

using checkpoint::LoadCheckpoint;

void ExpectClose(const torch::Tensor& got, const torch::Tensor& want, const std::string& what) {
  ASSERT_EQ(got.sizes(), want.sizes()) << what;
  torch::Tensor g = got.to(torch::kFloat), w = want.to(torch::kFloat);
  bool ok = torch::allclose(g, w, 1e-4, 1e-5);
  double max_abs = (g - w).abs().max().item<double>();
  EXPECT_TRUE(ok) << what << ": max |diff| " << max_abs << ", max |want| " << w.abs().max().item<double>();
}

models::NamedTensors Entries(const checkpoint::StateDict& sd) {
  return models::NamedTensors(sd.entries().begin(), sd.entries().end());
}

TEST(ParityTest, DrlMixCvt13FpnCeMatchesReference) {
  auto dir = testing::SharedFile("parity/drl_mixcvt13_fpn_ce");
  CV_REQUIRE_FILE(dir / "weights.pth");
  models::drl::DrlNet net(models::drl::DrlNetOptions::Paper());
  models::LoadReport r = models::LoadStateDict(*net, Entries(LoadCheckpoint(dir / "weights.pth")));
  EXPECT_EQ(r.loaded, 450u);
  net->eval();
  checkpoint::StateDict in = LoadCheckpoint(dir / "inputs.pth");
  checkpoint::StateDict want = LoadCheckpoint(dir / "expected.pth");
  torch::NoGradGuard ng;
  models::drl::DrlOutput out = net->forward(in.at("uav"), in.at("satellite"));
  for (int i = 0; i < 3; ++i) {
    ExpectClose(out.uav_stages[i], want.at("uav_stage" + std::to_string(i)), "uav_stage" + std::to_string(i));
    ExpectClose(out.satellite_stages[i], want.at("satellite_stage" + std::to_string(i)), "satellite_stage" + std::to_string(i));
  }
  ExpectClose(out.satellite_neck, want.at("satellite_fpn_p3"), "satellite_fpn_p3");
  ExpectClose(out.logits, want.at("heatmap_logits"), "heatmap_logits");
}

TEST(ParityTest, MsbaHeadMatchesReference) {
  auto dir = testing::SharedFile("parity/msba_head");
  CV_REQUIRE_FILE(dir / "head_weights.pth");
  models::RetrievalNetOptions o;  // MSBA paper configuration: block 4, 701 classes, dropout 0.5
  o.method = "msba";
  o.dropout = 0.5;
  models::RetrievalNet net(o);
  models::LoadOptions lo;
  lo.strict = false;  // head weights only; the ResNet-50 is checked against torchvision separately
  models::LoadReport r = models::LoadStateDict(*net, Entries(LoadCheckpoint(dir / "head_weights.pth")), lo);
  EXPECT_TRUE(r.unexpected.empty()) << r.Summary();
  EXPECT_TRUE(r.shape_mismatch.empty()) << r.Summary();
  EXPECT_EQ(r.loaded, 7u * 9u);  // 7 ClassBlocks × (2 Linear × 2 + BN1d × 5) entries
  net->eval();
  checkpoint::StateDict in = LoadCheckpoint(dir / "inputs.pth");
  checkpoint::StateDict want = LoadCheckpoint(dir / "expected.pth");
  torch::NoGradGuard ng;
  torch::Tensor x3 = in.at("layer3"), x4 = in.at("layer4");
  torch::Tensor parts = models::MsbaBlocks(x4);
  ExpectClose(parts, want.at("part_pool"), "part_pool");
  ExpectClose(models::BlockAttention(parts), want.at("block_attention"), "block_attention");
  models::RetrievalOutput out = net->ForwardHeads({torch::Tensor(), torch::Tensor(), x3, x4}, models::View::kDrone);
  ExpectClose(out.parts, want.at("descriptor_parts"), "descriptor_parts");
}

}  // namespace
}  // namespace crossview

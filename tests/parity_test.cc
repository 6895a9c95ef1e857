// Parity with the official PyTorch implementations: weights, inputs and expected outputs written
// by the reference code (../shared/parity, see its README). Tolerances: rtol 1e-4, atol 1e-5.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "crossview/checkpoint/checkpoint.h"
#include "crossview/convert/import.h"
#include "crossview/convert/model_run.h"
#include "crossview/models/drl/drl_net.h"
#include "crossview/models/heads/part_pooling.h"
#include "crossview/models/retrieval_net.h"
#include "crossview/models/weights.h"
#include "crossview/util/file.h"
#include "crossview/util/npy.h"
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

torch::Tensor FromNpy(const std::filesystem::path& path) {
  NpyArray a = ReadNpy(path);
  EXPECT_EQ(a.type, NpyType::kFloat32);
  return torch::from_blob(a.bytes.data(), a.shape, torch::kFloat).clone();
}

TEST(ParityTest, DrlOfficialFileImportsByItselfAndTheUavStreamIgnoresTheSatelliteSize) {
  auto dir = testing::SharedFile("parity/drl_mixcvt13_fpn_ce");
  CV_REQUIRE_FILE(dir / "weights.pth");
  convert::ImportSummary s;
  train::StoredDrlModel m = convert::LoadDrlModelAny(dir / "weights.pth", {}, &s);  // arch auto
  EXPECT_EQ(s.arch, "drl-mix");
  EXPECT_EQ(s.report.loaded, 450u);
  EXPECT_EQ(m.uav_size, 128);
  EXPECT_EQ(m.satellite_size, 384);
  checkpoint::StateDict in = LoadCheckpoint(dir / "inputs.pth");
  checkpoint::StateDict want = LoadCheckpoint(dir / "expected.pth");
  torch::NoGradGuard ng;
  // Satellite maps of other sizes, including an odd token grid (208 → 52/26/13 tokens per side):
  // UAV queries attend to UAV keys only, so the UAV stages must still equal the reference's, and
  // the satellite outputs must have the sizes the strides give.
  for (int side : {256, 320, 208}) {
    torch::Tensor sat = torch::nn::functional::interpolate(
        in.at("satellite"), torch::nn::functional::InterpolateFuncOptions().size(std::vector<int64_t>{side, side}).mode(torch::kBilinear).align_corners(false));
    models::drl::DrlOutput out = m.net->forward(in.at("uav"), sat);
    for (int i = 0; i < 3; ++i) ExpectClose(out.uav_stages[i], want.at("uav_stage" + std::to_string(i)), "uav_stage" + std::to_string(i) + " @" + std::to_string(side));
    int64_t g = (side + 3) / 4;
    EXPECT_EQ(out.satellite_stages[0].size(2), g) << side;
    EXPECT_EQ(out.satellite_stages[1].size(2), (g + 1) / 2) << side;
    EXPECT_EQ(out.satellite_stages[2].size(2), ((g + 1) / 2 + 1) / 2) << side;
    EXPECT_EQ(out.logits.size(2), 384) << side;  // nearest upsampling to the configured output size
    EXPECT_TRUE(torch::isfinite(out.logits).all().item<bool>()) << side;
    // Each sample's output is independent of its batch partner at every size.
    models::drl::DrlOutput one = m.net->forward(in.at("uav").narrow(0, 1, 1), sat.narrow(0, 1, 1));
    ExpectClose(one.logits[0], out.logits[1], "batch independence @" + std::to_string(side));
  }
}

TEST(ParityTest, ModelRunWritesTheReferenceTensorsAsNpy) {
  auto drl = testing::SharedFile("parity/drl_mixcvt13_fpn_ce");
  auto msba = testing::SharedFile("parity/msba_head");
  CV_REQUIRE_FILE(drl / "weights.pth");
  CV_REQUIRE_FILE(msba / "head_weights.pth");
  TempDir tmp;
  struct Case {
    std::string arch;
    std::filesystem::path weights, dir;
    std::vector<std::string> names;
  };
  for (const Case& c : {Case{"drl-mix", drl / "weights.pth", drl,
                             {"heatmap_logits", "satellite_fpn_p3", "uav_stage0", "uav_stage1", "uav_stage2", "satellite_stage0", "satellite_stage1", "satellite_stage2"}},
                        Case{"msba-head", msba / "head_weights.pth", msba, {"part_pool", "block_attention", "descriptor_parts"}}}) {
    convert::ModelRunOptions o;
    o.arch = c.arch;
    o.weights = c.weights;
    o.inputs = c.dir / "inputs.pth";
    convert::WriteOutputs(tmp.path() / c.arch, convert::RunModel(o), o);
    checkpoint::StateDict want = LoadCheckpoint(c.dir / "expected.pth");
    for (const auto& name : c.names) ExpectClose(FromNpy(tmp.path() / c.arch / (name + ".npy")), want.at(name), c.arch + "/" + name);
  }
}

TEST(ParityTest, MsbaHeadIsExactUnderNearestUpsamplingOfItsInputs) {
  // The six blocks of block=4 split a map at multiples of side/8, and the global branch is a mean:
  // upsampling layer3/layer4 by an integer factor (nearest) must reproduce the reference outputs
  // at 32×32 and 48×48 — the head does not assume 16×16.
  auto dir = testing::SharedFile("parity/msba_head");
  CV_REQUIRE_FILE(dir / "head_weights.pth");
  models::RetrievalNetOptions o;
  o.method = "msba";
  models::RetrievalNet net(o);
  models::LoadOptions lo;
  lo.strict = false;
  models::LoadStateDict(*net, Entries(LoadCheckpoint(dir / "head_weights.pth")), lo);
  net->eval();
  checkpoint::StateDict in = LoadCheckpoint(dir / "inputs.pth");
  checkpoint::StateDict want = LoadCheckpoint(dir / "expected.pth");
  torch::NoGradGuard ng;
  for (int64_t f : {2, 3}) {
    auto up = [&](const torch::Tensor& x) { return x.repeat_interleave(f, 2).repeat_interleave(f, 3); };
    torch::Tensor x3 = up(in.at("layer3")), x4 = up(in.at("layer4"));
    ExpectClose(models::MsbaBlocks(x4), want.at("part_pool"), "part_pool ×" + std::to_string(f));
    ExpectClose(net->ForwardHeads({torch::Tensor(), torch::Tensor(), x3, x4}, models::View::kDrone).parts, want.at("descriptor_parts"),
                "descriptor_parts ×" + std::to_string(f));
  }
  // Stride-2 (8×8) and odd (15×15) maps run and give one 512-vector per part.
  for (int64_t side : {8, 15}) {
    torch::Tensor x3 = in.at("layer3").narrow(2, 0, side).narrow(3, 0, side), x4 = in.at("layer4").narrow(2, 0, side).narrow(3, 0, side);
    torch::Tensor parts = net->ForwardHeads({torch::Tensor(), torch::Tensor(), x3, x4}, models::View::kDrone).parts;
    EXPECT_EQ(parts.sizes(), (torch::IntArrayRef{2, 512, 7})) << side;
    EXPECT_TRUE(torch::isfinite(parts).all().item<bool>()) << side;
  }
}

}  // namespace
}  // namespace crossview

// Parity with torchvision (python3-torchvision from Debian, run at test time): crossview loads the
// exact torch.save files torchvision wrote and reproduces the per-stage outputs within 1e-4.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>

#include "crossview/checkpoint/checkpoint.h"
#include "crossview/models/backbones/convnext.h"
#include "crossview/models/backbones/resnet.h"
#include "crossview/models/backbones/vgg.h"
#include "crossview/models/weight_import.h"
#include "crossview/util/file.h"
#include "crossview/util/process.h"
#include "crossview/util/testing.h"

namespace crossview {
namespace {

class TorchvisionParity : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("tv-parity");
    if (!std::filesystem::exists("/usr/bin/python3")) return;
    std::string script = std::string(CROSSVIEW_SOURCE_DIR) + "/tests/python/make_torchvision_parity.py";
    status_ = RunProcess({"/usr/bin/python3", script, dir_->path().string()});
  }
  static void TearDownTestSuite() { delete dir_; }
  void SetUp() override {
    if (status_ != 0) {
      if (testing::InCi()) FAIL() << "python3-torchvision could not write the reference files (status " << status_ << "); run scripts/setup.sh";
      GTEST_SKIP() << "python3-torch / python3-torchvision not installed (scripts/setup.sh installs them)";
    }
  }
  static models::NamedTensors Load(const std::string& name) {
    auto sd = checkpoint::LoadCheckpoint(dir_->path() / (name + ".pth"));
    return models::NamedTensors(sd.entries().begin(), sd.entries().end());
  }
  static checkpoint::StateDict Io(const std::string& name) { return checkpoint::LoadCheckpoint(dir_->path() / (name + "_io.pth")); }
  static void ExpectClose(const torch::Tensor& got, const torch::Tensor& want, const std::string& what) {
    ASSERT_EQ(got.sizes(), want.sizes()) << what;
    EXPECT_TRUE(torch::allclose(got, want, 1e-4, 1e-5)) << what << ": max |diff| " << (got - want).abs().max().item<double>();
  }
  static TempDir* dir_;
  static int status_;
};
TempDir* TorchvisionParity::dir_ = nullptr;
int TorchvisionParity::status_ = -1;

TEST_F(TorchvisionParity, ResNet50And18) {
  for (auto [name, depth] : {std::pair<std::string, int>{"resnet50", 50}, {"resnet18", 18}}) {
    models::ResNetOptions o;
    o.depth = depth;
    models::ResNet net(o);
    models::ImportPlan plan = models::PlanImport(name, Load(name));
    models::LoadReport r = models::LoadStateDict(*net, plan.tensors, plan.options);
    EXPECT_TRUE(r.ok()) << r.Summary();
    net->eval();
    torch::NoGradGuard ng;
    auto io = Io(name);
    auto stages = net->ForwardStages(io.at("x"));
    for (int i = 0; i < 4; ++i) ExpectClose(stages[i], io.at("stage" + std::to_string(i)), name + " stage" + std::to_string(i));
  }
}

TEST_F(TorchvisionParity, ConvNextTiny) {
  models::ConvNext net(models::ConvNextOptions::Tiny());
  models::ImportPlan plan = models::PlanImport("convnext-t", Load("convnext_tiny"));
  EXPECT_EQ(plan.detected_layout, "torchvision");
  models::LoadReport r = models::LoadStateDict(*net, plan.tensors, plan.options);
  EXPECT_TRUE(r.ok()) << r.Summary();
  net->eval();
  torch::NoGradGuard ng;
  auto io = Io("convnext_tiny");
  auto stages = net->ForwardStages(io.at("x"));
  for (int i = 0; i < 4; ++i) ExpectClose(stages[i], io.at("stage" + std::to_string(i)), "convnext stage" + std::to_string(i));
}

TEST_F(TorchvisionParity, Vgg16StagesSwitchesAndLogits) {
  models::Vgg net(models::VggOptions{});
  models::ImportPlan plan = models::PlanImport("vgg16", Load("vgg16"));
  models::LoadReport r = models::LoadStateDict(*net, plan.tensors, plan.options);
  EXPECT_TRUE(r.ok()) << r.Summary();
  EXPECT_EQ(r.loaded, 32u);
  net->eval();
  torch::NoGradGuard ng;
  auto io = Io("vgg16");
  models::VggStages st = net->ForwardStages(io.at("x"));
  for (int s = 0; s < 5; ++s) {
    const std::string k = std::to_string(s);
    ExpectClose(st.maps[static_cast<size_t>(s)], io.at("stage" + k), "vgg16 stage" + k);
    // Where the pooled value is positive the window's maximum is unique, so the switches must agree
    // (all-zero windows after ReLU are ties).
    torch::Tensor positive = io.at("stage" + k) > 0;
    EXPECT_TRUE(torch::equal(st.indices[static_cast<size_t>(s)].masked_select(positive), io.at("indices" + k).masked_select(positive)))
        << "vgg16 switches of pool " << s;
  }
  ExpectClose(net->forward(io.at("x")), io.at("logits"), "vgg16 logits");
}

}  // namespace
}  // namespace crossview

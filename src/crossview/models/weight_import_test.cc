#include "crossview/models/weight_import.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "crossview/models/backbones/convnext.h"
#include "crossview/models/drl/drl_net.h"
#include "crossview/models/retrieval_net.h"
#include "crossview/util/errors.h"

namespace crossview::models {
namespace {

// Meta ConvNeXt names → timm names (the inverse of the importer's mapping, written out per key).
std::string MetaToTimm(const std::string& k) {
  auto starts = [&](const std::string& p) { return k.rfind(p, 0) == 0; };
  if (starts("downsample_layers.0.")) return "stem." + k.substr(20);
  if (starts("downsample_layers.")) return "stages." + k.substr(18, 1) + ".downsample." + k.substr(20);
  if (starts("norm.")) return "head.norm." + k.substr(5);
  if (starts("head.")) return "head.fc." + k.substr(5);
  if (starts("stages.")) {  // stages.s.b.rest
    size_t d1 = k.find('.', 7), d2 = k.find('.', d1 + 1);
    std::string s = k.substr(7, d1 - 7), b = k.substr(d1 + 1, d2 - d1 - 1), rest = k.substr(d2 + 1);
    if (rest.rfind("dwconv.", 0) == 0) rest = "conv_dw." + rest.substr(7);
    if (rest.rfind("pwconv1.", 0) == 0) rest = "mlp.fc1." + rest.substr(8);
    if (rest.rfind("pwconv2.", 0) == 0) rest = "mlp.fc2." + rest.substr(8);
    return "stages." + s + ".blocks." + b + "." + rest;
  }
  return k;
}

TEST(WeightImportTest, ConvNextTimmAndMetaLayoutsLoadStrictly) {
  torch::manual_seed(0);
  ConvNext src(ConvNextOptions::Small());
  NamedTensors timm, meta;
  for (const auto& [k, v] : StateDict(*src)) {
    timm.emplace_back("model." + MetaToTimm(k), v);
    meta.emplace_back("model_1.convnext." + k, v);
  }
  for (auto* ck : {&timm, &meta}) {
    ConvNext dst(ConvNextOptions::Small());
    ImportPlan plan = PlanImport("convnext-t", *ck);
    LoadReport r = LoadStateDict(*dst, plan.tensors, plan.options);
    EXPECT_TRUE(r.ok()) << plan.detected_layout << ": " << r.Summary();
    EXPECT_TRUE(torch::equal(StateDict(*dst)[5].second, StateDict(*src)[5].second));
  }
  EXPECT_EQ(PlanImport("convnext-t", timm).detected_layout, "timm");
  EXPECT_EQ(PlanImport("convnext-t", meta).detected_layout, "meta");
}

TEST(WeightImportTest, ThreeViewNetWithStreetBranchAndSharedAliasLoads) {
  torch::manual_seed(1);
  RetrievalNetOptions o;
  o.method = "msba";
  o.backbone.base_width = 4;
  o.num_classes = 9;
  o.bottleneck = 16;
  RetrievalNet src(o);
  NamedTensors ck;
  for (const auto& [k, v] : StateDict(*src)) {
    ck.emplace_back("module." + k, v);
    if (k.rfind("model_1.", 0) == 0) {
      ck.emplace_back("module.model_3." + k.substr(8), v);            // shared drone branch
      ck.emplace_back("module.model_2." + k.substr(8), v + 1.0);      // street branch, unused
    }
  }
  ImportPlan plan = PlanImport("msba", ck);
  RetrievalNet dst(o);
  LoadReport r = LoadStateDict(*dst, plan.tensors, plan.options);
  EXPECT_TRUE(r.ok()) << r.Summary();
  ClassifierShape c = InspectClassifier(plan.tensors);
  EXPECT_EQ(c.num_classes, 9);
  EXPECT_EQ(c.bottleneck, 16);
  EXPECT_EQ(c.heads, 7);
  // A checkpoint for another architecture is one clear error naming the problem keys.
  RetrievalNetOptions lpn = o;
  lpn.method = "lpn";
  RetrievalNet wrong(lpn);
  try {
    LoadStateDict(*wrong, plan.tensors, plan.options);
    FAIL();
  } catch (const InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("unexpected: classifier4"), std::string::npos) << e.what();
  }
  // A wrong class count is a shape mismatch.
  RetrievalNetOptions k701 = o;
  k701.num_classes = 701;
  RetrievalNet other(k701);
  EXPECT_THROW(LoadStateDict(*other, plan.tensors, plan.options), InvalidArgumentError);
}

TEST(WeightImportTest, TorchvisionResNetAndCvtImageNetInit) {
  ResNetOptions ro;
  ro.base_width = 8;
  ResNet a(ro), b(ro);
  NamedTensors tv;
  for (const auto& [k, v] : StateDict(*a)) tv.emplace_back(k, v);
  ImportPlan p = PlanImport("resnet50", tv);
  EXPECT_TRUE(LoadStateDict(*b, p.tensors, p.options).ok());

  // Microsoft CvT-13 names (bare stage*, norm, head, BN with num_batches_tracked) load into the
  // Mix-Fusion backbone; the DRL necks and head stay as initialised.
  drl::DrlNetOptions small = drl::DrlNetOptions::Small();
  drl::Cvt cvt(drl::CvtOptions::Small(true));
  NamedTensors ms;
  for (const auto& [k, v] : StateDict(*cvt)) ms.emplace_back(k, v);
  ms.emplace_back("stage0.blocks.0.attn.conv_proj_q.bn.num_batches_tracked", torch::tensor(int64_t{5}));
  drl::DrlNet net(small);
  ImportPlan c = PlanImport("cvt13-imagenet", ms);
  LoadReport r = LoadStateDict(*net, c.tensors, c.options);
  EXPECT_TRUE(r.unexpected.empty()) << r.Summary();
  EXPECT_TRUE(r.shape_mismatch.empty()) << r.Summary();
  EXPECT_FALSE(r.missing.empty());  // necks and head
  for (const auto& m : r.missing) EXPECT_EQ(m.rfind("union_backbone", 0), std::string::npos) << m;
  EXPECT_THROW(PlanImport("vit-s", {}), InvalidArgumentError);
}

}  // namespace
}  // namespace crossview::models

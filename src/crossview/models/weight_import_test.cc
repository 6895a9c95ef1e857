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

TEST(WeightImportTest, MccgInitialisesMfrlAndBaselineInitialisesImlNet) {
  torch::manual_seed(2);
  // An [MCCG] checkpoint: model_1.convnext.*, model_1.classifier1.*, triplet-attention gates and
  // their classifiers. It initialises MFRL's backbone and global head; fusion and classifier_fuse
  // stay as initialised and are reported missing.
  RetrievalNetOptions mo;
  mo.method = "mfrl";
  mo.convnext = ConvNextOptions::Small();
  mo.mfrl.sge_groups = 16;
  mo.num_classes = 6;
  mo.bottleneck = 16;
  RetrievalNet src(mo);
  NamedTensors mccg;
  for (const auto& [k, v] : StateDict(*src)) {
    if (k.find(".fusion.") == std::string::npos && k.find("classifier_fuse") == std::string::npos) mccg.emplace_back(k, v);
  }
  mccg.emplace_back("model_1.tri_layer.cw.conv.conv.weight", torch::rand({1, 2, 7, 7}));
  mccg.emplace_back("model_1.classifier_mcb1.add_block.0.weight", torch::rand({16, 192}));
  ImportPlan plan = PlanImport("mfrl", mccg);
  EXPECT_EQ(plan.detected_layout, "mccg");
  RetrievalNet dst(mo);
  LoadReport r = LoadStateDict(*dst, plan.tensors, plan.options);
  EXPECT_TRUE(r.unexpected.empty()) << r.Summary();
  EXPECT_TRUE(r.shape_mismatch.empty()) << r.Summary();
  for (const auto& m : r.missing) {
    EXPECT_TRUE(m.find(".fusion.") != std::string::npos || m.find("classifier_fuse") != std::string::npos) << m;
  }
  EXPECT_TRUE(torch::equal(dst->named_parameters()["model_1.classifier1.add_block.0.weight"],
                           src->named_parameters()["model_1.classifier1.add_block.0.weight"]));
  NamedTensors own = StateDict(*src);
  EXPECT_EQ(PlanImport("mfrl", own).detected_layout, "mfrl");
  EXPECT_TRUE(LoadStateDict(*dst, PlanImport("mfrl", own).tensors).ok());

  // A [U1652] baseline (three_view_net) initialises IML-Net's encoder and descriptor block.
  RetrievalNetOptions bo;
  bo.method = "baseline";
  bo.backbone.base_width = 4;
  bo.num_classes = 6;
  bo.bottleneck = 16;
  RetrievalNet base(bo);
  NamedTensors u1652;
  for (const auto& [k, v] : StateDict(*base)) {
    u1652.emplace_back(k, v);
    if (k.rfind("model_1.", 0) == 0) u1652.emplace_back("model_3." + k.substr(8), v);
  }
  RetrievalNetOptions io = bo;
  io.method = "imlnet";
  io.iml.unit_channels = 8;
  RetrievalNet iml(io);
  ImportPlan ip = PlanImport("imlnet", u1652);
  EXPECT_EQ(ip.detected_layout, "three_view_net");
  LoadReport ir = LoadStateDict(*iml, ip.tensors, ip.options);
  EXPECT_TRUE(ir.shape_mismatch.empty()) << ir.Summary();
  ASSERT_EQ(ir.unexpected.size(), 2u);  // the baseline's final Linear (IML-Net has none by default)
  EXPECT_EQ(ir.unexpected[0].rfind("classifier.classifier.0.", 0), 0u);
  for (const auto& m : ir.missing) EXPECT_TRUE(m.rfind("irn.", 0) == 0 || m.rfind("muml.", 0) == 0) << m;
  EXPECT_TRUE(torch::equal(iml->named_parameters()["model_1.model.layer4.2.conv3.weight"],
                           base->named_parameters()["model_1.model.layer4.2.conv3.weight"]));
  EXPECT_TRUE(torch::equal(iml->named_parameters()["classifier.add_block.0.weight"], base->named_parameters()["classifier.add_block.0.weight"]));
}

TEST(WeightImportTest, TorchvisionVggIntoTheFeaturesOnlyEncoder) {
  VggOptions full;
  full.base_width = 4;
  full.classifier_hidden = 8;
  Vgg a(full);
  NamedTensors tv;
  for (const auto& [k, v] : StateDict(*a)) tv.emplace_back(k, v);
  Vgg b(full);
  EXPECT_TRUE(LoadStateDict(*b, PlanImport("vgg16", tv).tensors).ok());
  VggOptions features = full;
  features.classifier = false;
  Vgg c(features);
  ImportPlan p = PlanImport("vgg16-features", tv);
  EXPECT_TRUE(LoadStateDict(*c, p.tensors, p.options).ok());
  EXPECT_THROW(LoadStateDict(*c, PlanImport("vgg16", tv).tensors), InvalidArgumentError);  // strict: classifier.* left over
}

}  // namespace
}  // namespace crossview::models

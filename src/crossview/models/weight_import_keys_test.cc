// Key-level import tests (issue 8): for every architecture the importer supports, a checkpoint
// with the reference's exact key names and shapes — written out here from the spec's rules
// (retrieval.md §3–4, drl.md §5.8–5.9), never derived from crossview's own modules — loads into
// the crossview model with zero missing, zero unexpected and zero mismatched keys; one key less
// is reported missing and one key more unexpected, by name.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "crossview/models/backbones/convnext.h"
#include "crossview/models/backbones/resnet.h"
#include "crossview/models/backbones/vgg.h"
#include "crossview/models/drl/drl_net.h"
#include "crossview/models/pretrained.h"
#include "crossview/models/retrieval_net.h"
#include "crossview/models/reference_keys.h"
#include "crossview/models/weight_import.h"
#include "crossview/models/weights.h"
#include "crossview/util/errors.h"
#include "crossview/util/testing.h"

namespace crossview::models {
namespace {

using namespace reference;  // NOLINT: the key lists and their builders

// ---------------------------------------------------------------------------------------------
// Checks.

NamedTensors Without(const NamedTensors& t, const std::string& key) {
  NamedTensors out;
  for (const auto& kv : t) {
    if (kv.first != key) out.push_back(kv);
  }
  EXPECT_EQ(out.size() + 1, t.size()) << "the reference list has no key " << key;
  return out;
}

NamedTensors With(NamedTensors t, const std::string& key, const Shape& shape) {
  for (const auto& kv : t) EXPECT_NE(kv.first, key) << "already in the reference list";
  t.emplace_back(key, Values(shape, -1));
  return t;
}

size_t CountPrefix(const NamedTensors& t, const std::string& prefix) {
  return static_cast<size_t>(std::count_if(t.begin(), t.end(), [&](const auto& kv) { return kv.first.rfind(prefix, 0) == 0; }));
}

torch::Tensor ModuleTensor(const torch::nn::Module& module, const std::string& key) {
  for (const auto& [k, v] : StateDict(module)) {
    if (k == key) return v;
  }
  ADD_FAILURE() << "the module has no " << key;
  return torch::zeros({0});
}

torch::Tensor CheckpointTensor(const NamedTensors& t, const std::string& key) {
  for (const auto& [k, v] : t) {
    if (k == key) return v;
  }
  ADD_FAILURE() << "the checkpoint has no " << key;
  return torch::zeros({0});
}

// The checkpoint value `ck_key` landed in `module_key` (renamed layouts put it in the right place).
void ExpectLanded(const torch::nn::Module& module, const std::string& module_key, const NamedTensors& ck, const std::string& ck_key) {
  torch::Tensor m = ModuleTensor(module, module_key), c = CheckpointTensor(ck, ck_key);
  ASSERT_EQ(m.numel(), c.numel()) << module_key << " vs " << ck_key;
  EXPECT_TRUE(torch::equal(m, c.reshape(m.sizes()).to(m.scalar_type()))) << module_key << " vs " << ck_key;
}

// A strict import of the reference list: every module tensor loaded, nothing left over; exactly
// `tolerated` checkpoint keys (the spec's aliases and unused branches) dropped by the plan.
void ExpectExactLoad(const std::string& arch, const NamedTensors& ck, torch::nn::Module& module, const std::string& layout,
                     size_t tolerated = 0) {
  ImportPlan plan = PlanImport(arch, ck);
  EXPECT_EQ(plan.detected_layout, layout);
  EXPECT_TRUE(plan.options.strict) << arch;
  LoadReport r;
  ASSERT_NO_THROW(r = LoadStateDict(module, plan.tensors, plan.options)) << arch;
  EXPECT_TRUE(r.missing.empty()) << r.Summary();
  EXPECT_TRUE(r.unexpected.empty()) << r.Summary();
  EXPECT_TRUE(r.shape_mismatch.empty()) << r.Summary();
  EXPECT_EQ(r.loaded, StateDict(module).size()) << arch;
  EXPECT_EQ(r.loaded + tolerated, ck.size()) << arch;
}

// Without `drop`, the import reports exactly `missing` (the module's name for it) and the strict
// load refuses, naming it.
void ExpectOneMissing(const std::string& arch, const NamedTensors& ck, torch::nn::Module& module, const std::string& drop,
                      const std::string& missing) {
  ImportPlan plan = PlanImport(arch, Without(ck, drop));
  LoadOptions lenient = plan.options;
  lenient.strict = false;
  LoadReport r = LoadStateDict(module, plan.tensors, lenient);
  EXPECT_EQ(r.missing, std::vector<std::string>{missing}) << r.Summary();
  EXPECT_TRUE(r.unexpected.empty()) << r.Summary();
  EXPECT_TRUE(r.shape_mismatch.empty()) << r.Summary();
  try {
    LoadStateDict(module, plan.tensors, plan.options);
    ADD_FAILURE() << arch << ": a strict load without " << drop << " succeeded";
  } catch (const InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("missing: " + missing), std::string::npos) << e.what();
  }
}

// With one key more (`extra`, reported as `reported` after the plan's renaming), the import
// reports exactly that key unexpected and the strict load refuses, naming it.
void ExpectOneUnexpected(const std::string& arch, const NamedTensors& ck, torch::nn::Module& module, const std::string& extra,
                         const Shape& shape, const std::string& reported) {
  ImportPlan plan = PlanImport(arch, With(ck, extra, shape));
  LoadOptions lenient = plan.options;
  lenient.strict = false;
  LoadReport r = LoadStateDict(module, plan.tensors, lenient);
  EXPECT_TRUE(r.missing.empty()) << r.Summary();
  EXPECT_EQ(r.unexpected, std::vector<std::string>{reported}) << r.Summary();
  EXPECT_TRUE(r.shape_mismatch.empty()) << r.Summary();
  try {
    LoadStateDict(module, plan.tensors, plan.options);
    ADD_FAILURE() << arch << ": a strict load with the extra key " << extra << " succeeded";
  } catch (const InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("unexpected: " + reported), std::string::npos) << e.what();
  }
}

RetrievalNetOptions PaperRetrieval(const std::string& method) {
  RetrievalNetOptions o;  // ResNet-50 full width, last stride 1, 701 classes, bottleneck 512
  o.method = method;
  o.num_classes = 701;
  o.bottleneck = 512;
  return o;
}

// ---------------------------------------------------------------------------------------------

TEST(ReferenceKeysTest, TorchvisionResNet18_34_50) {
  const std::map<int, int64_t> kParameters = {{18, 11689512}, {34, 21797672}, {50, 25557032}};  // torchvision's counts
  for (int depth : {18, 34, 50}) {
    const std::string arch = "resnet" + std::to_string(depth);
    SCOPED_TRACE(arch);
    const KeyList keys = TorchvisionResNet(depth);
    EXPECT_EQ(keys.Parameters(), kParameters.at(depth));
    const NamedTensors ck = Fill(keys, depth);
    EXPECT_EQ(DetectArchitecture(ck), arch);
    ResNet net(ResNetOptions{depth, 2, 64, 1000});
    ExpectExactLoad(arch, ck, *net, "torchvision");
    ExpectLanded(*net, "layer4.1.conv2.weight", ck, "layer4.1.conv2.weight");
    ExpectLanded(*net, "layer2.0.downsample.1.num_batches_tracked", ck, "layer2.0.downsample.1.num_batches_tracked");
    ExpectOneMissing(arch, ck, *net, "layer3.1.bn2.num_batches_tracked", "layer3.1.bn2.num_batches_tracked");
    // A ResNet-101 block (layer3.6) or a ResNet-34 block in an 18 (layer3.2) is not this model.
    const std::string extra = depth == 18 ? "layer3.2.conv1.weight" : "layer3.6.conv1.weight";
    ExpectOneUnexpected(arch, ck, *net, extra, depth == 50 ? Shape{256, 1024, 1, 1} : Shape{256, 256, 3, 3}, extra);
  }
}

TEST(ReferenceKeysTest, ConvNextTMetaTimmAndTorchvisionLayouts) {
  const KeyList meta = MetaConvNextT(), timm = TimmConvNextT(), tv = TorchvisionConvNextT();
  EXPECT_EQ(meta.Parameters(), 28589128);  // ConvNeXt-T
  EXPECT_EQ(timm.Parameters(), meta.Parameters());
  EXPECT_EQ(tv.Parameters(), meta.Parameters());
  ConvNext net(ConvNextOptions::Tiny());
  {
    SCOPED_TRACE("meta");
    const NamedTensors ck = Fill(meta, 1);
    EXPECT_EQ(DetectArchitecture(ck), "convnext-t");
    ExpectExactLoad("convnext-t", ck, *net, "meta");
    ExpectLanded(*net, "stages.2.8.gamma", ck, "stages.2.8.gamma");
    ExpectOneMissing("convnext-t", ck, *net, "stages.3.2.pwconv1.bias", "stages.3.2.pwconv1.bias");
    ExpectOneUnexpected("convnext-t", ck, *net, "stages.3.3.gamma", {768}, "stages.3.3.gamma");
  }
  {
    SCOPED_TRACE("timm, under model. as in Sample4Geo");
    NamedTensors ck;
    for (auto& [k, v] : Fill(timm, 2)) ck.emplace_back("model." + k, v);
    EXPECT_EQ(DetectArchitecture(ck), "convnext-t");
    ExpectExactLoad("convnext-t", ck, *net, "timm");
    ExpectLanded(*net, "downsample_layers.0.0.weight", ck, "model.stem.0.weight");
    ExpectLanded(*net, "downsample_layers.1.1.weight", ck, "model.stages.1.downsample.1.weight");
    ExpectLanded(*net, "stages.2.8.pwconv2.weight", ck, "model.stages.2.blocks.8.mlp.fc2.weight");
    ExpectLanded(*net, "norm.bias", ck, "model.head.norm.bias");
    ExpectLanded(*net, "head.weight", ck, "model.head.fc.weight");
    ExpectOneMissing("convnext-t", ck, *net, "model.stages.2.blocks.8.mlp.fc2.bias", "stages.2.8.pwconv2.bias");
    ExpectOneUnexpected("convnext-t", ck, *net, "model.stages.3.blocks.3.gamma", {768}, "stages.3.3.gamma");
  }
  {
    SCOPED_TRACE("torchvision");
    const NamedTensors ck = Fill(tv, 3);
    EXPECT_EQ(DetectArchitecture(ck), "convnext-t");
    ExpectExactLoad("convnext-t", ck, *net, "torchvision");
    ExpectLanded(*net, "stages.2.8.gamma", ck, "features.5.8.layer_scale");  // [384, 1, 1] → [384]
    ExpectLanded(*net, "stages.1.0.pwconv1.weight", ck, "features.3.0.block.3.weight");
    ExpectLanded(*net, "downsample_layers.3.0.bias", ck, "features.6.0.bias");
    ExpectLanded(*net, "head.bias", ck, "classifier.2.bias");
    ExpectOneMissing("convnext-t", ck, *net, "features.5.8.layer_scale", "stages.2.8.gamma");
    ExpectOneUnexpected("convnext-t", ck, *net, "features.7.3.layer_scale", {768, 1, 1}, "stages.3.3.gamma");
  }
}

TEST(ReferenceKeysTest, TorchvisionVgg16WithAndWithoutClassifier) {
  const KeyList full = TorchvisionVgg16(true);
  EXPECT_EQ(full.Parameters(), 138357544);
  const NamedTensors ck = Fill(full, 4);
  EXPECT_EQ(DetectArchitecture(ck), "vgg16");
  {
    SCOPED_TRACE("vgg16");
    Vgg net(VggOptions{});
    ExpectExactLoad("vgg16", ck, *net, "torchvision");
    ExpectLanded(*net, "features.28.weight", ck, "features.28.weight");
    ExpectOneMissing("vgg16", ck, *net, "classifier.6.bias", "classifier.6.bias");
    ExpectOneUnexpected("vgg16", ck, *net, "features.30.weight", {512, 512, 3, 3}, "features.30.weight");
  }
  {
    SCOPED_TRACE("vgg16-features: the ImageNet classifier is dropped");
    VggOptions o;
    o.classifier = false;
    Vgg net(o);
    ExpectExactLoad("vgg16-features", ck, *net, "torchvision", /*tolerated=*/6);
    ExpectOneMissing("vgg16-features", ck, *net, "features.0.bias", "features.0.bias");
    ExpectOneUnexpected("vgg16-features", ck, *net, "features.31.weight", {512, 512, 3, 3}, "features.31.weight");
    EXPECT_EQ(DetectArchitecture(Fill(TorchvisionVgg16(false), 5)), "vgg16-features");
  }
}

TEST(ReferenceKeysTest, University1652BaselineThreeViewNet) {
  const NamedTensors ck = Fill(ThreeViewNet({{"classifier", 2048}}, 701), 6);
  EXPECT_EQ(DetectArchitecture(ck), "u1652-baseline");
  const ClassifierShape c = InspectClassifier(ck);
  EXPECT_EQ(c.num_classes, 701);
  EXPECT_EQ(c.bottleneck, 512);
  EXPECT_EQ(c.heads, 1);
  EXPECT_EQ(InspectResNet(ck).depth, 50);
  EXPECT_EQ(InspectResNet(ck).base_width, 64);
  RetrievalNetOptions o = PaperRetrieval("baseline");
  o.backbone.last_stride = 2;  // the baseline's default stride (no key changes either way)
  RetrievalNet net(o);
  // model_2 (street branch) is unused and model_3 is model_1's alias: both dropped (§4.2, §9.21).
  ExpectExactLoad("u1652-baseline", ck, *net, "three_view_net", CountPrefix(ck, "model_2.") + CountPrefix(ck, "model_3."));
  ExpectLanded(*net, "model_1.model.layer4.2.bn3.running_var", ck, "model_3.model.layer4.2.bn3.running_var");
  ExpectLanded(*net, "classifier.classifier.0.weight", ck, "classifier.classifier.0.weight");
  ExpectOneMissing("u1652-baseline", ck, *net, "classifier.add_block.1.num_batches_tracked", "classifier.add_block.1.num_batches_tracked");
  ExpectOneUnexpected("u1652-baseline", ck, *net, "model_1.model.layer4.3.conv1.weight", {512, 2048, 1, 1},
                      "model_1.model.layer4.3.conv1.weight");
}

TEST(ReferenceKeysTest, LpnFourBlockHeads) {
  std::vector<std::pair<std::string, int64_t>> heads;
  for (int i = 0; i < 4; ++i) heads.emplace_back("classifier" + std::to_string(i), 2048);
  const NamedTensors ck = Fill(ThreeViewNet(heads, 701), 7);
  EXPECT_EQ(DetectArchitecture(ck), "lpn");
  EXPECT_EQ(InspectClassifier(ck).heads, 4);
  RetrievalNetOptions o = PaperRetrieval("lpn");
  o.lpn_blocks = 4;
  RetrievalNet net(o);
  ExpectExactLoad("lpn", ck, *net, "three_view_net", CountPrefix(ck, "model_2.") + CountPrefix(ck, "model_3."));
  ExpectLanded(*net, "classifier3.add_block.0.weight", ck, "classifier3.add_block.0.weight");
  ExpectOneMissing("lpn", ck, *net, "classifier3.classifier.0.weight", "classifier3.classifier.0.weight");
  ExpectOneUnexpected("lpn", ck, *net, "classifier4.add_block.0.weight", {512, 2048}, "classifier4.add_block.0.weight");
}

TEST(ReferenceKeysTest, MsbaSixPartHeadsAndGlobalHead) {
  std::vector<std::pair<std::string, int64_t>> heads;
  for (int i = 0; i < 6; ++i) heads.emplace_back("classifier" + std::to_string(i), 2048);
  heads.emplace_back("classifier00", 3072);  // max(layer4) ++ max(layer3)
  const NamedTensors ck = Fill(ThreeViewNet(heads, 701), 8);
  EXPECT_EQ(DetectArchitecture(ck), "msba");
  EXPECT_EQ(InspectClassifier(ck).heads, 7);
  RetrievalNet net(PaperRetrieval("msba"));
  ExpectExactLoad("msba", ck, *net, "three_view_net", CountPrefix(ck, "model_2.") + CountPrefix(ck, "model_3."));
  ExpectLanded(*net, "classifier00.add_block.0.weight", ck, "classifier00.add_block.0.weight");
  ExpectOneMissing("msba", ck, *net, "classifier00.add_block.0.weight", "classifier00.add_block.0.weight");
  ExpectOneUnexpected("msba", ck, *net, "classifier6.add_block.0.weight", {512, 2048}, "classifier6.add_block.0.weight");
}

TEST(ReferenceKeysTest, MfrlSpecKeys) {
  const NamedTensors ck = Fill(MfrlKeys(701), 9);
  EXPECT_EQ(DetectArchitecture(ck), "mfrl");
  RetrievalNetOptions o = PaperRetrieval("mfrl");
  o.dropout = 0.5;
  RetrievalNet net(o);
  ExpectExactLoad("mfrl", ck, *net, "mfrl");
  ExpectLanded(*net, "model_1.fusion.conv.dep_conv.weight", ck, "model_1.fusion.conv.dep_conv.weight");
  ExpectLanded(*net, "model_1.fusion.beta", ck, "model_1.fusion.beta");
  ExpectOneMissing("mfrl", ck, *net, "model_1.fusion.alpha", "model_1.fusion.alpha");
  ExpectOneUnexpected("mfrl", ck, *net, "model_1.fusion.gamma", {}, "model_1.fusion.gamma");
}

TEST(ReferenceKeysTest, ImlNetResNetAndVggEncoders) {
  {
    SCOPED_TRACE("ResNet-50 encoder");
    const NamedTensors ck = Fill(ImlNetResNetKeys(701), 10);
    EXPECT_EQ(DetectArchitecture(ck), "imlnet");
    RetrievalNetOptions o = PaperRetrieval("imlnet");
    o.dropout = 0;
    RetrievalNet net(o);
    ExpectExactLoad("imlnet", ck, *net, "imlnet");
    ExpectLanded(*net, "irn.dec0.weight", ck, "irn.dec0.weight");
    ExpectLanded(*net, "muml.cls4.4.weight", ck, "muml.cls4.4.weight");
    ExpectOneMissing("imlnet", ck, *net, "muml.cls4.4.bias", "muml.cls4.4.bias");
    // The descriptor block's final Linear exists only with iml_global_ce > 0.
    ExpectOneUnexpected("imlnet", ck, *net, "classifier.classifier.0.weight", {701, 512}, "classifier.classifier.0.weight");
  }
  {
    SCOPED_TRACE("VGG-16 encoder");
    const NamedTensors ck = Fill(ImlNetVggKeys(701), 11);
    EXPECT_EQ(DetectArchitecture(ck), "imlnet");
    RetrievalNetOptions o = PaperRetrieval("imlnet");
    o.dropout = 0;
    o.iml.encoder = "vgg16";
    RetrievalNet net(o);
    ExpectExactLoad("imlnet", ck, *net, "imlnet");
    ExpectLanded(*net, "irn.dec1.1.weight", ck, "irn.dec1.1.weight");
    ExpectOneMissing("imlnet", ck, *net, "irn.dec5.2.1.running_mean", "irn.dec5.2.1.running_mean");
    ExpectOneUnexpected("imlnet", ck, *net, "model_1.model.features.30.weight", {512, 512, 3, 3}, "model_1.model.features.30.weight");
  }
}

TEST(ReferenceKeysTest, DrlPaperConfiguration) {
  const KeyList keys = DrlPaperKeys();
  EXPECT_EQ(keys.keys().size(), 450u);
  EXPECT_EQ(keys.Parameters(), 21031177);  // drl.md §5.7
  int64_t frozen = 0;
  for (const auto& k : keys.keys()) frozen += k.buffer ? c10::multiply_integers(k.shape) : 0;
  EXPECT_EQ(frozen, 51456);
  const NamedTensors ck = Fill(keys, 12);
  EXPECT_EQ(DetectArchitecture(ck), "drl-mix");
  drl::DrlNet net(drl::DrlNetOptions::Paper());
  ExpectExactLoad("drl-mix", ck, *net, "drl");
  ExpectLanded(*net, "union_backbone.backbone.backbone.stage2.blocks.9.attn.conv_proj_v.bn.running_var", ck,
               "union_backbone.backbone.backbone.stage2.blocks.9.attn.conv_proj_v.bn.running_var");
  ExpectOneMissing("drl-mix", ck, *net, "head.head.module_2.bias", "head.head.module_2.bias");
  // Frozen BN has no step counter: one in the file is not the paper configuration.
  const std::string nbt = "union_backbone.backbone.backbone.stage2.blocks.0.attn.conv_proj_q.bn.num_batches_tracked";
  ExpectOneUnexpected("drl-mix", ck, *net, nbt, {}, nbt);
}

TEST(ReferenceKeysTest, DrlPaperKeyListMatchesTheOfficialParityFile) {
  const auto path = crossview::testing::SharedFile("parity/drl_mixcvt13_fpn_ce/weights.pth");
  CV_REQUIRE_FILE(path);
  std::map<std::string, Shape> official, ours;
  for (const auto& [k, v] : ReadNamedTensors(path)) official[k] = v.sizes().vec();
  const KeyList spec = DrlPaperKeys();
  for (const auto& k : spec.keys()) ours[k.name] = k.shape;
  EXPECT_EQ(official.size(), 450u);
  for (const auto& [k, s] : official) {
    auto it = ours.find(k);
    if (it == ours.end()) ADD_FAILURE() << "the spec list lacks " << k;
    else EXPECT_EQ(it->second, s) << k;
  }
  for (const auto& [k, s] : ours) EXPECT_TRUE(official.count(k)) << "not in the official file: " << k;
}

// Microsoft's CvT-13 ImageNet checkpoint: bare stage{i}.* names with ordinary BatchNorm (step
// counters included), the final norm and the 1000-class head (drl.md §5.9).
NamedTensors MicrosoftCvt13(int64_t salt) { return Fill(Cvt13Keys(/*frozen_bn=*/false, /*head=*/true), salt); }
constexpr size_t kCvtCounters = 3 * (1 + 2 + 10);  // one per q/k/v projection BN

TEST(ReferenceKeysTest, MicrosoftCvt13IntoMixFusion) {
  const KeyList keys = Cvt13Keys(false, true);
  EXPECT_EQ(keys.Parameters(), 19612480 + 385000);  // drl.md §5.7: trainable-BN CvT-13 + the head
  const NamedTensors ck = MicrosoftCvt13(13);
  EXPECT_EQ(DetectArchitecture(ck), "cvt13-imagenet");
  drl::DrlNet net(drl::DrlNetOptions::Paper());
  const std::string backbone = "union_backbone.backbone.backbone.";
  // Non-strict by design: the necks and the head stay as initialised; the step counters are dropped.
  ImportPlan plan = PlanImport("cvt13-imagenet", ck);
  EXPECT_EQ(plan.detected_layout, "microsoft-cvt");
  LoadReport r = LoadStateDict(*net, plan.tensors, plan.options);
  EXPECT_TRUE(r.unexpected.empty()) << r.Summary();
  EXPECT_TRUE(r.shape_mismatch.empty()) << r.Summary();
  for (const auto& m : r.missing) EXPECT_TRUE(m.rfind("neck_", 0) == 0 || m.rfind("head.head.", 0) == 0) << m;
  EXPECT_EQ(r.missing.size(), 30u);  // 2 × 6 FPN convs + 3 Linears, weight and bias each
  EXPECT_EQ(r.loaded + kCvtCounters, ck.size());
  EXPECT_EQ(r.loaded, CountPrefix(StateDict(*net), backbone));
  ExpectLanded(*net, backbone + "stage1.blocks.1.attn.conv_proj_k.bn.running_mean", ck, "stage1.blocks.1.attn.conv_proj_k.bn.running_mean");
  ExpectLanded(*net, backbone + "head.weight", ck, "head.weight");

  auto backbone_missing = [&](const LoadReport& rep) {
    std::vector<std::string> out;
    for (const auto& m : rep.missing) if (m.rfind(backbone, 0) == 0) out.push_back(m);
    return out;
  };
  ImportPlan cut = PlanImport("cvt13-imagenet", Without(ck, "stage1.blocks.1.mlp.fc1.weight"));
  LoadReport rc = LoadStateDict(*net, cut.tensors, cut.options);
  EXPECT_EQ(backbone_missing(rc), std::vector<std::string>{backbone + "stage1.blocks.1.mlp.fc1.weight"}) << rc.Summary();
  EXPECT_TRUE(rc.unexpected.empty()) << rc.Summary();
  ImportPlan more = PlanImport("cvt13-imagenet", With(ck, "stage2.blocks.10.norm1.weight", {384}));
  LoadReport rm = LoadStateDict(*net, more.tensors, more.options);
  EXPECT_TRUE(backbone_missing(rm).empty()) << rm.Summary();
  EXPECT_EQ(rm.unexpected, std::vector<std::string>{"stage2.blocks.10.norm1.weight"}) << rm.Summary();
}

TEST(ReferenceKeysTest, MicrosoftCvt13IntoBothPostFusionStreams) {
  const NamedTensors ck = MicrosoftCvt13(14);
  drl::DrlNet net(drl::DrlNetOptions::PostFusionGc());
  BackboneInit init = InitBackbone(*net, ck);  // PlanImport("cvt13-imagenet") + a load per stream
  EXPECT_EQ(init.layout, "microsoft-cvt");
  EXPECT_EQ(init.modules, (std::vector<std::string>{"backbone_uav.backbone", "backbone_satellite.backbone"}));
  // Every stream tensor but the step counters comes from the file; Post-Fusion has no head, so
  // head.{weight,bias} are ignored (§5.9), as are the file's counters.
  EXPECT_EQ(init.tensors_per_module, CountPrefix(StateDict(*net), "backbone_uav.") - kCvtCounters);
  EXPECT_EQ(init.ignored, 2 + kCvtCounters);
  for (const char* stream : {"backbone_uav.backbone.", "backbone_satellite.backbone."}) {
    ExpectLanded(*net, std::string(stream) + "stage2.cls_token", ck, "stage2.cls_token");
    ExpectLanded(*net, std::string(stream) + "stage0.blocks.0.attn.conv_proj_v.bn.weight", ck, "stage0.blocks.0.attn.conv_proj_v.bn.weight");
  }
  try {
    InitBackbone(*net, Without(ck, "stage1.blocks.1.attn.proj_v.weight"));
    ADD_FAILURE() << "a CvT-13 file without stage1.blocks.1.attn.proj_v.weight initialised the streams";
  } catch (const InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("missing=1"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("stage1.blocks.1.attn.proj_v.weight"), std::string::npos) << e.what();
  }
  EXPECT_EQ(InitBackbone(*net, With(ck, "stage2.blocks.10.norm1.weight", {384})).ignored, 3 + kCvtCounters);
}

TEST(ReferenceKeysTest, EveryImporterArchitectureHasAKeyLevelTest) {
  const std::set<std::string> covered = {"resnet18", "resnet34", "resnet50", "convnext-t", "vgg16", "vgg16-features", "u1652-baseline",
                                         "lpn", "msba", "mfrl", "imlnet", "drl-mix", "cvt13-imagenet"};
  for (const auto& arch : ImportArchitectures()) EXPECT_TRUE(covered.count(arch)) << arch << " has no reference-key test here";
}

}  // namespace
}  // namespace crossview::models

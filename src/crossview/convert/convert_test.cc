#include <gtest/gtest.h>
#include <torch/torch.h>

#include "crossview/checkpoint/checkpoint.h"
#include "crossview/checkpoint/safetensors.h"
#include "crossview/convert/import.h"
#include "crossview/convert/model_run.h"
#include "crossview/models/descriptor.h"
#include "crossview/models/pretrained.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"
#include "crossview/util/npy.h"

namespace crossview::convert {
namespace {

namespace fs = std::filesystem;

models::RetrievalNetOptions Small(const std::string& method, int64_t classes = 37) {
  models::RetrievalNetOptions o;
  o.method = method;
  o.backbone = {18, 1, 16, 1000};
  o.num_classes = classes;
  o.bottleneck = 32;
  o.lpn_blocks = 3;
  return o;
}

models::RetrievalNet Seeded(const models::RetrievalNetOptions& o, uint64_t seed) {
  torch::manual_seed(seed);
  models::RetrievalNet net(o);
  // Random BN statistics so that buffers matter.
  torch::NoGradGuard ng;
  for (auto& [k, v] : models::StateDict(*net)) {
    if (k.find("running_var") != std::string::npos) v.uniform_(0.5, 1.5);
    if (k.find("running_mean") != std::string::npos) v.uniform_(-0.2, 0.2);
  }
  net->eval();
  return net;
}

void ExpectSameWeights(torch::nn::Module& a, torch::nn::Module& b) {
  models::NamedTensors sa = models::StateDict(a), sb = models::StateDict(b);
  ASSERT_EQ(sa.size(), sb.size());
  for (size_t i = 0; i < sa.size(); ++i) {
    EXPECT_EQ(sa[i].first, sb[i].first);
    EXPECT_TRUE(torch::equal(sa[i].second, sb[i].second)) << sa[i].first;
  }
}

// A checkpoint as the reference three_view_net writes it: model_1.*, the model_3.* alias of the
// shared backbone, an unused street branch model_2.*, the heads.
void WriteReferenceLayout(const fs::path& path, models::RetrievalNet& net) {
  checkpoint::StateDict sd;
  for (auto& [k, v] : models::StateDict(*net)) {
    sd.Add(k, v);
    if (k.rfind("model_1.", 0) == 0) {
      sd.Add("model_3." + k.substr(8), v.clone());
      sd.Add("model_2." + k.substr(8), torch::zeros_like(v));
    }
  }
  checkpoint::WriteSafetensors(path, sd);
}

TEST(ConvertTest, ReferenceBaselineImportsWithShapesReadFromTheWeights) {
  TempDir tmp;
  models::RetrievalNet src = Seeded(Small("baseline"), 3);
  WriteReferenceLayout(tmp.path() / "net_059.safetensors", src);
  ImportOptions o;  // auto
  o.input_size = 64;
  ImportSummary s = ImportCheckpoint(tmp.path() / "net_059.safetensors", tmp.path() / "imported", o);
  EXPECT_EQ(s.arch, "u1652-baseline");
  EXPECT_EQ(s.layout, "three_view_net");
  EXPECT_EQ(s.kind, "retrieval");
  EXPECT_EQ(s.classes, 37);
  EXPECT_TRUE(s.report.ok()) << s.report.Summary();
  models::StoredRetrievalModel m = models::LoadRetrievalModel(tmp.path() / "imported");
  EXPECT_EQ(m.net->options().backbone.depth, 18);
  EXPECT_EQ(m.net->options().backbone.base_width, 16);
  EXPECT_EQ(m.net->options().bottleneck, 32);
  EXPECT_EQ(m.input_size, 64);
  EXPECT_EQ(m.info["imported_from"]["arch"], "u1652-baseline");
  ExpectSameWeights(*src, *m.net);
  // In memory, without writing a model directory: the same network.
  models::StoredRetrievalModel direct = LoadRetrievalModelAny(tmp.path() / "net_059.safetensors", o);
  ExpectSameWeights(*src, *direct.net);
}

TEST(ConvertTest, LpnBlockCountComesFromTheHeads) {
  TempDir tmp;
  models::RetrievalNet src = Seeded(Small("lpn"), 4);
  WriteReferenceLayout(tmp.path() / "lpn.safetensors", src);
  ImportSummary s;
  models::StoredRetrievalModel m = LoadRetrievalModelAny(tmp.path() / "lpn.safetensors", {}, &s);
  EXPECT_EQ(s.arch, "lpn");
  EXPECT_EQ(m.net->options().lpn_blocks, 3);
  ExpectSameWeights(*src, *m.net);
}

TEST(ConvertTest, ExportThenImportRoundTripsExactlyWithTheModelDescription) {
  TempDir tmp;
  models::RetrievalNet src = Seeded(Small("msba", 11), 5);
  models::SaveRetrievalModel(tmp.path() / "model", src, 64, {{"note", "from a test"}});
  nlohmann::json e = ExportSafetensors(tmp.path() / "model", tmp.path() / "model.safetensors");
  EXPECT_EQ(e["kind"], "retrieval");
  checkpoint::SafetensorsFile f = checkpoint::ReadSafetensors(tmp.path() / "model.safetensors");
  EXPECT_EQ(f.metadata.at("crossview_kind"), "retrieval");
  EXPECT_TRUE(f.tensors.Contains("model_3.conv1.weight") || f.tensors.Contains("model_3.model.conv1.weight"));
  EXPECT_TRUE(f.tensors.Contains("classifier00.add_block.0.weight"));
  ImportSummary s = ImportCheckpoint(tmp.path() / "model.safetensors", tmp.path() / "again", {});
  EXPECT_EQ(s.layout, "crossview");
  models::StoredRetrievalModel m = models::LoadRetrievalModel(tmp.path() / "again");
  ExpectSameWeights(*src, *m.net);
  EXPECT_EQ(m.input_size, 64);
  torch::manual_seed(0);
  torch::Tensor x = torch::rand({2, 3, 64, 64});
  torch::NoGradGuard ng;
  EXPECT_TRUE(torch::equal(models::ExtractDescriptors(src, x, models::View::kDrone), models::ExtractDescriptors(m.net, x, models::View::kDrone)));
}

TEST(ConvertTest, WrongClassCountWrongArchitectureAndExistingOutputAreClearErrors) {
  TempDir tmp;
  models::RetrievalNet src = Seeded(Small("baseline"), 6);
  WriteReferenceLayout(tmp.path() / "b.safetensors", src);
  ImportOptions o;
  o.classes = 5;
  try {
    ImportCheckpoint(tmp.path() / "b.safetensors", tmp.path() / "out", o);
    FAIL() << "expected a class-count error";
  } catch (const InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("class count"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("checkpoint_classes=37"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(tmp.path() / "out"));
  // A baseline file forced into MSBA: strict loading lists what is missing.
  o = {};
  o.arch = "msba";
  try {
    ImportCheckpoint(tmp.path() / "b.safetensors", tmp.path() / "out", o);
    FAIL() << "expected a key mismatch";
  } catch (const InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("63 missing: classifier0."), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("unexpected: classifier.add_block"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(tmp.path() / "out"));
  // A retrieval file is not a DRL model.
  EXPECT_THROW(LoadDrlModelAny(tmp.path() / "b.safetensors"), InvalidArgumentError);
  // The output is never overwritten.
  fs::create_directories(tmp.path() / "taken");
  WriteFileAtomic(tmp.path() / "taken" / "keep.txt", "precious");
  EXPECT_THROW(ImportCheckpoint(tmp.path() / "b.safetensors", tmp.path() / "taken", {}), InvalidArgumentError);
  EXPECT_EQ(ReadFile(tmp.path() / "taken" / "keep.txt"), "precious");
  // Truncated files are I/O errors naming the file, and write nothing.
  std::string bytes = ReadFile(tmp.path() / "b.safetensors");
  WriteFileAtomic(tmp.path() / "cut.safetensors", bytes.substr(0, bytes.size() / 2));
  try {
    ImportCheckpoint(tmp.path() / "cut.safetensors", tmp.path() / "cut", {});
    FAIL() << "expected an I/O error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cut.safetensors"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(tmp.path() / "cut"));
  EXPECT_THROW(ImportCheckpoint(tmp.path() / "missing.pth", tmp.path() / "m", {}), NotFoundError);
}

TEST(ConvertTest, BackboneImportRenamesAndInitBackboneCopiesIntoEveryBranch) {
  TempDir tmp;
  torch::manual_seed(7);
  models::ResNet resnet(models::ResNetOptions{18, 2, 16, 1000});
  checkpoint::StateDict sd;
  for (auto& [k, v] : models::StateDict(*resnet)) sd.Add("module." + k, v);  // a DataParallel file
  checkpoint::WriteSafetensors(tmp.path() / "r18.safetensors", sd);
  ImportSummary s = ImportCheckpoint(tmp.path() / "r18.safetensors", tmp.path() / "r18-crossview.safetensors", {});
  EXPECT_EQ(s.arch, "resnet18");
  EXPECT_EQ(s.kind, "backbone");
  EXPECT_TRUE(checkpoint::ReadSafetensors(tmp.path() / "r18-crossview.safetensors").tensors.Contains("conv1.weight"));

  models::RetrievalNetOptions o = Small("baseline");
  o.share_weights = false;  // two backbones, both initialised
  models::RetrievalNet net = Seeded(o, 8);
  models::BackboneInit init = models::InitBackboneFromFile(*net, tmp.path() / "r18-crossview.safetensors");
  EXPECT_EQ(init.arch, "resnet18");
  EXPECT_EQ(init.modules, (std::vector<std::string>{"model_1.model", "model_3.model"}));
  EXPECT_EQ(init.tensors_per_module, models::StateDict(*resnet).size());
  models::NamedTensors after = models::StateDict(*net);
  for (const auto& [k, v] : after) {
    if (k == "model_1.model.layer2.0.conv1.weight" || k == "model_3.model.layer2.0.conv1.weight") {
      EXPECT_TRUE(torch::equal(v, resnet->named_parameters()["layer2.0.conv1.weight"])) << k;
    }
  }
  // A ResNet of another width does not fit, and the network is left as it was.
  models::RetrievalNetOptions wide = Small("baseline");
  wide.backbone.base_width = 32;
  models::RetrievalNet other = Seeded(wide, 9);
  torch::Tensor before = models::StateDict(*other)[0].second.clone();
  try {
    models::InitBackboneFromFile(*other, tmp.path() / "r18.safetensors");
    FAIL() << "expected a shape error";
  } catch (const InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("shape_mismatches="), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("r18.safetensors"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(torch::equal(models::StateDict(*other)[0].second, before));
}

TEST(ConvertTest, CvtInitFillsBothPostFusionStreams) {
  TempDir tmp;
  models::drl::DrlNetOptions small = models::drl::DrlNetOptions::Small();
  small.fusion = "post";
  torch::manual_seed(10);
  models::drl::DrlNet donor(small);
  // A Microsoft-layout file: stage{i}.* (+ num_batches_tracked), norm, an ImageNet head.
  checkpoint::StateDict sd;
  for (auto& [k, v] : models::StateDict(*donor)) {
    const std::string p = "backbone_uav.backbone.";
    if (k.rfind(p, 0) == 0) sd.Add(k.substr(p.size()), v);
  }
  sd.Add("head.weight", torch::zeros({1000, 384}));
  checkpoint::WriteSafetensors(tmp.path() / "cvt.safetensors", sd);
  torch::manual_seed(11);
  models::drl::DrlNet net(small);
  models::BackboneInit init = models::InitBackboneFromFile(*net, tmp.path() / "cvt.safetensors");
  EXPECT_EQ(init.modules.size(), 2u);
  EXPECT_GE(init.ignored, 1u);  // the head
  models::NamedTensors a = models::StateDict(*donor), b = models::StateDict(*net);
  size_t compared = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].first.rfind("backbone_uav.", 0) == 0 && a[i].first.find("num_batches_tracked") == std::string::npos) {
      EXPECT_TRUE(torch::equal(a[i].second, b[i].second)) << a[i].first;
      ++compared;
    }
    if (b[i].first.rfind("backbone_satellite.backbone.stage0.patch_embed.proj.weight", 0) == 0) {
      EXPECT_TRUE(torch::equal(b[i].second, donor->named_parameters()["backbone_uav.backbone.stage0.patch_embed.proj.weight"]));
      ++compared;
    }
  }
  EXPECT_GT(compared, 20u);
}

TEST(ConvertTest, ModelRunWritesNamedNpyOutputsEqualToTheForwardPass) {
  TempDir tmp;
  models::RetrievalNet src = Seeded(Small("lpn"), 12);
  WriteReferenceLayout(tmp.path() / "lpn.safetensors", src);
  torch::manual_seed(1);
  checkpoint::StateDict in;
  in.Add("images", torch::rand({2, 3, 64, 64}));
  checkpoint::WriteSafetensors(tmp.path() / "inputs.safetensors", in);
  ModelRunOptions o;
  o.arch = "lpn";
  o.weights = tmp.path() / "lpn.safetensors";
  o.inputs = tmp.path() / "inputs.safetensors";
  models::NamedTensors out = RunModel(o);
  nlohmann::json j = WriteOutputs(tmp.path() / "out", out, o);
  ASSERT_EQ(j["outputs"].size(), 2u);
  EXPECT_EQ(j["outputs"][0]["name"], "parts");
  torch::NoGradGuard ng;
  torch::Tensor want = src->forward(in.at("images"), models::View::kDrone).parts;
  NpyArray parts = ReadNpy(tmp.path() / "out" / "parts.npy");
  EXPECT_EQ(parts.shape, want.sizes().vec());
  torch::Tensor got = torch::from_blob(parts.bytes.data(), want.sizes(), torch::kFloat).clone();
  EXPECT_TRUE(torch::equal(got, want));
  // Bad requests: unknown arch, a missing input name.
  o.arch = "lpn-v2";
  EXPECT_THROW(RunModel(o), InvalidArgumentError);
  o.arch = "drl-mix";
  EXPECT_THROW(RunModel(o), InvalidArgumentError);  // an LPN file is not a DRL model
  o.arch = "lpn";
  checkpoint::StateDict wrong;
  wrong.Add("uav", torch::rand({1, 3, 64, 64}));
  checkpoint::WriteSafetensors(tmp.path() / "wrong.safetensors", wrong);
  o.inputs = tmp.path() / "wrong.safetensors";
  try {
    RunModel(o);
    FAIL() << "expected NotFoundError";
  } catch (const NotFoundError& e) {
    EXPECT_NE(std::string(e.what()).find("images"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace crossview::convert

#include "crossview/checkpoint/checkpoint.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "crossview/checkpoint/test_builders.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"
#include "crossview/util/testing.h"

namespace crossview::checkpoint {
namespace {

using crossview::testing::SharedFile;
using testing::FloatBytes;
using testing::Int64Bytes;
using testing::PickleWriter;

nlohmann::json ReadMeta(const std::string& folder) {
  return nlohmann::json::parse(ReadFile(SharedFile("parity/" + folder + "/meta.json")));
}

std::vector<int64_t> Shape(const nlohmann::json& j) { return j.get<std::vector<int64_t>>(); }

// The README: weights and buffers were rounded to multiples of 2^-12.
void ExpectMultiplesOf2ToMinus12(const StateDict& sd) {
  int checked = 0;
  for (const auto& [name, t] : sd) {
    if (!t.is_floating_point()) continue;
    const torch::Tensor scaled = t * 4096.0;
    EXPECT_TRUE(torch::equal(scaled.round(), scaled)) << name;
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

void ExpectKeysAndShapes(const StateDict& sd, const nlohmann::json& expected) {
  ASSERT_EQ(sd.size(), expected.size());
  size_t i = 0;
  for (const auto& [name, t] : sd) {
    EXPECT_EQ(name, expected[i][0].get<std::string>()) << i;
    EXPECT_EQ(t.sizes().vec(), Shape(expected[i][1])) << name;
    ++i;
  }
}

TEST(ParityFilesTest, MsbaHeadWeightsMatchMeta) {
  const auto path = SharedFile("parity/msba_head/head_weights.pth");
  CV_REQUIRE_FILE(path);
  const Checkpoint ckpt = ReadCheckpoint(path);
  EXPECT_EQ(ckpt.format, CheckpointFormat::kTorchZip);
  EXPECT_EQ(ckpt.state_dict_path, "");
  ExpectKeysAndShapes(ckpt.tensors, ReadMeta("msba_head")["state_dict_head"]);
  ExpectMultiplesOf2ToMinus12(ckpt.tensors);
  const torch::Tensor& tracked = ckpt.tensors.at("classifier00.add_block.1.num_batches_tracked");
  EXPECT_EQ(tracked.scalar_type(), torch::kInt64);
  EXPECT_EQ(tracked.dim(), 0);
  EXPECT_EQ(ckpt.tensors.at("classifier0.classifier.0.weight").scalar_type(), torch::kFloat32);
}

TEST(ParityFilesTest, DrlWeightsMatchMetaAndParameterCount) {
  const auto path = SharedFile("parity/drl_mixcvt13_fpn_ce/weights.pth");
  CV_REQUIRE_FILE(path);
  const auto start = std::chrono::steady_clock::now();
  const StateDict sd = LoadCheckpoint(path);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("[ timing   ] weights.pth (450 tensors, 84 MB) loaded in %.3f s\n", seconds);
  const nlohmann::json meta = ReadMeta("drl_mixcvt13_fpn_ce");
  ASSERT_EQ(sd.size(), 450u);
  ExpectKeysAndShapes(sd, meta["state_dict"]);
  // The frozen BatchNorm entries of the attention projections (…conv_proj_{q,k,v}.bn.*) are
  // buffers; everything else is a parameter (spec drl.md §5.7).
  int64_t parameters = 0, buffers = 0;
  for (const auto& [name, t] : sd) {
    (name.find(".bn.") != std::string::npos ? buffers : parameters) += t.numel();
    EXPECT_EQ(t.scalar_type(), torch::kFloat32) << name;
  }
  EXPECT_EQ(parameters, 21031177);
  EXPECT_EQ(parameters, meta["parameters"].get<int64_t>());
  EXPECT_EQ(buffers, 51456);
  EXPECT_EQ(buffers, meta["buffer_values"].get<int64_t>());
  ExpectMultiplesOf2ToMinus12(sd);
  // The state dict's BUILD {"_metadata": ...} is kept by the format layer, not lost.
  const TorchArchive archive(std::make_shared<FileSource>(path));
  const ValueId attributes = archive.tree().Attributes(archive.tree().root());
  ASSERT_NE(attributes, kNoValue);
  EXPECT_NE(archive.tree().FindKey(attributes, "_metadata"), kNoValue);
}

TEST(ParityFilesTest, InputsAndExpectedArePlainDicts) {
  struct Case {
    std::string file;
    std::map<std::string, std::vector<int64_t>> shapes;
  };
  const nlohmann::json drl = ReadMeta("drl_mixcvt13_fpn_ce");
  const nlohmann::json msba = ReadMeta("msba_head");
  std::vector<Case> cases = {
      {"drl_mixcvt13_fpn_ce/inputs.pth", {{"uav", {2, 3, 128, 128}}, {"satellite", {2, 3, 384, 384}}}},
      {"msba_head/inputs.pth", {{"layer3", {2, 1024, 16, 16}}, {"layer4", {2, 2048, 16, 16}}}},
      {"drl_mixcvt13_fpn_ce/expected.pth", {}},
      {"msba_head/expected.pth", {}},
  };
  for (const auto& [name, shape] : drl["outputs"].items()) cases[2].shapes[name] = Shape(shape);
  for (const auto& [name, shape] : msba["outputs"].items()) cases[3].shapes[name] = Shape(shape);
  EXPECT_EQ(cases[2].shapes.at("heatmap_logits"), (std::vector<int64_t>{2, 1, 384, 384}));
  EXPECT_EQ(cases[3].shapes.at("descriptor_parts"), (std::vector<int64_t>{2, 512, 7}));
  for (const Case& c : cases) {
    const auto path = SharedFile("parity/" + c.file);
    CV_REQUIRE_FILE(path);
    const Checkpoint ckpt = ReadCheckpoint(path);
    EXPECT_EQ(ckpt.state_dict_path, "") << c.file;
    ASSERT_EQ(ckpt.tensors.size(), c.shapes.size()) << c.file;
    for (const auto& [name, shape] : c.shapes) {
      const torch::Tensor& t = ckpt.tensors.at(name);
      EXPECT_EQ(t.sizes().vec(), shape) << c.file << " " << name;
      EXPECT_EQ(t.scalar_type(), torch::kFloat32);
      EXPECT_TRUE(torch::isfinite(t).all().item<bool>()) << name;
    }
  }
  const StateDict drl_inputs = LoadCheckpoint(SharedFile("parity/drl_mixcvt13_fpn_ce/inputs.pth"));
  for (const auto& [name, t] : drl_inputs) {
    EXPECT_GE(t.min().item<float>(), 0.0f) << name;
    EXPECT_LE(t.max().item<float>(), 1.0f) << name;
  }
  const StateDict msba_inputs = LoadCheckpoint(SharedFile("parity/msba_head/inputs.pth"));
  for (const auto& [name, t] : msba_inputs) EXPECT_GE(t.min().item<float>(), 0.0f) << name;  // post-ReLU
}

// A hand-written checkpoint: storage "0" holds 0..23 as float; "t" views it transposed at offset 2,
// "flat" is the whole storage; "p" is an int64 Parameter; "h", "bf", "b" are half/bfloat16/bool.
std::string CraftedPickle(bool legacy) {
  PickleWriter w;
  w.Proto().OrderedDict().Mark();
  w.Str("t").Tensor("FloatStorage", "0", 24, 2, {3, 4}, {1, 3}, legacy);
  w.Str("flat").Tensor("FloatStorage", "0", 24, 0, {24}, {1}, legacy);
  w.Str("p").Global("torch._utils", "_rebuild_parameter");
  w.Tensor("LongStorage", "1", 3, 0, {3}, {1}, legacy).Bool(true).OrderedDict().Op(0x87).Reduce();
  w.Str("h").Tensor("HalfStorage", "2", 2, 0, {2}, {1}, legacy);
  w.Str("bf").Tensor("BFloat16Storage", "3", 2, 0, {2}, {1}, legacy);
  w.Str("b").Tensor("BoolStorage", "4", 3, 0, {3}, {1}, legacy);
  w.SetItems().Stop();
  return w.bytes();
}

std::vector<std::pair<std::string, std::string>> CraftedStorages() {
  std::vector<float> iota(24);
  for (int i = 0; i < 24; ++i) iota[static_cast<size_t>(i)] = static_cast<float>(i);
  return {{"0", FloatBytes(iota)},
          {"1", Int64Bytes({-7, 0, int64_t{1} << 40})},
          {"2", std::string("\x00\x3c\x00\xc0", 4)},   // half 1.0, -2.0
          {"3", std::string("\x80\x3f\x40\x40", 4)},   // bfloat16 1.0, 3.0
          {"4", std::string("\x00\x01\x02", 3)}};      // bool false, true, (2 -> true)
}

void ExpectCrafted(const StateDict& sd) {
  ASSERT_EQ(sd.size(), 6u);
  const torch::Tensor& t = sd.at("t");
  EXPECT_EQ(t.sizes().vec(), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(t.strides().vec(), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(t.storage_offset(), 2);
  EXPECT_FALSE(t.is_contiguous());
  for (int64_t i = 0; i < 3; ++i) {
    for (int64_t j = 0; j < 4; ++j) EXPECT_EQ(t[i][j].item<float>(), static_cast<float>(2 + i + 3 * j));
  }
  // Tensors that shared a storage in the file share it here, as with torch.load.
  EXPECT_TRUE(t.storage().is_alias_of(sd.at("flat").storage()));
  EXPECT_EQ(sd.at("flat")[23].item<float>(), 23.0f);
  const torch::Tensor& p = sd.at("p");
  EXPECT_EQ(p.scalar_type(), torch::kInt64);
  EXPECT_TRUE(torch::equal(p, torch::tensor({int64_t{-7}, int64_t{0}, int64_t{1} << 40})));
  EXPECT_TRUE(torch::equal(sd.at("h"), torch::tensor({1.0f, -2.0f}).to(torch::kHalf)));
  EXPECT_TRUE(torch::equal(sd.at("bf"), torch::tensor({1.0f, 3.0f}).to(torch::kBFloat16)));
  EXPECT_TRUE(torch::equal(sd.at("b"), torch::tensor({false, true, true})));
}

TEST(CheckpointTest, OffsetTransposedAndTypedTensorsFromZipZip64AndLegacy) {
  TempDir dir;
  const auto zip = dir.path() / "crafted.pth";
  WriteFileAtomic(zip, testing::MakeTorchZip("crafted", CraftedPickle(false), CraftedStorages()));
  ExpectCrafted(LoadCheckpoint(zip));

  const auto zip64 = dir.path() / "crafted64.pth";
  WriteFileAtomic(zip64, testing::MakeTorchZip("archive", CraftedPickle(false), CraftedStorages(), true));
  ExpectCrafted(LoadCheckpoint(zip64));

  std::vector<testing::LegacyStorage> legacy_storages;
  const std::vector<uint64_t> numels = {24, 3, 2, 2, 3};
  const auto storages = CraftedStorages();
  for (size_t i = 0; i < storages.size(); ++i) legacy_storages.push_back({storages[i].first, numels[i], storages[i].second});
  const auto legacy = dir.path() / "legacy.pth";
  WriteFileAtomic(legacy, testing::MakeLegacyFile(CraftedPickle(true), legacy_storages));
  const Checkpoint ckpt = ReadCheckpoint(legacy);
  EXPECT_EQ(ckpt.format, CheckpointFormat::kTorchLegacy);
  ExpectCrafted(ckpt.tensors);
}

TEST(CheckpointTest, WrappedStateDictsAndTheKeyOption) {
  TempDir dir;
  PickleWriter w;
  w.Proto().EmptyDict().Mark();
  w.Str("epoch").Int(12).Str("best_acc").Float(0.93);
  w.Str("net").EmptyDict().Str("fc.weight").Tensor("FloatStorage", "0", 24, 0, {4, 6}, {6, 1}).SetItem();
  w.Str("optimizer").EmptyDict().Str("param_groups").EmptyList().SetItem();
  w.SetItems().Stop();
  const auto path = dir.path() / "wrapped.pth";
  WriteFileAtomic(path, testing::MakeTorchZip("wrapped", w.bytes(), {CraftedStorages()[0]}));
  const Checkpoint auto_found = ReadCheckpoint(path);
  EXPECT_EQ(auto_found.state_dict_path, "net");
  EXPECT_EQ(auto_found.tensors.at("fc.weight").sizes().vec(), (std::vector<int64_t>{4, 6}));
  LoadOptions options;
  options.state_dict_key = "net";
  EXPECT_EQ(LoadCheckpoint(path, options).size(), 1u);
  options.state_dict_key = "state_dict";
  try {
    LoadCheckpoint(path, options);
    FAIL();
  } catch (const NotFoundError& e) {
    EXPECT_NE(std::string(e.what()).find("'net' (dict)"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("wrapped.pth"), std::string::npos) << e.what();
  }
}

TEST(CheckpointTest, HostileFilesThrowCrossviewErrorsNeverCrash) {
  TempDir dir;
  EXPECT_THROW(LoadCheckpoint(dir.path() / "missing.pth"), NotFoundError);

  // Truncated copies of a real checkpoint, cut at several points.
  const auto real = SharedFile("parity/msba_head/expected.pth");
  CV_REQUIRE_FILE(real);
  const std::string bytes = ReadFile(real);
  for (size_t cut : {size_t{0}, size_t{1}, size_t{4}, size_t{31}, size_t{1000}, bytes.size() / 2,
                     bytes.size() - 100, bytes.size() - 22, bytes.size() - 1}) {
    const auto path = dir.path() / ("cut_" + std::to_string(cut) + ".pth");
    WriteFileAtomic(path, bytes.substr(0, cut));
    EXPECT_THROW(LoadCheckpoint(path), IoError) << "cut at " << cut;
  }
  // A flipped bit inside a storage: the CRC catches it.
  std::string flipped = bytes;
  flipped[bytes.size() / 2] ^= 0x10;
  const auto corrupt = dir.path() / "corrupt.pth";
  WriteFileAtomic(corrupt, flipped);
  EXPECT_THROW(LoadCheckpoint(corrupt), IoError);
  LoadOptions no_crc;
  no_crc.verify_crc32 = false;
  EXPECT_EQ(LoadCheckpoint(corrupt, no_crc).size(), 3u);

  // os.system in the pickle: refused by name, and the command never runs.
  const auto marker = dir.path() / "pwned";
  PickleWriter evil;
  evil.Proto().Global("os", "system").Mark().Str("touch " + marker.string()).Tuple().Reduce().Stop();
  const auto evil_path = dir.path() / "evil.pth";
  WriteFileAtomic(evil_path, testing::MakeTorchZip("evil", evil.bytes(), {}));
  try {
    LoadCheckpoint(evil_path);
    FAIL();
  } catch (const InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("os.system"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(marker));

  // A tensor addressing beyond its storage; a record smaller than the declared storage.
  PickleWriter oob;
  oob.Proto().EmptyDict().Str("w").Tensor("FloatStorage", "0", 24, 20, {2, 4}, {4, 1}).SetItem().Stop();
  const auto oob_path = dir.path() / "oob.pth";
  WriteFileAtomic(oob_path, testing::MakeTorchZip("oob", oob.bytes(), {CraftedStorages()[0]}));
  EXPECT_THROW(LoadCheckpoint(oob_path), IoError);
  PickleWriter big;
  big.Proto().EmptyDict().Str("w").Tensor("FloatStorage", "0", int64_t{1} << 50, 0, {4}, {1}).SetItem().Stop();
  const auto big_path = dir.path() / "big.pth";
  WriteFileAtomic(big_path, testing::MakeTorchZip("big", big.bytes(), {CraftedStorages()[0]}));
  EXPECT_THROW(LoadCheckpoint(big_path), IoError);  // 2^50 floats declared, 96 bytes stored: no allocation

  // A recursion bomb.
  const auto deep_path = dir.path() / "deep.pth";
  WriteFileAtomic(deep_path, testing::MakeTorchZip("deep", "\x80\x02]" + std::string(50000, '\x85') + ".", {}));
  EXPECT_THROW(LoadCheckpoint(deep_path), InvalidArgumentError);
}

}  // namespace
}  // namespace crossview::checkpoint

#include "crossview/checkpoint/safetensors.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "crossview/checkpoint/checkpoint.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"
#include "crossview/util/testing.h"

namespace crossview::checkpoint {
namespace {

StateDict AllDtypes() {
  torch::manual_seed(7);
  StateDict sd;
  sd.Add("f32", torch::randn({3, 5}));
  sd.Add("f64", torch::randn({4}, torch::kFloat64));
  sd.Add("f16", torch::randn({2, 3}).to(torch::kHalf));
  sd.Add("bf16", torch::randn({7}).to(torch::kBFloat16));
  sd.Add("i64", torch::randint(-1000000, 1000000, {5}, torch::kInt64) * 1000000);
  sd.Add("i32", torch::randint(-100000, 100000, {2, 2}, torch::kInt32));
  sd.Add("i16", torch::randint(-30000, 30000, {3}, torch::kInt16));
  sd.Add("i8", torch::randint(-128, 128, {9}, torch::kInt8));
  sd.Add("u8", torch::randint(0, 256, {1, 9}, torch::kUInt8));
  sd.Add("bool", torch::randint(0, 2, {6}).to(torch::kBool));
  sd.Add("transposed", torch::arange(12, torch::kFloat32).reshape({3, 4}).t());  // non-contiguous input
  sd.Add("scalar", torch::tensor(3.5));
  sd.Add("empty", torch::zeros({0, 3}));
  return sd;
}

TEST(SafetensorsTest, RoundTripsEveryDtypeAndMetadata) {
  TempDir dir;
  const auto path = dir.path() / "all.safetensors";
  const StateDict written = AllDtypes();
  const std::map<std::string, std::string> metadata = {{"format", "pt"}, {"arch", "drl-mix"}};
  WriteSafetensors(path, written, metadata);
  const SafetensorsFile read = ReadSafetensors(path);
  EXPECT_EQ(read.metadata, metadata);
  ASSERT_EQ(read.tensors.size(), written.size());
  size_t i = 0;
  for (const auto& [name, t] : read.tensors) {
    EXPECT_EQ(name, written.entries()[i++].first);  // written order is data order
    const torch::Tensor& original = written.at(name);
    EXPECT_EQ(t.scalar_type(), original.scalar_type()) << name;
    EXPECT_EQ(t.sizes(), original.sizes()) << name;
    EXPECT_TRUE(torch::equal(t, original)) << name;
  }
  // LoadCheckpoint recognises safetensors from the content, whatever the extension.
  const auto renamed = dir.path() / "weights.pth";
  std::filesystem::copy_file(path, renamed);
  const Checkpoint ckpt = ReadCheckpoint(renamed);
  EXPECT_EQ(ckpt.format, CheckpointFormat::kSafetensors);
  EXPECT_EQ(ckpt.metadata, metadata);
  EXPECT_TRUE(torch::equal(ckpt.tensors.at("transposed"), written.at("transposed")));
}

TEST(SafetensorsTest, FailedWriteLeavesTheOldFileAndBadFilesAreRejected) {
  TempDir dir;
  const auto path = dir.path() / "w.safetensors";
  StateDict one;
  one.Add("a", torch::ones({2}));
  WriteSafetensors(path, one);
  const std::string before = ReadFile(path);
  StateDict complex;
  complex.Add("z", torch::zeros({2}, torch::kComplexFloat));
  EXPECT_THROW(WriteSafetensors(path, complex), UnavailableError);
  EXPECT_EQ(ReadFile(path), before);

  // Overlapping and out-of-bounds data offsets.
  auto write_raw = [&](const std::string& name, const std::string& json, size_t data_bytes) {
    std::string bytes(8, '\0');
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((json.size() >> (8 * i)) & 0xFF);
    const auto p = dir.path() / name;
    WriteFileAtomic(p, bytes + json + std::string(data_bytes, '\0'));
    return p;
  };
  const auto overlap = write_raw("overlap.safetensors",
                                 R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                 R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                                 12);
  EXPECT_THROW(ReadSafetensors(overlap), IoError);
  const auto oob = write_raw("oob.safetensors", R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", 8);
  EXPECT_THROW(ReadSafetensors(oob), IoError);
  EXPECT_THROW(LoadCheckpoint(oob), IoError);
  const std::string truncated = ReadFile(path).substr(0, before.size() - 3);
  WriteFileAtomic(dir.path() / "cut.safetensors", truncated);
  EXPECT_THROW(ReadSafetensors(dir.path() / "cut.safetensors"), IoError);
  EXPECT_THROW(ReadSafetensors(dir.path() / "missing.safetensors"), NotFoundError);
}

TEST(SafetensorsTest, ParityWeightsConvertLosslessly) {
  const auto pth = crossview::testing::SharedFile("parity/drl_mixcvt13_fpn_ce/weights.pth");
  CV_REQUIRE_FILE(pth);
  const StateDict sd = LoadCheckpoint(pth);
  TempDir dir;
  const auto out = dir.path() / "weights.safetensors";
  auto start = std::chrono::steady_clock::now();
  WriteSafetensors(out, sd, {{"source", "weights.pth"}});
  const double write_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  start = std::chrono::steady_clock::now();
  const SafetensorsFile back = ReadSafetensors(out);
  const double read_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("[ timing   ] weights.safetensors write %.3f s, read %.3f s\n", write_s, read_s);
  ASSERT_EQ(back.tensors.size(), sd.size());
  for (const auto& [name, t] : sd) EXPECT_TRUE(torch::equal(back.tensors.at(name), t)) << name;
}

}  // namespace
}  // namespace crossview::checkpoint

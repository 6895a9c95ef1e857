#include "crossview/checkpoint/torch_archive.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <random>

#include "crossview/checkpoint/test_builders.h"
#include "crossview/util/errors.h"

namespace crossview::checkpoint {
namespace {

using namespace std::string_literals;
using testing::FloatBytes;
using testing::Int64Bytes;
using testing::MakeLegacyFile;
using testing::MakeTorchZip;
using testing::PickleWriter;

std::shared_ptr<const ByteSource> Source(std::string bytes) {
  return std::make_shared<MemorySource>(std::move(bytes), "test.pth");
}

std::vector<float> Iota(int n, float start = 0) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) v[static_cast<size_t>(i)] = start + static_cast<float>(i);
  return v;
}

// A state dict {"w": 3x4 float on storage "0" at offset 2, "n": int64 scalar on storage "1"}.
std::string StateDictPickle(bool legacy = false) {
  PickleWriter w;
  w.Proto().OrderedDict().Mark();
  w.Str("w").Tensor("FloatStorage", "0", 14, 2, {3, 4}, {4, 1}, legacy);
  w.Str("n").Tensor("LongStorage", "1", 1, 0, {}, {}, legacy);
  w.SetItems().EmptyDict().Str("_metadata").OrderedDict().SetItem().Build().Stop();
  return w.bytes();
}

std::string Storages0And1() { return FloatBytes(Iota(14)); }

void ExpectStateDict(const TorchArchive& archive) {
  const TensorDict dict = FindTensorDict(archive.tree(), "");
  EXPECT_EQ(dict.path, "");
  ASSERT_EQ(dict.tensors.size(), 2u);
  EXPECT_EQ(dict.tensors[0].first, "w");
  const TensorRef& w = *dict.tensors[0].second;
  EXPECT_EQ(w.sizes, (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(w.storage_offset, 2u);
  const StorageRef& s = archive.tree().storages().at(w.storage);
  EXPECT_EQ(s.dtype, DType::kFloat32);
  ASSERT_EQ(archive.StorageBytes(w.storage), 14 * 4u);
  std::vector<float> data(14);
  archive.ReadStorage(w.storage, data.data());
  EXPECT_EQ(data, Iota(14));
  const TensorRef& n = *dict.tensors[1].second;
  EXPECT_TRUE(n.sizes.empty());
  int64_t value = 0;
  archive.ReadStorage(n.storage, &value);
  EXPECT_EQ(value, 42);
}

TEST(TorchArchiveTest, ReadsZipArchiveWithAnyPrefix) {
  for (bool zip64 : {false, true}) {
    const std::string bytes =
        MakeTorchZip("my_weights", StateDictPickle(), {{"0", Storages0And1()}, {"1", Int64Bytes({42})}}, zip64);
    const TorchArchive archive(Source(bytes));
    EXPECT_EQ(archive.format(), CheckpointFormat::kTorchZip);
    EXPECT_EQ(archive.archive_name(), "my_weights");
    ExpectStateDict(archive);
  }
}

TEST(TorchArchiveTest, ReadsLegacyFormat) {
  const std::string bytes = MakeLegacyFile(StateDictPickle(/*legacy=*/true),
                                           {{"0", 14, Storages0And1()}, {"1", 1, Int64Bytes({42})}});
  EXPECT_EQ(DetectFormat(MemorySource(bytes)), CheckpointFormat::kTorchLegacy);
  const TorchArchive archive(Source(bytes));
  EXPECT_EQ(archive.format(), CheckpointFormat::kTorchLegacy);
  ExpectStateDict(archive);
  for (size_t cut : {size_t{10}, bytes.size() / 2, bytes.size() - 60, bytes.size() - 1}) {
    EXPECT_THROW(TorchArchive(Source(bytes.substr(0, cut))), IoError) << cut;
  }
}

TEST(TorchArchiveTest, LegacyStorageViewsShiftTheOffset) {
  // ('storage', FloatStorage, '0', 'cpu', 10, ('view', 4, 6)): the view starts at element 4.
  PickleWriter w;
  w.Proto().EmptyDict().Str("v").Global("torch._utils", "_rebuild_tensor_v2").Mark();
  w.Mark().Str("storage").Global("torch", "FloatStorage").Str("0").Str("cpu").Int(10);
  w.Str("view").Int(4).Int(6).Op(0x87).Tuple().Op('Q');
  w.Int(1).IntTuple({5}).IntTuple({1}).Bool(false).OrderedDict().Tuple().Reduce().SetItem().Stop();
  const TorchArchive archive(Source(MakeLegacyFile(w.bytes(), {{"0", 10, FloatBytes(Iota(10))}})));
  const TensorDict dict = FindTensorDict(archive.tree(), "");
  EXPECT_EQ(dict.tensors.at(0).second->storage_offset, 5u);
}

TEST(TorchArchiveTest, StorageProblemsAreIoErrors) {
  // Record smaller than the declared numel.
  EXPECT_THROW(TorchArchive(Source(MakeTorchZip("a", StateDictPickle(), {{"0", FloatBytes(Iota(12))}, {"1", Int64Bytes({42})}}))),
               IoError);
  // Missing record.
  EXPECT_THROW(TorchArchive(Source(MakeTorchZip("a", StateDictPickle(), {{"0", Storages0And1()}}))), IoError);
  // Corrupt storage bytes: caught by the CRC when read.
  std::string bytes = MakeTorchZip("a", StateDictPickle(), {{"0", Storages0And1()}, {"1", Int64Bytes({42})}});
  const std::string needle = FloatBytes({5.0f});
  bytes[bytes.find(needle)] ^= 0x01;
  const TorchArchive archive(Source(bytes));
  std::vector<float> data(14);
  EXPECT_THROW(archive.ReadStorage(0, data.data()), IoError);
}

TEST(TorchArchiveTest, FormatDetectionAndUnsupportedVariants) {
  EXPECT_THROW(DetectFormat(MemorySource("")), IoError);
  try {
    DetectFormat(MemorySource("\x93NUMPY\x01\x00..."s));
    FAIL();
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("first_bytes=934e554d5059"), std::string::npos) << e.what();
  }
  std::string tar(1024, '\0');
  std::memcpy(&tar[257], "ustar", 5);
  EXPECT_THROW(DetectFormat(MemorySource(tar)), UnavailableError);
  // TorchScript archives carry constants.pkl beside data.pkl.
  const std::string script = testing::MakeZip({{"m/data.pkl", StateDictPickle()}, {"m/constants.pkl", "\x80\x02)."s}});
  EXPECT_THROW(TorchArchive(Source(script)), UnavailableError);
  // Big-endian data.
  const std::string big = testing::MakeZip({{"m/data.pkl", StateDictPickle()}, {"m/byteorder", "big"}});
  EXPECT_THROW(TorchArchive(Source(big)), UnavailableError);
  // A zip that is not a checkpoint.
  EXPECT_THROW(TorchArchive(Source(testing::MakeZip({{"readme.txt", "hello"}}))), IoError);
}

// {"epoch": 3, <wrapper>: state_dict, ...}
PickleTree WrappedTree(const std::vector<std::string>& wrappers, const std::string& nest = "") {
  PickleWriter w;
  w.Proto().EmptyDict().Mark().Str("epoch").Int(3).Str("optimizer").EmptyDict().Str("state").EmptyDict().SetItem();
  if (!nest.empty()) w.Str(nest).EmptyDict().Mark();
  int key = 0;
  for (const std::string& name : wrappers) {
    w.Str(name).EmptyDict().Str("w").Tensor("FloatStorage", std::to_string(key++), 4, 0, {4}, {1}).SetItem();
  }
  if (!nest.empty()) w.SetItems();
  w.SetItems().Stop();
  const MemorySource source(w.bytes());
  return Unpickle(source, 0, source.size());
}

TEST(TorchArchiveTest, FindTensorDictUnwrapsWrappers) {
  EXPECT_EQ(FindTensorDict(WrappedTree({"state_dict"}), "").path, "state_dict");
  EXPECT_EQ(FindTensorDict(WrappedTree({"model"}), "").path, "model");
  EXPECT_EQ(FindTensorDict(WrappedTree({"net"}, "checkpoint"), "").path, "checkpoint/net");
  EXPECT_EQ(FindTensorDict(WrappedTree({"model", "ema"}), "ema").path, "ema");
  EXPECT_EQ(FindTensorDict(WrappedTree({"net"}, "checkpoint"), "checkpoint/net").tensors.size(), 1u);
  try {
    FindTensorDict(WrappedTree({"model", "ema"}), "");
    FAIL();
  } catch (const InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("candidates=model, ema"), std::string::npos) << e.what();
  }
  try {
    FindTensorDict(WrappedTree({"model"}), "state_dict");
    FAIL();
  } catch (const NotFoundError& e) {
    EXPECT_NE(std::string(e.what()).find("'model' (dict)"), std::string::npos) << e.what();
  }
  EXPECT_THROW(FindTensorDict(WrappedTree({}), ""), NotFoundError);
  EXPECT_THROW(FindTensorDict(WrappedTree({"model"}), "epoch"), InvalidArgumentError);
}

TEST(TorchArchiveTest, RandomCorruptionOfAnArchiveOnlyThrowsCrossviewErrors) {
  const std::string good = MakeTorchZip("a", StateDictPickle(), {{"0", Storages0And1()}, {"1", Int64Bytes({42})}});
  std::mt19937 rng(99);
  for (int trial = 0; trial < 3000; ++trial) {
    std::string bytes = good;
    for (int e = 0; e < 3; ++e) bytes[rng() % bytes.size()] = static_cast<char>(rng());
    try {
      const TorchArchive archive(Source(bytes));
      const TensorDict dict = FindTensorDict(archive.tree(), "");
      std::vector<char> buffer;
      for (const auto& [name, ref] : dict.tensors) {
        buffer.resize(archive.StorageBytes(ref->storage));
        archive.ReadStorage(ref->storage, buffer.data());
      }
    } catch (const Error&) {
    }
  }
}

}  // namespace
}  // namespace crossview::checkpoint

#include "crossview/checkpoint/pickle.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "crossview/checkpoint/test_builders.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"

namespace crossview::checkpoint {
namespace {

using namespace std::string_literals;
using testing::PickleWriter;

PickleTree Load(const std::string& bytes, const UnpickleOptions& options = {}) {
  const MemorySource source(bytes, "test.pkl");
  return Unpickle(source, 0, source.size(), options);
}

std::string What(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(PickleTest, ParsesScalarsContainersAndMemo) {
  PickleWriter w;
  w.Proto().EmptyList().BinPut(0).Mark();
  w.Int(7).Int(300).Int(-5).Int(70000).Int(int64_t{1} << 40).Int(-(int64_t{1} << 40));
  w.Float(2.5).Str("héllo").None().Bool(true).Bool(false);
  w.Raw("C\x03\x01\x02\x03"s);                                 // SHORT_BINBYTES
  w.Raw("\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x80\x00"s);         // LONG1 2^63: beyond int64
  w.EmptyDict().Str("k").Int(1).SetItem();
  w.Int(1).Int(2).Op(0x86);                                      // TUPLE2
  w.BinGet(0);                                                   // the list itself (a cycle)
  w.Appends().Stop();
  const PickleTree t = Load(w.bytes());
  const ValueId root = t.root();
  ASSERT_EQ(t.kind(root), PickleKind::kList);
  const std::vector<ValueId>& items = t.Items(root);
  ASSERT_EQ(items.size(), 16u);
  EXPECT_EQ(t.AsInt(items[0]), 7);
  EXPECT_EQ(t.AsInt(items[1]), 300);
  EXPECT_EQ(t.AsInt(items[2]), -5);
  EXPECT_EQ(t.AsInt(items[3]), 70000);
  EXPECT_EQ(t.AsInt(items[4]), int64_t{1} << 40);
  EXPECT_EQ(t.AsInt(items[5]), -(int64_t{1} << 40));
  EXPECT_EQ(t.AsFloat(items[6]), 2.5);
  EXPECT_EQ(t.Text(items[7]), "héllo");
  EXPECT_EQ(t.kind(items[8]), PickleKind::kNone);
  EXPECT_TRUE(t.AsBool(items[9]));
  EXPECT_FALSE(t.AsBool(items[10]));
  EXPECT_EQ(t.Text(items[11]), std::string("\x01\x02\x03"));
  EXPECT_EQ(t.kind(items[12]), PickleKind::kBigInt);
  EXPECT_EQ(t.AsInt(t.FindKey(items[13], "k")), 1);
  EXPECT_EQ(t.Items(items[14]).size(), 2u);
  EXPECT_EQ(items[15], root);  // shared reference through the memo
  EXPECT_FALSE(t.Describe(root).empty());  // rendering a cyclic structure terminates
}

TEST(PickleTest, ProtocolFourOpcodes) {
  std::string b = "\x80\x04\x95"s;
  b += "\x20\x00\x00\x00\x00\x00\x00\x00"s;                  // FRAME of 32 bytes
  b += "\x8c\x0b" "collections" "\x94"s;                      // SHORT_BINUNICODE, MEMOIZE
  b += "\x8c\x0b" "OrderedDict" "\x94"s;
  b += "\x93\x94)R\x94"s;                                     // STACK_GLOBAL, MEMOIZE, EMPTY_TUPLE, REDUCE
  b += "\x8d\x01\x00\x00\x00\x00\x00\x00\x00" "a"s;           // BINUNICODE8 "a"
  b += "\x8f\x94(K\x01K\x02\x90"s;                            // EMPTY_SET, MARK, 1, 2, ADDITEMS
  b += "s."s;                                                 // SETITEM, STOP
  const PickleTree t = Load(b);
  ASSERT_EQ(t.kind(t.root()), PickleKind::kDict);
  const ValueId set = t.FindKey(t.root(), "a");
  ASSERT_NE(set, kNoValue);
  EXPECT_EQ(t.kind(set), PickleKind::kSet);
  EXPECT_EQ(t.Items(set).size(), 2u);
}

TEST(PickleTest, RepeatedDictKeyReplacesTheValueInPlace) {
  PickleWriter w;
  w.Proto().EmptyDict().Mark().Str("a").Int(1).Str("b").Int(2).Str("a").Int(3).SetItems().Stop();
  const PickleTree t = Load(w.bytes());
  ASSERT_EQ(t.DictSize(t.root()), 2u);
  EXPECT_EQ(t.Text(t.DictKey(t.root(), 0)), "a");
  EXPECT_EQ(t.AsInt(t.DictValue(t.root(), 0)), 3);
}

TEST(PickleTest, OrderedDictStateDictWithMetadataBuild) {
  // torch.save(model.state_dict()): OrderedDict() + SETITEMS, then BUILD {'_metadata': OrderedDict(...)}.
  PickleWriter w;
  w.Proto().OrderedDict().BinPut(0).Mark();
  w.Str("w").Tensor("FloatStorage", "0", 6, 0, {2, 3}, {3, 1});
  w.SetItems();
  w.EmptyDict().Str("_metadata").BinGet(1);  // memo 1 is unset: use a fresh OrderedDict instead
  const std::string broken = w.bytes();
  EXPECT_TRUE(Contains(What([&] { Load(broken + "s.b."); }), "memo key 1"));

  PickleWriter ok;
  ok.Proto().OrderedDict().Mark();
  ok.Str("w").Tensor("FloatStorage", "0", 6, 0, {2, 3}, {3, 1});
  ok.SetItems();
  ok.EmptyDict().Str("_metadata").OrderedDict().Mark().Str("").EmptyDict().Str("version").Int(1).SetItem().SetItems();
  ok.SetItem().Build().Stop();
  const PickleTree t = Load(ok.bytes());
  ASSERT_EQ(t.kind(t.root()), PickleKind::kDict);
  ASSERT_EQ(t.DictSize(t.root()), 1u);
  const TensorRef& tensor = t.Tensor(t.DictValue(t.root(), 0));
  EXPECT_EQ(tensor.sizes, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(tensor.strides, (std::vector<int64_t>{3, 1}));
  EXPECT_EQ(t.storages().at(tensor.storage).dtype, DType::kFloat32);
  const ValueId attributes = t.Attributes(t.root());
  ASSERT_NE(attributes, kNoValue);
  EXPECT_EQ(t.kind(t.FindKey(attributes, "_metadata")), PickleKind::kDict);
}

TEST(PickleTest, DisallowedGlobalIsRefusedAndNothingRuns) {
  TempDir dir;
  const std::filesystem::path marker = dir.path() / "pwned";
  PickleWriter w;
  w.Proto().Global("os", "system").Mark().Str("touch " + marker.string()).Tuple().Reduce().Stop();
  try {
    Load(w.bytes());
    FAIL() << "a disallowed global was accepted";
  } catch (const InvalidArgumentError& e) {
    EXPECT_TRUE(Contains(e.what(), "os.system")) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(marker));
  // The same through STACK_GLOBAL, and a torch name that is not a storage or rebuild function.
  const std::string stack_global = "\x80\x04\x8c\x08" "builtins" "\x8c\x04" "eval" "\x93."s;
  EXPECT_TRUE(Contains(What([&] { Load(stack_global); }), "builtins.eval"));
  EXPECT_TRUE(Contains(What([&] { Load(PickleWriter().Proto().Global("torch", "load").Stop().bytes()); }), "torch.load"));
  EXPECT_TRUE(Contains(What([&] { Load(PickleWriter().Proto().Global("torch._utils", "_rebuild_qtensor").Stop().bytes()); }),
                       "_rebuild_qtensor"));
}

TEST(PickleTest, OpaqueGlobalsWhenAllowedStayInert) {
  // {'args': argparse.Namespace(lr=0.1), 'state_dict': {...}}: REDUCE + BUILD on the opaque value.
  PickleWriter w;
  w.Proto().EmptyDict().Mark();
  w.Str("args").Global("argparse", "Namespace").EmptyTuple().Reduce().EmptyDict().Str("lr").Float(0.1).SetItem().Build();
  w.Str("state_dict").EmptyDict().Str("w").Tensor("FloatStorage", "0", 4, 0, {4}, {1}).SetItem();
  w.SetItems().Stop();
  EXPECT_THROW(Load(w.bytes()), InvalidArgumentError);
  UnpickleOptions options;
  options.allow_opaque_globals = true;
  const PickleTree t = Load(w.bytes(), options);
  EXPECT_EQ(t.kind(t.FindKey(t.root(), "args")), PickleKind::kOpaque);
  EXPECT_EQ(t.Text(t.FindKey(t.root(), "args")), "argparse.Namespace");
}

TEST(PickleTest, TensorSubclassWrapperAndWholeModulePickles) {
  // torch._tensor._rebuild_from_type_v2(_rebuild_tensor_v2, torch.Tensor, (args...), {state}).
  PickleWriter w;
  w.Proto().Global("torch._tensor", "_rebuild_from_type_v2").Mark();
  w.Global("torch._utils", "_rebuild_tensor_v2").Global("torch._tensor", "Tensor");
  w.Mark().Mark().Str("storage").Global("torch", "FloatStorage").Str("0").Str("cpu").Int(6).Tuple().Op('Q');
  w.Int(0).IntTuple({2, 3}).IntTuple({3, 1}).Bool(false).OrderedDict().Tuple();
  w.EmptyDict().Str("tag").Int(1).SetItem().Tuple().Reduce().Stop();
  const PickleTree t = Load(w.bytes());
  ASSERT_EQ(t.kind(t.root()), PickleKind::kTensor);
  EXPECT_EQ(t.Tensor(t.root()).sizes, (std::vector<int64_t>{2, 3}));
  // torch.save(model) stores module classes as ('module', cls, file, source) persistent ids.
  PickleWriter m;
  m.Proto().Mark().Str("module").None().Str("net.py").Str("class Net: ...").Tuple().Op('Q').Stop();
  EXPECT_TRUE(Contains(What([&] { Load(m.bytes()); }), "whole nn.Module"));
}

TEST(PickleTest, UnknownAndUnsupportedOpcodesNameByteAndOffset) {
  const std::string unknown = What([] { Load("\x80\x02}\xff"s); });
  EXPECT_TRUE(Contains(unknown, "0xff")) << unknown;
  EXPECT_TRUE(Contains(unknown, "opcode_offset=3")) << unknown;
  const std::string inst = What([] { Load("\x80\x02(ios\nsystem\n."s); });
  EXPECT_TRUE(Contains(inst, "INST")) << inst;
  EXPECT_THROW(Load("\x80\x02(ios\nsystem\n."s), IoError);
  EXPECT_THROW(Load("\x80\x09N."s), IoError);  // protocol 9
  // A GLOBAL name that is not a Python name is malformed data, shown escaped.
  const std::string bad_name = What([] { Load(PickleWriter().Proto().Global("os", "sys\xfetem").Stop().bytes()); });
  EXPECT_TRUE(Contains(bad_name, "invalid global name 'os.sys\\xfetem'")) << bad_name;
}

TEST(PickleTest, EveryTruncationIsAnIoError) {
  PickleWriter w;
  w.Proto().OrderedDict().Mark().Str("a.weight").Tensor("FloatStorage", "0", 12, 2, {2, 5}, {5, 1});
  w.Str("b").Float(1.5).SetItems().Stop();
  const std::string bytes = w.bytes();
  ASSERT_NO_THROW(Load(bytes));
  for (size_t cut = 0; cut + 1 < bytes.size(); ++cut) {
    EXPECT_THROW(Load(bytes.substr(0, cut)), IoError) << "cut at " << cut;
  }
}

TEST(PickleTest, NestingAndSizeLimits) {
  // 100k nested tuples: (((...),),)
  const std::string deep = "\x80\x02]"s + std::string(100000, '\x85') + ".";
  EXPECT_TRUE(Contains(What([&] { Load(deep); }), "too deeply"));
  const std::string marks = "\x80\x02"s + std::string(100000, '(') + ".";
  EXPECT_THROW(Load(marks), InvalidArgumentError);
  // Lists deepened top-down through the memo (each new list appended to the previous one) are not
  // re-measured; that is harmless because nothing walks the tree recursively: it loads, and
  // rendering it stays bounded.
  std::string lists = "\x80\x02]q\x00"s;
  for (int i = 0; i < 10000; ++i) lists += "h\x00]q\x00a"s;
  lists += "."s;
  const PickleTree top_down = Load(lists);
  EXPECT_LT(top_down.Describe(top_down.root()).size(), 200u);
  // Object budget.
  PickleWriter many;
  many.Proto().EmptyList().Mark();
  for (int i = 0; i < 2000; ++i) many.Int(i);
  many.Appends().Stop();
  UnpickleOptions small;
  small.max_objects = 1000;
  EXPECT_THROW(Load(many.bytes(), small), InvalidArgumentError);
  EXPECT_NO_THROW(Load(many.bytes()));
  // A length field far beyond the data is refused before allocating.
  EXPECT_THROW(Load("\x80\x02X\xff\xff\xff\x7f" "abc"s), IoError);
  EXPECT_THROW(Load("\x80\x02\x8d\xff\xff\xff\xff\xff\xff\xff\x7f"s), IoError);
}

TEST(PickleTest, TensorOutsideItsStorageIsRejected) {
  auto tensor = [](int64_t numel, int64_t offset, std::vector<int64_t> sizes, std::vector<int64_t> strides) {
    PickleWriter w;
    w.Proto().Tensor("FloatStorage", "0", numel, offset, sizes, strides).Stop();
    return w.bytes();
  };
  EXPECT_NO_THROW(Load(tensor(12, 2, {2, 5}, {5, 1})));           // last element 11
  EXPECT_THROW(Load(tensor(12, 3, {2, 5}, {5, 1})), IoError);     // last element 12
  EXPECT_NO_THROW(Load(tensor(12, 0, {4, 3}, {1, 4})));           // transposed: last 3 + 8 = 11
  EXPECT_THROW(Load(tensor(12, 0, {4, 3}, {1, 5})), IoError);
  EXPECT_NO_THROW(Load(tensor(0, 0, {0, 3}, {3, 1})));            // empty tensor on an empty storage
  EXPECT_THROW(Load(tensor(4, 0, {int64_t{1} << 40, int64_t{1} << 40}, {1, 1})), IoError);  // overflow
  EXPECT_THROW(Load(tensor(-1, 0, {1}, {1})), IoError);           // negative storage size
  EXPECT_THROW(Load(tensor(4, 0, {2}, {-1})), IoError);           // negative stride
}

TEST(PickleTest, RandomMutationsOnlyEverThrowCrossviewErrors) {
  PickleWriter w;
  w.Proto().OrderedDict().BinPut(0).Mark();
  w.Str("layer.weight").Tensor("FloatStorage", "0", 12, 0, {3, 4}, {4, 1});
  w.Str("layer.bias").Tensor("LongStorage", "1", 3, 0, {3}, {1});
  w.SetItems().EmptyDict().Str("_metadata").OrderedDict().SetItem().Build().Stop();
  const std::string good = w.bytes();
  std::mt19937 rng(1234);
  int loaded = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    std::string bytes = good;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const size_t at = rng() % bytes.size();
      switch (rng() % 3) {
        case 0: bytes[at] = static_cast<char>(rng()); break;
        case 1: bytes.insert(at, 1, static_cast<char>(rng())); break;
        default: bytes.erase(at, 1 + rng() % 4); break;
      }
      if (bytes.empty()) bytes = "x";
    }
    try {
      Load(bytes);
      ++loaded;
    } catch (const Error&) {
      // expected: any crossview error
    }
  }
  EXPECT_GT(loaded, 0);  // some mutations are harmless (a changed string character)
}

}  // namespace
}  // namespace crossview::checkpoint

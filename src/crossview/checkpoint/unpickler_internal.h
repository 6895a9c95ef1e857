// Internal to the checkpoint module: the pickle opcode interpreter shared by unpickler.cc (the
// opcode loop) and torch_globals.cc (the allow-listed globals and torch's persistent ids).
#pragma once

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "crossview/checkpoint/pickle.h"
#include "crossview/util/errors.h"

namespace crossview::checkpoint {

// Pickle opcodes (the Python pickle module's names).
namespace op {
constexpr uint8_t kMark = '(', kStop = '.', kPop = '0', kPopMark = '1', kDup = '2', kFloat = 'F', kInt = 'I',
                  kBinInt = 'J', kBinInt1 = 'K', kLong = 'L', kBinInt2 = 'M', kNone = 'N', kPersId = 'P',
                  kBinPersId = 'Q', kReduce = 'R', kString = 'S', kBinString = 'T', kShortBinString = 'U',
                  kUnicode = 'V', kBinUnicode = 'X', kAppend = 'a', kBuild = 'b', kGlobal = 'c', kDict = 'd',
                  kEmptyDict = '}', kAppends = 'e', kGet = 'g', kBinGet = 'h', kInst = 'i', kLongBinGet = 'j',
                  kList = 'l', kEmptyList = ']', kObj = 'o', kPut = 'p', kBinPut = 'q', kLongBinPut = 'r',
                  kSetItem = 's', kTuple = 't', kEmptyTuple = ')', kSetItems = 'u', kBinFloat = 'G',
                  kBinBytes = 'B', kShortBinBytes = 'C';
constexpr uint8_t kProto = 0x80, kNewObj = 0x81, kExt1 = 0x82, kExt2 = 0x83, kExt4 = 0x84, kTuple1 = 0x85,
                  kTuple2 = 0x86, kTuple3 = 0x87, kNewTrue = 0x88, kNewFalse = 0x89, kLong1 = 0x8a,
                  kLong4 = 0x8b, kShortBinUnicode = 0x8c, kBinUnicode8 = 0x8d, kBinBytes8 = 0x8e,
                  kEmptySet = 0x8f, kAddItems = 0x90, kFrozenSet = 0x91, kNewObjEx = 0x92, kStackGlobal = 0x93,
                  kMemoize = 0x94, kFrame = 0x95, kByteArray8 = 0x96, kNextBuffer = 0x97, kReadOnlyBuffer = 0x98;
}  // namespace op

// "BINUNICODE (0x58)", or "unknown (0xff)".
std::string OpcodeName(uint8_t opcode);

class Unpickler {
 public:
  Unpickler(const ByteSource& source, uint64_t begin, uint64_t end, const UnpickleOptions& options)
      : in_(source, begin, end), begin_(begin), options_(options), source_name_(source.name()) {
    none_ = NewValue(PickleKind::kNone);
    false_ = NewValue(PickleKind::kBool);
    true_ = NewValue(PickleKind::kBool);
    t_.values_[true_].boolean = true;
    empty_tuple_ = NewContainer(PickleKind::kTuple, {});
  }

  PickleTree Run(uint64_t* stop_offset);

 private:
  // ---- errors ----
  [[noreturn]] void Malformed(const std::string& what) {
    throw CV_ERROR(IoError, "malformed pickle: " + what).Hint("the checkpoint is corrupt or was not written by torch.save");
  }
  void Expect(ValueId id, PickleKind kind, const char* what) {
    if (t_.kind(id) != kind) {
      Malformed(std::string(what) + " must be a " + PickleKindName(kind) + ", got " + t_.Describe(id));
    }
  }

  // ---- building values ----
  void Charge(uint64_t n) {
    objects_ += n;
    if (objects_ > options_.max_objects) {
      throw CV_ERROR(InvalidArgumentError, "pickle builds too many objects")
          .With("max_objects", options_.max_objects)
          .Hint("raise the max_objects limit if this is a genuine, very large checkpoint");
    }
  }
  ValueId NewValue(PickleKind kind) {
    Charge(1);
    t_.values_.push_back({});
    t_.values_.back().kind = kind;
    return static_cast<ValueId>(t_.values_.size() - 1);
  }
  ValueId NewText(PickleKind kind, std::string text) {
    const ValueId id = NewValue(kind);
    t_.values_[id].index = static_cast<uint32_t>(t_.texts_.size());
    t_.texts_.push_back(std::move(text));
    return id;
  }
  ValueId NewInt(int64_t v) {
    const ValueId id = NewValue(PickleKind::kInt);
    t_.values_[id].integer = v;
    return id;
  }
  ValueId NewFloat(double v) {
    const ValueId id = NewValue(PickleKind::kFloat);
    std::memcpy(&t_.values_[id].integer, &v, sizeof v);
    return id;
  }
  ValueId NewContainer(PickleKind kind, const std::vector<ValueId>& items) {
    const ValueId id = NewValue(kind);
    t_.values_[id].index = static_cast<uint32_t>(t_.containers_.size());
    t_.containers_.emplace_back();
    for (ValueId item : items) AddItem(id, item);
    return id;
  }
  void AddItem(ValueId container, ValueId item) {
    Charge(1);
    const uint32_t depth = t_.values_[item].depth + 1;
    if (depth > options_.max_depth) {
      throw CV_ERROR(InvalidArgumentError, "pickle nests containers too deeply").With("max_depth", options_.max_depth);
    }
    PickleTree::Value& c = t_.values_[container];
    if (depth > c.depth) c.depth = depth;
    t_.containers_[c.index].push_back(item);
  }
  // Python dict semantics: a repeated key replaces the value in place.
  void SetItem(ValueId dict, ValueId key, ValueId value) {
    const std::optional<std::string> canonical = HashKey(key);
    if (canonical) {
      auto& index = dict_index_[dict];
      auto [it, inserted] = index.emplace(*canonical, t_.containers_[t_.values_[dict].index].size());
      if (!inserted) {
        AddItem(dict, value);  // depth and budget bookkeeping, then move it into place
        auto& items = t_.containers_[t_.values_[dict].index];
        items[it->second + 1] = items.back();
        items.pop_back();
        return;
      }
      Charge(1);
    }
    AddItem(dict, key);
    AddItem(dict, value);
  }
  std::optional<std::string> HashKey(ValueId key) const {
    switch (t_.kind(key)) {
      case PickleKind::kString: return "s" + t_.Text(key);
      case PickleKind::kBytes: return "b" + t_.Text(key);
      case PickleKind::kBigInt: return "I" + t_.Text(key);
      case PickleKind::kGlobal: return "g" + t_.Text(key);
      case PickleKind::kInt: return "i" + std::to_string(t_.AsInt(key));
      case PickleKind::kBool: return std::string(t_.AsBool(key) ? "i1" : "i0");
      case PickleKind::kNone: return std::string("n");
      default: return std::nullopt;  // tuples etc.: kept as separate entries
    }
  }

  // ---- the stack ----
  void Push(ValueId id) {
    if (stack_.size() >= options_.max_objects) {
      throw CV_ERROR(InvalidArgumentError, "pickle stack too deep").With("max_objects", options_.max_objects);
    }
    stack_.push_back(id);
  }
  ValueId Pop() {
    if (stack_.empty() || (!marks_.empty() && marks_.back() == stack_.size())) Malformed("stack underflow");
    const ValueId id = stack_.back();
    stack_.pop_back();
    return id;
  }
  ValueId Top() {
    if (stack_.empty() || (!marks_.empty() && marks_.back() == stack_.size())) Malformed("stack underflow");
    return stack_.back();
  }
  std::vector<ValueId> PopMark() {
    if (marks_.empty()) Malformed("no MARK on the stack");
    const size_t mark = marks_.back();
    marks_.pop_back();
    std::vector<ValueId> items(stack_.begin() + static_cast<std::ptrdiff_t>(mark), stack_.end());
    stack_.resize(mark);
    return items;
  }
  void Memoize(uint64_t key) {
    const ValueId top = Top();
    if (memo_.insert_or_assign(key, top).second) Charge(1);
  }
  ValueId Recall(uint64_t key) {
    auto it = memo_.find(key);
    if (it == memo_.end()) Malformed("memo key " + std::to_string(key) + " was never stored");
    return it->second;
  }

  // ---- reading operands ----
  uint64_t ReadLe(int bytes) {
    unsigned char b[8] = {};
    in_.Read(b, static_cast<uint64_t>(bytes));
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | b[i];
    return v;
  }
  ValueId ReadLong(uint64_t n);
  int64_t ParseDecimal(const std::string& text);
  ValueId ReadGlobal(const std::string& module, const std::string& name);

  void Dispatch();
  void AppendItems(ValueId target, const std::vector<ValueId>& items);
  void SetItems(ValueId target, const std::vector<ValueId>& items);
  ValueId Call(ValueId callable, ValueId args);
  ValueId PersistentLoad(ValueId pid);
  ValueId RebuildTensor(const std::vector<ValueId>& args, bool v2);
  std::vector<int64_t> ReadDims(ValueId id, const char* what);
  ValueId EncodeLatin1(const std::vector<ValueId>& args);
  void Build();

  SequentialReader in_;
  uint64_t begin_;
  const UnpickleOptions& options_;
  std::string source_name_;
  PickleTree t_;
  std::vector<ValueId> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, ValueId> memo_;
  std::unordered_map<ValueId, std::unordered_map<std::string, size_t>> dict_index_;
  std::unordered_map<std::string, uint32_t> storage_by_key_;
  uint64_t objects_ = 0;
  uint64_t op_offset_ = 0;
  uint8_t op_ = 0;
  bool reading_opcode_ = false;
  ValueId none_ = kNoValue, true_ = kNoValue, false_ = kNoValue, empty_tuple_ = kNoValue;
};

}  // namespace crossview::checkpoint

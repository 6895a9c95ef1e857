// The opcode loop of the unpickler (see pickle.h for the safety rules; the allow-listed globals
// and torch's persistent ids are interpreted in torch_globals.cc).
#include <algorithm>

#include "crossview/checkpoint/unpickler_internal.h"

namespace crossview::checkpoint {
namespace {

constexpr uint64_t kMaxLine = 256;  // GLOBAL names and text-protocol numbers
constexpr uint8_t kHighestProtocol = 5;

const char* KnownOpcodeName(uint8_t opcode) {
  switch (opcode) {
    case op::kMark: return "MARK";
    case op::kStop: return "STOP";
    case op::kPop: return "POP";
    case op::kPopMark: return "POP_MARK";
    case op::kDup: return "DUP";
    case op::kFloat: return "FLOAT";
    case op::kInt: return "INT";
    case op::kBinInt: return "BININT";
    case op::kBinInt1: return "BININT1";
    case op::kLong: return "LONG";
    case op::kBinInt2: return "BININT2";
    case op::kNone: return "NONE";
    case op::kPersId: return "PERSID";
    case op::kBinPersId: return "BINPERSID";
    case op::kReduce: return "REDUCE";
    case op::kString: return "STRING";
    case op::kBinString: return "BINSTRING";
    case op::kShortBinString: return "SHORT_BINSTRING";
    case op::kUnicode: return "UNICODE";
    case op::kBinUnicode: return "BINUNICODE";
    case op::kAppend: return "APPEND";
    case op::kBuild: return "BUILD";
    case op::kGlobal: return "GLOBAL";
    case op::kDict: return "DICT";
    case op::kEmptyDict: return "EMPTY_DICT";
    case op::kAppends: return "APPENDS";
    case op::kGet: return "GET";
    case op::kBinGet: return "BINGET";
    case op::kInst: return "INST";
    case op::kLongBinGet: return "LONG_BINGET";
    case op::kList: return "LIST";
    case op::kEmptyList: return "EMPTY_LIST";
    case op::kObj: return "OBJ";
    case op::kPut: return "PUT";
    case op::kBinPut: return "BINPUT";
    case op::kLongBinPut: return "LONG_BINPUT";
    case op::kSetItem: return "SETITEM";
    case op::kTuple: return "TUPLE";
    case op::kEmptyTuple: return "EMPTY_TUPLE";
    case op::kSetItems: return "SETITEMS";
    case op::kBinFloat: return "BINFLOAT";
    case op::kBinBytes: return "BINBYTES";
    case op::kShortBinBytes: return "SHORT_BINBYTES";
    case op::kProto: return "PROTO";
    case op::kNewObj: return "NEWOBJ";
    case op::kExt1: return "EXT1";
    case op::kExt2: return "EXT2";
    case op::kExt4: return "EXT4";
    case op::kTuple1: return "TUPLE1";
    case op::kTuple2: return "TUPLE2";
    case op::kTuple3: return "TUPLE3";
    case op::kNewTrue: return "NEWTRUE";
    case op::kNewFalse: return "NEWFALSE";
    case op::kLong1: return "LONG1";
    case op::kLong4: return "LONG4";
    case op::kShortBinUnicode: return "SHORT_BINUNICODE";
    case op::kBinUnicode8: return "BINUNICODE8";
    case op::kBinBytes8: return "BINBYTES8";
    case op::kEmptySet: return "EMPTY_SET";
    case op::kAddItems: return "ADDITEMS";
    case op::kFrozenSet: return "FROZENSET";
    case op::kNewObjEx: return "NEWOBJ_EX";
    case op::kStackGlobal: return "STACK_GLOBAL";
    case op::kMemoize: return "MEMOIZE";
    case op::kFrame: return "FRAME";
    case op::kByteArray8: return "BYTEARRAY8";
    case op::kNextBuffer: return "NEXT_BUFFER";
    case op::kReadOnlyBuffer: return "READONLY_BUFFER";
    default: return nullptr;
  }
}

std::string Hex(uint8_t byte) {
  const char* digits = "0123456789abcdef";
  return std::string("0x") + digits[byte >> 4] + digits[byte & 15];
}

}  // namespace

std::string OpcodeName(uint8_t opcode) {
  const char* name = KnownOpcodeName(opcode);
  return std::string(name != nullptr ? name : "unknown") + " (" + Hex(opcode) + ")";
}

PickleTree Unpickler::Run(uint64_t* stop_offset) {
  try {
    while (true) {
      op_offset_ = in_.position() - begin_;
      reading_opcode_ = true;
      op_ = in_.ReadByte();
      reading_opcode_ = false;
      if (op_ == op::kStop) break;
      Dispatch();
    }
    if (stack_.empty()) Malformed("STOP with an empty stack");
    t_.root_ = stack_.back();
  } catch (Error& e) {
    bool named = false;
    for (const auto& [key, value] : e.context()) named = named || key == "source";
    if (!named) e.With("source", source_name_);
    if (!reading_opcode_) e.With("opcode", OpcodeName(op_));
    e.With("opcode_offset", op_offset_);
    throw;
  }
  if (stop_offset != nullptr) *stop_offset = in_.position();
  return std::move(t_);
}

ValueId Unpickler::ReadLong(uint64_t n) {
  const std::string bytes = in_.ReadString(n);
  if (n == 0) return NewInt(0);
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  const bool negative = (b[n - 1] & 0x80) != 0;
  if (n > 8) {
    // It fits int64 only if every byte from the eighth on is the sign extension of the value.
    bool fits = ((b[7] & 0x80) != 0) == negative;
    for (uint64_t i = 8; i < n && fits; ++i) fits = b[i] == (negative ? 0xFF : 0x00);
    if (!fits) return NewText(PickleKind::kBigInt, bytes);
  }
  const uint64_t used = std::min<uint64_t>(n, 8);
  uint64_t v = 0;
  for (uint64_t i = used; i-- > 0;) v = (v << 8) | b[i];
  if (used < 8 && negative) v |= ~uint64_t{0} << (8 * used);
  return NewInt(static_cast<int64_t>(v));
}

int64_t Unpickler::ParseDecimal(const std::string& text) {
  if (text.empty()) Malformed("empty number");
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || end != text.c_str() + text.size()) Malformed("bad decimal number '" + text + "'");
  return v;
}

void Unpickler::Dispatch() {
  switch (op_) {
    // ---- framing and markers ----
    case op::kProto: {
      const uint8_t protocol = in_.ReadByte();
      if (protocol > kHighestProtocol) Malformed("unsupported pickle protocol " + std::to_string(protocol));
      return;
    }
    case op::kFrame: {
      const uint64_t size = ReadLe(8);
      if (size > in_.remaining()) Malformed("FRAME longer than the remaining data");
      return;
    }
    case op::kMark:
      if (marks_.size() >= options_.max_depth) {
        throw CV_ERROR(InvalidArgumentError, "pickle nests MARKs too deeply").With("max_depth", options_.max_depth);
      }
      marks_.push_back(stack_.size());
      return;
    case op::kPop:
      if (!marks_.empty() && marks_.back() == stack_.size()) {
        marks_.pop_back();  // POP on a mark discards the mark, as Python does
      } else {
        Pop();
      }
      return;
    case op::kPopMark: PopMark(); return;
    case op::kDup: Push(Top()); return;

    // ---- scalars ----
    case op::kNone: Push(none_); return;
    case op::kNewTrue: Push(true_); return;
    case op::kNewFalse: Push(false_); return;
    case op::kBinInt: Push(NewInt(static_cast<int32_t>(ReadLe(4)))); return;
    case op::kBinInt1: Push(NewInt(static_cast<int64_t>(ReadLe(1)))); return;
    case op::kBinInt2: Push(NewInt(static_cast<int64_t>(ReadLe(2)))); return;
    case op::kLong1: Push(ReadLong(ReadLe(1))); return;
    case op::kLong4: {
      const int32_t n = static_cast<int32_t>(ReadLe(4));
      if (n < 0) Malformed("negative LONG4 length");
      Push(ReadLong(static_cast<uint64_t>(n)));
      return;
    }
    case op::kInt: {
      const std::string line = in_.ReadLine(kMaxLine);
      if (line == "01" || line == "00") {
        Push(line == "01" ? true_ : false_);
      } else {
        Push(NewInt(ParseDecimal(line)));
      }
      return;
    }
    case op::kLong: {
      std::string line = in_.ReadLine(kMaxLine);
      if (!line.empty() && line.back() == 'L') line.pop_back();
      Push(NewInt(ParseDecimal(line)));
      return;
    }
    case op::kBinFloat: {
      unsigned char b[8];
      in_.Read(b, 8);
      uint64_t bits = 0;
      for (unsigned char c : b) bits = (bits << 8) | c;  // big-endian
      double d;
      std::memcpy(&d, &bits, sizeof d);
      Push(NewFloat(d));
      return;
    }
    case op::kFloat: {
      const std::string line = in_.ReadLine(kMaxLine);
      char* end = nullptr;
      const double d = std::strtod(line.c_str(), &end);
      if (line.empty() || end != line.c_str() + line.size()) Malformed("bad FLOAT '" + line + "'");
      Push(NewFloat(d));
      return;
    }

    // ---- strings and bytes (lengths are checked against the remaining data before allocating) ----
    case op::kBinUnicode: Push(NewText(PickleKind::kString, in_.ReadString(ReadLe(4)))); return;
    case op::kShortBinUnicode: Push(NewText(PickleKind::kString, in_.ReadString(ReadLe(1)))); return;
    case op::kBinUnicode8: Push(NewText(PickleKind::kString, in_.ReadString(ReadLe(8)))); return;
    case op::kShortBinString: Push(NewText(PickleKind::kString, in_.ReadString(ReadLe(1)))); return;
    case op::kBinString: {
      const int32_t n = static_cast<int32_t>(ReadLe(4));
      if (n < 0) Malformed("negative BINSTRING length");
      Push(NewText(PickleKind::kString, in_.ReadString(static_cast<uint64_t>(n))));
      return;
    }
    case op::kShortBinBytes: Push(NewText(PickleKind::kBytes, in_.ReadString(ReadLe(1)))); return;
    case op::kBinBytes: Push(NewText(PickleKind::kBytes, in_.ReadString(ReadLe(4)))); return;
    case op::kBinBytes8:
    case op::kByteArray8: Push(NewText(PickleKind::kBytes, in_.ReadString(ReadLe(8)))); return;

    // ---- containers ----
    case op::kEmptyTuple: Push(empty_tuple_); return;
    case op::kTuple: {
      const std::vector<ValueId> items = PopMark();
      Push(items.empty() ? empty_tuple_ : NewContainer(PickleKind::kTuple, items));
      return;
    }
    case op::kTuple1:
    case op::kTuple2:
    case op::kTuple3: {
      const size_t n = static_cast<size_t>(op_ - op::kTuple1 + 1);
      std::vector<ValueId> items(n);
      for (size_t i = n; i-- > 0;) items[i] = Pop();
      Push(NewContainer(PickleKind::kTuple, items));
      return;
    }
    case op::kEmptyList: Push(NewContainer(PickleKind::kList, {})); return;
    case op::kList: Push(NewContainer(PickleKind::kList, PopMark())); return;
    case op::kEmptyDict: Push(NewContainer(PickleKind::kDict, {})); return;
    case op::kEmptySet: Push(NewContainer(PickleKind::kSet, {})); return;
    case op::kFrozenSet: Push(NewContainer(PickleKind::kSet, PopMark())); return;
    case op::kDict: {
      const std::vector<ValueId> items = PopMark();
      if (items.size() % 2 != 0) Malformed("DICT with an odd number of items");
      const ValueId dict = NewContainer(PickleKind::kDict, {});
      for (size_t i = 0; i < items.size(); i += 2) SetItem(dict, items[i], items[i + 1]);
      Push(dict);
      return;
    }
    case op::kAppend: {
      const ValueId item = Pop();
      AppendItems(Top(), {item});
      return;
    }
    case op::kAppends: {
      const std::vector<ValueId> items = PopMark();
      AppendItems(Top(), items);
      return;
    }
    case op::kAddItems: {
      const std::vector<ValueId> items = PopMark();
      const ValueId set = Top();
      if (t_.kind(set) == PickleKind::kOpaque) return;
      Expect(set, PickleKind::kSet, "ADDITEMS target");
      for (ValueId item : items) AddItem(set, item);
      return;
    }
    case op::kSetItem: {
      const ValueId value = Pop();
      const ValueId key = Pop();
      SetItems(Top(), {key, value});
      return;
    }
    case op::kSetItems: {
      const std::vector<ValueId> items = PopMark();
      if (items.size() % 2 != 0) Malformed("SETITEMS with an odd number of items");
      SetItems(Top(), items);
      return;
    }

    // ---- memo ----
    case op::kBinPut: Memoize(ReadLe(1)); return;
    case op::kLongBinPut: Memoize(ReadLe(4)); return;
    case op::kPut: Memoize(static_cast<uint64_t>(ParseDecimal(in_.ReadLine(kMaxLine)))); return;
    case op::kMemoize: Memoize(memo_.size()); return;
    case op::kBinGet: Push(Recall(ReadLe(1))); return;
    case op::kLongBinGet: Push(Recall(ReadLe(4))); return;
    case op::kGet: Push(Recall(static_cast<uint64_t>(ParseDecimal(in_.ReadLine(kMaxLine))))); return;

    // ---- globals, calls, objects (torch_globals.cc) ----
    case op::kGlobal: {
      const std::string module = in_.ReadLine(kMaxLine);
      const std::string name = in_.ReadLine(kMaxLine);
      Push(ReadGlobal(module, name));
      return;
    }
    case op::kStackGlobal: {
      const ValueId name = Pop();
      const ValueId module = Pop();
      Expect(name, PickleKind::kString, "STACK_GLOBAL name");
      Expect(module, PickleKind::kString, "STACK_GLOBAL module");
      Push(ReadGlobal(t_.Text(module), t_.Text(name)));
      return;
    }
    case op::kReduce:
    case op::kNewObj: {
      const ValueId args = Pop();
      const ValueId callable = Pop();
      Push(Call(callable, args));
      return;
    }
    case op::kNewObjEx: {
      const ValueId kwargs = Pop();
      const ValueId args = Pop();
      const ValueId callable = Pop();
      if (t_.kind(kwargs) != PickleKind::kDict || t_.DictSize(kwargs) != 0) {
        if (t_.kind(callable) != PickleKind::kOpaque) Malformed("NEWOBJ_EX with keyword arguments");
      }
      Push(Call(callable, args));
      return;
    }
    case op::kBuild: Build(); return;
    case op::kBinPersId: {
      const ValueId pid = Pop();
      Push(PersistentLoad(pid));
      return;
    }

    default: break;
  }
  if (KnownOpcodeName(op_) != nullptr) {
    throw CV_ERROR(IoError, "unsupported pickle opcode " + OpcodeName(op_))
        .Hint("torch.save does not write this opcode; the file is not an ordinary checkpoint");
  }
  throw CV_ERROR(IoError, "unknown pickle opcode " + Hex(op_))
      .Hint("the data is corrupt or not a pickle");
}

void Unpickler::AppendItems(ValueId target, const std::vector<ValueId>& items) {
  if (t_.kind(target) == PickleKind::kOpaque) return;  // inert opaque value: contents dropped
  Expect(target, PickleKind::kList, "APPEND target");
  for (ValueId item : items) AddItem(target, item);
}

void Unpickler::SetItems(ValueId target, const std::vector<ValueId>& items) {
  if (t_.kind(target) == PickleKind::kOpaque) return;
  Expect(target, PickleKind::kDict, "SETITEM target");
  for (size_t i = 0; i + 1 < items.size(); i += 2) SetItem(target, items[i], items[i + 1]);
}

PickleTree Unpickle(const ByteSource& source, uint64_t begin, uint64_t end, const UnpickleOptions& options,
                    uint64_t* stop_offset) {
  options.Check();
  return Unpickler(source, begin, end, options).Run(stop_offset);
}

}  // namespace crossview::checkpoint

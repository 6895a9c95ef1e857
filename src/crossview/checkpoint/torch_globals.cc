// The allow-listed globals of the unpickler and what calling them means, torch's persistent ids
// for storages, and BUILD. Nothing here runs code from the pickle: each allowed global is a name
// whose meaning is written out below.
#include <algorithm>

#include "crossview/checkpoint/unpickler_internal.h"

namespace crossview::checkpoint {
namespace {

constexpr size_t kMaxTensorDims = 64;

constexpr const char* kOrderedDict = "collections.OrderedDict";
constexpr const char* kRebuildTensorV2 = "torch._utils._rebuild_tensor_v2";
constexpr const char* kRebuildTensor = "torch._utils._rebuild_tensor";
constexpr const char* kRebuildParameter = "torch._utils._rebuild_parameter";
constexpr const char* kRebuildParameterWithState = "torch._utils._rebuild_parameter_with_state";
constexpr const char* kRebuildFromTypeV2 = "torch._tensor._rebuild_from_type_v2";
constexpr const char* kTorchSize = "torch.Size";
constexpr const char* kCodecsEncode = "_codecs.encode";

constexpr const char* kCallables[] = {
    kOrderedDict, kRebuildTensorV2, kRebuildTensor, kRebuildParameter, kRebuildParameterWithState, kTorchSize,
    kCodecsEncode, kRebuildFromTypeV2, "builtins.set", "builtins.frozenset", "__builtin__.set",
    "__builtin__.frozenset",
};

// Classes that only appear as the `type` argument of _rebuild_from_type_v2; never called.
constexpr const char* kTensorTypes[] = {"torch.Tensor", "torch._tensor.Tensor", "torch.nn.parameter.Parameter"};

// "torch.FloatStorage" and, in files saved from GPU tensors by old versions, "torch.cuda.FloatStorage".
std::optional<DType> StorageClassDType(const std::string& full_name) {
  for (const char* prefix : {"torch.cuda.", "torch."}) {
    const std::string p = prefix;
    if (full_name.compare(0, p.size(), p) == 0) {
      const std::string cls = full_name.substr(p.size());
      if (cls.find('.') == std::string::npos) return DTypeFromTorchStorage(cls);
    }
  }
  return std::nullopt;
}

bool IsCallable(const std::string& name) {
  return std::any_of(std::begin(kCallables), std::end(kCallables), [&](const char* c) { return name == c; });
}

bool IsTensorType(const std::string& name) {
  return std::any_of(std::begin(kTensorTypes), std::end(kTensorTypes), [&](const char* c) { return name == c; });
}

bool IsSetClass(const std::string& name) {
  return name == "builtins.set" || name == "builtins.frozenset" || name == "__builtin__.set" ||
         name == "__builtin__.frozenset";
}

// Decodes UTF-8 into code points below 256 (latin-1); false on invalid UTF-8 or a larger code point.
bool Utf8ToLatin1(const std::string& in, std::string* out) {
  for (size_t i = 0; i < in.size();) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (c < 0x80) {
      out->push_back(static_cast<char>(c));
      ++i;
    } else if ((c & 0xE0) == 0xC0 && i + 1 < in.size() && (static_cast<unsigned char>(in[i + 1]) & 0xC0) == 0x80) {
      const unsigned cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(in[i + 1]) & 0x3Fu);
      if (cp < 0x80 || cp > 0xFF) return false;
      out->push_back(static_cast<char>(cp));
      i += 2;
    } else {
      return false;
    }
  }
  return true;
}

// Python names: letters, digits, '_' and the dots of a module path.
bool IsIdentifierPath(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// For messages: bytes outside printable ASCII as \xNN.
std::string Printable(const std::string& s) {
  const char* digits = "0123456789abcdef";
  std::string out;
  for (char ch : s.substr(0, 200)) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(ch);
    } else {
      out += std::string("\\x") + digits[c >> 4] + digits[c & 15];
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> AllowedGlobals() {
  std::vector<std::string> names(std::begin(kCallables), std::end(kCallables));
  names.insert(names.end(), std::begin(kTensorTypes), std::end(kTensorTypes));
  for (const char* cls : {"FloatStorage", "DoubleStorage", "HalfStorage", "BFloat16Storage", "LongStorage",
                          "IntStorage", "ShortStorage", "CharStorage", "ByteStorage", "BoolStorage",
                          "ComplexFloatStorage", "ComplexDoubleStorage", "UntypedStorage"}) {
    names.push_back(std::string("torch.") + cls);
  }
  return names;
}

ValueId Unpickler::ReadGlobal(const std::string& module, const std::string& name) {
  const std::string full = module + "." + name;
  if (!IsIdentifierPath(module) || !IsIdentifierPath(name)) Malformed("invalid global name '" + Printable(full) + "'");
  if (IsCallable(full) || IsTensorType(full) || StorageClassDType(full)) return NewText(PickleKind::kGlobal, full);
  if (options_.allow_opaque_globals) return NewText(PickleKind::kOpaque, full);
  auto error = CV_ERROR(InvalidArgumentError, "checkpoint pickle names a global that is not allowed: " + full);
  error.With("global", full);
  if (module.rfind("torch", 0) == 0 && name.find("rebuild") != std::string::npos) {
    error.Hint("this tensor kind (sparse, quantized, meta, ...) is not supported; convert it to a dense tensor "
               "before saving");
  } else {
    error.Hint("crossview reads tensors and never runs code from a checkpoint; if the file pickles a whole "
               "Python object (torch.save(model)), re-save torch.save(model.state_dict()), or load with "
               "allow_opaque_globals to skip non-tensor objects");
  }
  throw error;
}

ValueId Unpickler::Call(ValueId callable, ValueId args_id) {
  if (t_.kind(callable) == PickleKind::kOpaque) return NewText(PickleKind::kOpaque, t_.Text(callable));
  if (t_.kind(callable) != PickleKind::kGlobal) Malformed("call of a " + std::string(PickleKindName(t_.kind(callable))));
  if (t_.kind(args_id) != PickleKind::kTuple) {
    // Python requires a tuple; an argument list from an opaque object is not callable data.
    Malformed("call arguments must be a tuple, got " + t_.Describe(args_id));
  }
  const std::string name = t_.Text(callable);
  const std::vector<ValueId> args = t_.Items(args_id);
  auto need = [&](size_t lo, size_t hi) {
    if (args.size() < lo || args.size() > hi) {
      Malformed(name + " called with " + std::to_string(args.size()) + " arguments");
    }
  };
  if (name == kOrderedDict) {  // OrderedDict() or OrderedDict([(key, value), ...])
    need(0, 1);
    const ValueId dict = NewContainer(PickleKind::kDict, {});
    if (!args.empty()) {
      const PickleKind k = t_.kind(args[0]);
      if (k != PickleKind::kList && k != PickleKind::kTuple) Malformed("OrderedDict argument must be a list");
      for (ValueId pair : t_.Items(args[0])) {
        if (t_.kind(pair) != PickleKind::kTuple || t_.Items(pair).size() != 2) Malformed("OrderedDict item not a pair");
        SetItem(dict, t_.Items(pair)[0], t_.Items(pair)[1]);
      }
    }
    return dict;
  }
  if (IsSetClass(name)) {
    need(0, 1);
    std::vector<ValueId> items;
    if (!args.empty()) {
      const PickleKind k = t_.kind(args[0]);
      if (k != PickleKind::kList && k != PickleKind::kTuple && k != PickleKind::kSet) Malformed("set of a non-sequence");
      items = t_.Items(args[0]);
    }
    return NewContainer(PickleKind::kSet, items);
  }
  if (name == kTorchSize) {
    need(0, 1);
    if (args.empty()) return empty_tuple_;
    const PickleKind k = t_.kind(args[0]);
    if (k != PickleKind::kTuple && k != PickleKind::kList) Malformed("torch.Size of a non-sequence");
    return NewContainer(PickleKind::kTuple, t_.Items(args[0]));
  }
  if (name == kRebuildTensorV2) {
    need(6, 7);  // storage, offset, size, stride, requires_grad, backward_hooks[, metadata]
    return RebuildTensor(args, true);
  }
  if (name == kRebuildTensor) {
    need(4, 4);  // storage, offset, size, stride
    return RebuildTensor(args, false);
  }
  if (name == kRebuildParameter || name == kRebuildParameterWithState) {
    need(name == kRebuildParameter ? 3 : 4, name == kRebuildParameter ? 3 : 4);  // data, requires_grad, hooks[, state]
    Expect(args[0], PickleKind::kTensor, "parameter data");
    Expect(args[1], PickleKind::kBool, "requires_grad");
    TensorRef tensor = t_.Tensor(args[0]);
    tensor.requires_grad = t_.AsBool(args[1]);
    const ValueId id = NewValue(PickleKind::kTensor);
    t_.values_[id].index = static_cast<uint32_t>(t_.tensors_.size());
    t_.tensors_.push_back(std::move(tensor));
    return id;
  }
  if (name == kRebuildFromTypeV2) {
    // (func, type, args, state): how a tensor with Python attributes is saved. The attributes
    // (state) are dropped; func must itself be an allow-listed rebuild function, not this one.
    need(4, 4);
    Expect(args[0], PickleKind::kGlobal, "rebuild function");
    Expect(args[1], PickleKind::kGlobal, "tensor type");
    if (t_.Text(args[0]) == kRebuildFromTypeV2 || !IsTensorType(t_.Text(args[1]))) {
      Malformed("_rebuild_from_type_v2 of " + t_.Text(args[0]) + " for " + t_.Text(args[1]));
    }
    return Call(args[0], args[2]);
  }
  if (name == kCodecsEncode) return EncodeLatin1(args);
  throw CV_ERROR(InvalidArgumentError, "checkpoint pickle calls a global that cannot be called: " + name)
      .With("global", name);
}

// How protocol-2 pickles written by Python 3 store `bytes`: _codecs.encode(text, "latin1").
ValueId Unpickler::EncodeLatin1(const std::vector<ValueId>& args) {
  if (args.size() != 2) Malformed("_codecs.encode needs 2 arguments");
  Expect(args[0], PickleKind::kString, "_codecs.encode text");
  Expect(args[1], PickleKind::kString, "_codecs.encode encoding");
  const std::string& encoding = t_.Text(args[1]);
  if (encoding != "latin1" && encoding != "latin-1") Malformed("_codecs.encode with encoding '" + encoding + "'");
  std::string bytes;
  if (!Utf8ToLatin1(t_.Text(args[0]), &bytes)) Malformed("_codecs.encode text is not latin-1");
  return NewText(PickleKind::kBytes, std::move(bytes));
}

std::vector<int64_t> Unpickler::ReadDims(ValueId id, const char* what) {
  const PickleKind k = t_.kind(id);
  if (k != PickleKind::kTuple && k != PickleKind::kList) Malformed(std::string(what) + " must be a tuple");
  const std::vector<ValueId>& items = t_.Items(id);
  if (items.size() > kMaxTensorDims) Malformed(std::string(what) + " has too many dimensions");
  std::vector<int64_t> dims;
  for (ValueId item : items) {
    Expect(item, PickleKind::kInt, what);
    const int64_t v = t_.AsInt(item);
    if (v < 0) Malformed(std::string(what) + " has a negative entry " + std::to_string(v));
    dims.push_back(v);
  }
  return dims;
}

ValueId Unpickler::RebuildTensor(const std::vector<ValueId>& args, bool v2) {
  Expect(args[0], PickleKind::kStorage, "tensor storage");
  Expect(args[1], PickleKind::kInt, "storage offset");
  const PickleTree::StorageView view = t_.views_[t_.values_[args[0]].index];
  const int64_t offset = t_.AsInt(args[1]);
  if (offset < 0) Malformed("negative storage offset");
  TensorRef tensor;
  tensor.storage = view.storage;
  tensor.sizes = ReadDims(args[2], "tensor size");
  tensor.strides = ReadDims(args[3], "tensor stride");
  if (tensor.sizes.size() != tensor.strides.size()) Malformed("tensor size and stride differ in length");
  if (v2) {
    Expect(args[4], PickleKind::kBool, "requires_grad");
    tensor.requires_grad = t_.AsBool(args[4]);
  }
  // Every element the view addresses must lie inside the storage (view): offset + sum((n-1)*stride).
  uint64_t numel = 1;
  uint64_t last = static_cast<uint64_t>(offset);
  bool overflow = false;
  for (size_t d = 0; d < tensor.sizes.size(); ++d) {
    const auto n = static_cast<uint64_t>(tensor.sizes[d]);
    overflow |= !CheckedMul(numel, n, &numel);
    if (n > 0) {
      uint64_t step = 0;
      overflow |= !CheckedMul(n - 1, static_cast<uint64_t>(tensor.strides[d]), &step);
      overflow |= !CheckedAdd(last, step, &last);
    }
  }
  const StorageRef& storage = t_.storages_[view.storage];
  const bool inside = numel == 0 ? static_cast<uint64_t>(offset) <= view.numel : last < view.numel;
  if (overflow || !inside) {
    std::string sizes, strides;
    for (size_t d = 0; d < tensor.sizes.size(); ++d) {
      sizes += (d ? "," : "") + std::to_string(tensor.sizes[d]);
      strides += (d ? "," : "") + std::to_string(tensor.strides[d]);
    }
    throw CV_ERROR(IoError, "tensor addresses elements outside its storage")
        .With("storage", storage.key)
        .With("storage_numel", view.numel)
        .With("offset", offset)
        .With("size", "(" + sizes + ")")
        .With("stride", "(" + strides + ")")
        .Hint("the checkpoint is corrupt");
  }
  tensor.storage_offset = view.offset + static_cast<uint64_t>(offset);
  const ValueId id = NewValue(PickleKind::kTensor);
  t_.values_[id].index = static_cast<uint32_t>(t_.tensors_.size());
  t_.tensors_.push_back(std::move(tensor));
  return id;
}

// torch.save's persistent id for a storage: ('storage', StorageClass, key, location, numel), plus, in
// legacy files, a sixth item: None or (view_key, offset, numel) for a view into `key`.
ValueId Unpickler::PersistentLoad(ValueId pid) {
  if (t_.kind(pid) != PickleKind::kTuple) Malformed("persistent id must be a tuple, got " + t_.Describe(pid));
  const std::vector<ValueId> items = t_.Items(pid);
  if (!items.empty() && t_.kind(items[0]) == PickleKind::kString && t_.Text(items[0]) == "module") {
    throw CV_ERROR(InvalidArgumentError, "checkpoint pickles a whole nn.Module (torch.save(model)), not tensors")
        .Hint("re-save it with torch.save(model.state_dict(), path)");
  }
  if (items.empty() || t_.kind(items[0]) != PickleKind::kString || t_.Text(items[0]) != "storage") {
    Malformed("unsupported persistent id " + t_.Describe(pid));
  }
  if (items.size() != 5 && items.size() != 6) Malformed("storage persistent id with " + std::to_string(items.size()) + " items");
  Expect(items[1], PickleKind::kGlobal, "storage type");
  const std::optional<DType> dtype = StorageClassDType(t_.Text(items[1]));
  if (!dtype) Malformed("storage type " + t_.Text(items[1]) + " is not a storage class");
  StorageRef ref;
  ref.dtype = *dtype;
  if (t_.kind(items[2]) == PickleKind::kInt) {
    ref.key = std::to_string(t_.AsInt(items[2]));
  } else {
    Expect(items[2], PickleKind::kString, "storage key");
    ref.key = t_.Text(items[2]);
  }
  Expect(items[3], PickleKind::kString, "storage location");
  ref.location = t_.Text(items[3]);
  Expect(items[4], PickleKind::kInt, "storage size");
  const int64_t numel = t_.AsInt(items[4]);
  uint64_t nbytes = 0;
  if (numel < 0 || !CheckedMul(static_cast<uint64_t>(numel), ElementSize(ref.dtype), &nbytes)) {
    Malformed("invalid storage size " + std::to_string(numel));
  }
  ref.numel = static_cast<uint64_t>(numel);

  uint32_t index;
  auto found = storage_by_key_.find(ref.key);
  if (found != storage_by_key_.end()) {
    index = found->second;
    const StorageRef& known = t_.storages_[index];
    if (known.dtype != ref.dtype || known.numel != ref.numel) {
      throw CV_ERROR(IoError, "storage referenced twice with different types or sizes")
          .With("storage", ref.key)
          .Hint("the checkpoint is corrupt");
    }
  } else {
    index = static_cast<uint32_t>(t_.storages_.size());
    storage_by_key_.emplace(ref.key, index);
    Charge(1);
    t_.storages_.push_back(ref);
  }
  PickleTree::StorageView view{index, 0, ref.numel};
  if (items.size() == 6 && t_.kind(items[5]) != PickleKind::kNone) {
    const ValueId meta = items[5];
    if (t_.kind(meta) != PickleKind::kTuple || t_.Items(meta).size() != 3) Malformed("bad storage view metadata");
    const std::vector<ValueId>& m = t_.Items(meta);
    Expect(m[1], PickleKind::kInt, "storage view offset");
    Expect(m[2], PickleKind::kInt, "storage view size");
    const int64_t view_offset = t_.AsInt(m[1]);
    const int64_t view_numel = t_.AsInt(m[2]);
    if (view_offset < 0 || view_numel < 0 || static_cast<uint64_t>(view_offset) > ref.numel ||
        static_cast<uint64_t>(view_numel) > ref.numel - static_cast<uint64_t>(view_offset)) {
      throw CV_ERROR(IoError, "storage view lies outside its storage").With("storage", ref.key);
    }
    view.offset = static_cast<uint64_t>(view_offset);
    view.numel = static_cast<uint64_t>(view_numel);
  }
  const ValueId id = NewValue(PickleKind::kStorage);
  t_.values_[id].index = static_cast<uint32_t>(t_.views_.size());
  t_.views_.push_back(view);
  return id;
}

// BUILD sets an object's state. The one case torch.save produces is an OrderedDict state_dict
// receiving {"_metadata": ...}; the state is kept as the dict's attributes. Opaque objects drop it.
void Unpickler::Build() {
  const ValueId state = Pop();
  const ValueId target = Top();
  switch (t_.kind(target)) {
    case PickleKind::kDict: t_.values_[target].attributes = state; return;
    case PickleKind::kOpaque:
    case PickleKind::kTensor: return;
    default: Malformed(std::string("BUILD on a ") + PickleKindName(t_.kind(target)));
  }
}

}  // namespace crossview::checkpoint

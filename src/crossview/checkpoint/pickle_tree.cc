// PickleTree accessors and rendering (the unpickler that fills the tree is in unpickler.cc).
#include <cstring>
#include <sstream>

#include "crossview/checkpoint/pickle.h"
#include "crossview/util/errors.h"

namespace crossview::checkpoint {

const char* PickleKindName(PickleKind kind) {
  switch (kind) {
    case PickleKind::kNone: return "None";
    case PickleKind::kBool: return "bool";
    case PickleKind::kInt: return "int";
    case PickleKind::kBigInt: return "int (beyond 64 bits)";
    case PickleKind::kFloat: return "float";
    case PickleKind::kString: return "str";
    case PickleKind::kBytes: return "bytes";
    case PickleKind::kTuple: return "tuple";
    case PickleKind::kList: return "list";
    case PickleKind::kDict: return "dict";
    case PickleKind::kSet: return "set";
    case PickleKind::kGlobal: return "global";
    case PickleKind::kStorage: return "storage";
    case PickleKind::kTensor: return "tensor";
    case PickleKind::kOpaque: return "opaque object";
  }
  return "?";
}

uint64_t TensorRef::numel() const {
  uint64_t n = 1;
  for (int64_t s : sizes) n *= static_cast<uint64_t>(s);  // validated (no overflow) when built
  return n;
}

void UnpickleOptions::Check() const {
  if (max_depth < 4) throw CV_ERROR(InvalidArgumentError, "max_depth must be at least 4").With("max_depth", max_depth);
  if (max_objects < 16 || max_objects > (uint64_t{1} << 31)) {
    throw CV_ERROR(InvalidArgumentError, "max_objects must be between 16 and 2^31").With("max_objects", max_objects);
  }
}

const PickleTree::Value& PickleTree::Get(ValueId id) const {
  if (id >= values_.size()) throw CV_ERROR(InternalError, "pickle value id out of range").With("id", id);
  return values_[id];
}

bool PickleTree::AsBool(ValueId id) const {
  CV_CHECK(kind(id) == PickleKind::kBool);
  return Get(id).boolean;
}

int64_t PickleTree::AsInt(ValueId id) const {
  CV_CHECK(kind(id) == PickleKind::kInt);
  return Get(id).integer;
}

double PickleTree::AsFloat(ValueId id) const {
  CV_CHECK(kind(id) == PickleKind::kFloat);
  double d;
  std::memcpy(&d, &Get(id).integer, sizeof d);
  return d;
}

const std::string& PickleTree::Text(ValueId id) const {
  const PickleKind k = kind(id);
  CV_CHECK(k == PickleKind::kString || k == PickleKind::kBytes || k == PickleKind::kGlobal ||
           k == PickleKind::kOpaque || k == PickleKind::kBigInt);
  return texts_.at(Get(id).index);
}

const std::vector<ValueId>& PickleTree::Items(ValueId id) const {
  const PickleKind k = kind(id);
  CV_CHECK(k == PickleKind::kTuple || k == PickleKind::kList || k == PickleKind::kDict || k == PickleKind::kSet);
  return containers_.at(Get(id).index);
}

const TensorRef& PickleTree::Tensor(ValueId id) const {
  CV_CHECK(kind(id) == PickleKind::kTensor);
  return tensors_.at(Get(id).index);
}

ValueId PickleTree::FindKey(ValueId dict, const std::string& key) const {
  const std::vector<ValueId>& items = Items(dict);
  for (size_t i = 0; i + 1 < items.size(); i += 2) {
    if (kind(items[i]) == PickleKind::kString && Text(items[i]) == key) return items[i + 1];
  }
  return kNoValue;
}

std::string PickleTree::Describe(ValueId id, size_t max_chars) const {
  std::string out;
  DescribeInto(id, max_chars, 0, out);
  if (out.size() > max_chars) out = out.substr(0, max_chars) + "...";
  return out;
}

void PickleTree::DescribeInto(ValueId id, size_t max_chars, uint32_t depth, std::string& out) const {
  if (out.size() > max_chars) return;
  const Value& v = Get(id);
  switch (v.kind) {
    case PickleKind::kNone: out += "None"; return;
    case PickleKind::kBool: out += v.boolean ? "True" : "False"; return;
    case PickleKind::kInt: out += std::to_string(v.integer); return;
    case PickleKind::kBigInt: out += "<int of " + std::to_string(Text(id).size()) + " bytes>"; return;
    case PickleKind::kFloat: {
      std::ostringstream os;
      os << AsFloat(id);
      out += os.str();
      return;
    }
    case PickleKind::kString: out += "'" + Text(id).substr(0, max_chars) + "'"; return;
    case PickleKind::kBytes: out += "<" + std::to_string(Text(id).size()) + " bytes>"; return;
    case PickleKind::kGlobal: out += "<global " + Text(id) + ">"; return;
    case PickleKind::kOpaque: out += "<" + Text(id) + " object>"; return;
    case PickleKind::kStorage: out += "<storage>"; return;
    case PickleKind::kTensor: {
      const TensorRef& t = Tensor(id);
      out += std::string("<tensor ") + DTypeName(storages_[t.storage].dtype) + " (";
      for (size_t i = 0; i < t.sizes.size(); ++i) out += (i ? ", " : "") + std::to_string(t.sizes[i]);
      out += ")>";
      return;
    }
    case PickleKind::kTuple:
    case PickleKind::kList:
    case PickleKind::kSet:
    case PickleKind::kDict: break;
  }
  const bool dict = v.kind == PickleKind::kDict;
  const char* open = dict || v.kind == PickleKind::kSet ? "{" : v.kind == PickleKind::kList ? "[" : "(";
  const char* close = dict || v.kind == PickleKind::kSet ? "}" : v.kind == PickleKind::kList ? "]" : ")";
  const std::vector<ValueId>& items = Items(id);
  out += open;
  if (depth >= 3 && !items.empty()) {
    out += "...";
  } else {
    for (size_t i = 0; i < items.size() && out.size() <= max_chars; ++i) {
      if (i > 0) out += dict && i % 2 == 1 ? ": " : ", ";
      DescribeInto(items[i], max_chars, depth + 1, out);
    }
  }
  out += close;
}

}  // namespace crossview::checkpoint

// A safe unpickler for the pickles torch.save writes (protocol 2, plus the protocol 3-5 opcodes a
// pickle_protocol argument can produce), and the value tree it builds.
//
// Safety: nothing in a pickle is ever executed or instantiated. GLOBAL/STACK_GLOBAL may only
// name entries of an allow-list (OrderedDict, the torch tensor/parameter rebuild functions, the
// typed storage classes, torch.Size, set/frozenset, _codecs.encode, and the tensor classes named by
// torch._tensor._rebuild_from_type_v2); each of those is interpreted by hand. Any other global is an InvalidArgumentError naming it, raised when the GLOBAL opcode is
// read. With UnpickleOptions::allow_opaque_globals it becomes an inert opaque value instead, so
// that the tensors of a training checkpoint holding, say, an argparse.Namespace can still be read.
//
// Hostile input: every length is checked against the bytes that remain before anything is
// allocated; MARK depth, the number of objects built (values, container items, memo entries) and
// the nesting depth of containers as they are filled are capped (InvalidArgumentError); malformed
// data is an IoError with the opcode and its offset. The tree is a flat array indexed by ValueId
// and nothing walks it recursively without a bound, so structures deepened after the fact through
// memo references, or cyclic ones, cannot overflow the stack when walked or destroyed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crossview/checkpoint/byte_source.h"
#include "crossview/checkpoint/dtype.h"

namespace crossview::checkpoint {

using ValueId = uint32_t;
constexpr ValueId kNoValue = 0xFFFFFFFFu;

enum class PickleKind : uint8_t {
  kNone,
  kBool,
  kInt,
  kBigInt,  // an integer that does not fit int64; Text() holds its little-endian two's complement
  kFloat,
  kString,
  kBytes,
  kTuple,
  kList,
  kDict,  // dict or OrderedDict, in insertion order
  kSet,
  kGlobal,   // an allow-listed class or function; Text() is "module.name"
  kStorage,  // a storage reference from a persistent id
  kTensor,   // the result of torch._utils._rebuild_tensor[_v2] / _rebuild_parameter
  kOpaque,   // a global off the allow-list (or its result), only with allow_opaque_globals
};
const char* PickleKindName(PickleKind kind);

// One storage of the file: zip entry <archive>/data/<key>, or a legacy file's storage <key>.
struct StorageRef {
  std::string key;
  DType dtype = DType::kFloat32;
  uint64_t numel = 0;    // elements
  std::string location;  // "cpu", "cuda:0", ...: informational, tensors are always read to the CPU
};

struct TensorRef {
  uint32_t storage = 0;         // index into PickleTree::storages()
  uint64_t storage_offset = 0;  // elements from the start of the storage
  std::vector<int64_t> sizes;
  std::vector<int64_t> strides;  // in elements; validated non-negative and inside the storage
  bool requires_grad = false;
  uint64_t numel() const;
};

struct UnpickleOptions {
  uint32_t max_depth = 256;            // nesting of containers and of MARKs
  uint64_t max_objects = 4'000'000;    // values + container items + memo entries
  bool allow_opaque_globals = false;   // see the file comment
  void Check() const;
};

class PickleTree {
 public:
  ValueId root() const { return root_; }
  size_t size() const { return values_.size(); }

  PickleKind kind(ValueId id) const { return Get(id).kind; }
  bool AsBool(ValueId id) const;
  int64_t AsInt(ValueId id) const;
  double AsFloat(ValueId id) const;
  // String, bytes, global/opaque name, or big-int bytes.
  const std::string& Text(ValueId id) const;
  // Tuple, list and set items; for a dict key0, value0, key1, value1, ...
  const std::vector<ValueId>& Items(ValueId id) const;
  // The state a BUILD opcode applied (e.g. the {"_metadata": ...} of a state_dict), or kNoValue.
  ValueId Attributes(ValueId id) const { return Get(id).attributes; }
  const TensorRef& Tensor(ValueId id) const;

  // Dict helpers. FindKey returns kNoValue when the string key is absent.
  size_t DictSize(ValueId dict) const { return Items(dict).size() / 2; }
  ValueId DictKey(ValueId dict, size_t i) const { return Items(dict).at(2 * i); }
  ValueId DictValue(ValueId dict, size_t i) const { return Items(dict).at(2 * i + 1); }
  ValueId FindKey(ValueId dict, const std::string& key) const;

  const std::vector<StorageRef>& storages() const { return storages_; }
  const std::vector<TensorRef>& tensors() const { return tensors_; }

  // A short Python-like rendering for messages, cut at about `max_chars`.
  std::string Describe(ValueId id, size_t max_chars = 120) const;

 private:
  friend class Unpickler;
  struct Value {
    PickleKind kind = PickleKind::kNone;
    bool boolean = false;
    uint32_t depth = 1;
    ValueId attributes = kNoValue;
    uint32_t index = 0;  // into texts_, containers_, tensors_ or views_, by kind
    int64_t integer = 0;  // kInt; kFloat keeps the double's bits here
  };
  struct StorageView {  // what a kStorage value refers to: elements [offset, offset+numel)
    uint32_t storage = 0;
    uint64_t offset = 0;
    uint64_t numel = 0;
  };
  const Value& Get(ValueId id) const;
  void DescribeInto(ValueId id, size_t max_chars, uint32_t depth, std::string& out) const;

  std::vector<Value> values_;
  std::vector<std::string> texts_;
  std::vector<std::vector<ValueId>> containers_;
  std::vector<StorageView> views_;
  std::vector<StorageRef> storages_;
  std::vector<TensorRef> tensors_;
  ValueId root_ = kNoValue;
};

// Unpickles one pickle starting at `begin` and ending at its STOP opcode, which must come before
// `end`. `*stop_offset` (optional) receives the offset just past STOP.
PickleTree Unpickle(const ByteSource& source, uint64_t begin, uint64_t end, const UnpickleOptions& options = {},
                    uint64_t* stop_offset = nullptr);

// The allow-listed globals, "module.name", for documentation and messages.
std::vector<std::string> AllowedGlobals();

}  // namespace crossview::checkpoint

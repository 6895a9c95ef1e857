// Test support: writing pickles, zip archives and legacy torch files byte by byte, the way
// torch.save lays them out, so tests can craft ordinary and hostile checkpoints without Python.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace crossview::checkpoint::testing {

class PickleWriter {
 public:
  PickleWriter& Proto(uint8_t protocol = 2);
  PickleWriter& Op(uint8_t opcode);  // a bare opcode byte
  PickleWriter& Raw(const std::string& bytes);
  PickleWriter& Mark() { return Op('('); }
  PickleWriter& Stop() { return Op('.'); }
  PickleWriter& None() { return Op('N'); }
  PickleWriter& Bool(bool v) { return Op(v ? 0x88 : 0x89); }
  PickleWriter& EmptyDict() { return Op('}'); }
  PickleWriter& EmptyList() { return Op(']'); }
  PickleWriter& EmptyTuple() { return Op(')'); }
  PickleWriter& Tuple() { return Op('t'); }  // MARK ... TUPLE
  PickleWriter& Reduce() { return Op('R'); }
  PickleWriter& Build() { return Op('b'); }
  PickleWriter& SetItem() { return Op('s'); }
  PickleWriter& SetItems() { return Op('u'); }
  PickleWriter& Append() { return Op('a'); }
  PickleWriter& Appends() { return Op('e'); }
  PickleWriter& BinPut(uint8_t index);
  PickleWriter& BinGet(uint8_t index);
  // BININT1 / BININT2 / BININT / LONG1, the smallest that holds `v`, as Python chooses.
  PickleWriter& Int(int64_t v);
  PickleWriter& Float(double v);  // BINFLOAT
  PickleWriter& Str(const std::string& s);  // BINUNICODE
  PickleWriter& Global(const std::string& module, const std::string& name);  // GLOBAL
  PickleWriter& IntTuple(const std::vector<int64_t>& values);  // MARK ints TUPLE
  PickleWriter& OrderedDict() { return Global("collections", "OrderedDict").EmptyTuple().Reduce(); }
  // torch._utils._rebuild_tensor_v2(('storage', torch.<storage_class>, key, 'cpu', numel[, None]),
  //                                 offset, sizes, strides, False, OrderedDict())
  // `legacy` adds the sixth persistent-id item of pre-1.6 files.
  PickleWriter& Tensor(const std::string& storage_class, const std::string& key, int64_t numel, int64_t offset,
                       const std::vector<int64_t>& sizes, const std::vector<int64_t>& strides, bool legacy = false);

  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

using Entries = std::vector<std::pair<std::string, std::string>>;

// A zip of stored entries with 64-byte aligned data, as torch.save writes. `force_zip64` writes
// ZIP64 sizes, offsets and end records even though the archive is small.
std::string MakeZip(const Entries& entries, bool force_zip64 = false);

// <prefix>/data.pkl, <prefix>/data/<key> for each storage, <prefix>/version, <prefix>/byteorder.
std::string MakeTorchZip(const std::string& prefix, const std::string& pickle, const Entries& storages,
                         bool force_zip64 = false);

struct LegacyStorage {
  std::string key;
  uint64_t numel = 0;
  std::string bytes;
};
// A PyTorch < 1.6 file: magic number, protocol version, sys_info, the object pickle, the storage
// key list and the raw storages (int64 element count + bytes each).
std::string MakeLegacyFile(const std::string& object_pickle, const std::vector<LegacyStorage>& storages);

// Raw little-endian bytes of values.
std::string FloatBytes(const std::vector<float>& values);
std::string Int64Bytes(const std::vector<int64_t>& values);

}  // namespace crossview::checkpoint::testing

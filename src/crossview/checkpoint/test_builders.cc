#include "crossview/checkpoint/test_builders.h"

#include <cstring>

#include "crossview/checkpoint/zip_reader.h"

namespace crossview::checkpoint::testing {
namespace {

void PutLe(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

}  // namespace

PickleWriter& PickleWriter::Proto(uint8_t protocol) {
  bytes_.push_back(static_cast<char>(0x80));
  bytes_.push_back(static_cast<char>(protocol));
  return *this;
}

PickleWriter& PickleWriter::Op(uint8_t opcode) {
  bytes_.push_back(static_cast<char>(opcode));
  return *this;
}

PickleWriter& PickleWriter::Raw(const std::string& bytes) {
  bytes_ += bytes;
  return *this;
}

PickleWriter& PickleWriter::BinPut(uint8_t index) {
  Op('q');
  return Op(index);
}

PickleWriter& PickleWriter::BinGet(uint8_t index) {
  Op('h');
  return Op(index);
}

PickleWriter& PickleWriter::Int(int64_t v) {
  if (v >= 0 && v < 256) {
    Op('K');
    PutLe(bytes_, static_cast<uint64_t>(v), 1);
  } else if (v >= 0 && v < 65536) {
    Op('M');
    PutLe(bytes_, static_cast<uint64_t>(v), 2);
  } else if (v >= INT32_MIN && v <= INT32_MAX) {
    Op('J');
    PutLe(bytes_, static_cast<uint64_t>(v), 4);
  } else {
    // LONG1: the shortest little-endian two's complement that keeps the sign.
    std::string b;
    PutLe(b, static_cast<uint64_t>(v), 8);
    while (b.size() > 1) {
      const auto last = static_cast<unsigned char>(b.back());
      const auto prev = static_cast<unsigned char>(b[b.size() - 2]);
      if ((last == 0x00 && !(prev & 0x80)) || (last == 0xFF && (prev & 0x80))) {
        b.pop_back();
      } else {
        break;
      }
    }
    Op(0x8a);
    Op(static_cast<uint8_t>(b.size()));
    bytes_ += b;
  }
  return *this;
}

PickleWriter& PickleWriter::Float(double v) {
  Op('G');
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  for (int i = 7; i >= 0; --i) bytes_.push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
  return *this;
}

PickleWriter& PickleWriter::Str(const std::string& s) {
  Op('X');
  PutLe(bytes_, s.size(), 4);
  bytes_ += s;
  return *this;
}

PickleWriter& PickleWriter::Global(const std::string& module, const std::string& name) {
  Op('c');
  bytes_ += module + "\n" + name + "\n";
  return *this;
}

PickleWriter& PickleWriter::IntTuple(const std::vector<int64_t>& values) {
  Mark();
  for (int64_t v : values) Int(v);
  return Tuple();
}

PickleWriter& PickleWriter::Tensor(const std::string& storage_class, const std::string& key, int64_t numel,
                                   int64_t offset, const std::vector<int64_t>& sizes,
                                   const std::vector<int64_t>& strides, bool legacy) {
  Global("torch._utils", "_rebuild_tensor_v2");
  Mark();
  Mark().Str("storage").Global("torch", storage_class).Str(key).Str("cpu").Int(numel);
  if (legacy) None();
  Tuple().Op('Q');  // BINPERSID
  Int(offset).IntTuple(sizes).IntTuple(strides).Bool(false).OrderedDict();
  return Tuple().Reduce();
}

std::string MakeZip(const Entries& entries, bool force_zip64) {
  constexpr uint32_t kMax32 = 0xFFFFFFFFu;
  std::string out, central;
  for (const auto& [name, data] : entries) {
    const uint64_t local_offset = out.size();
    const uint32_t crc = Crc32(data.data(), data.size());
    std::string extra;
    if (force_zip64) {
      PutLe(extra, 0x0001, 2);
      PutLe(extra, 16, 2);
      PutLe(extra, data.size(), 8);
      PutLe(extra, data.size(), 8);
    }
    // Pad with an "FB" extra field so the data starts on a 64-byte boundary, as torch.save does.
    const uint64_t unpadded = local_offset + 30 + name.size() + extra.size() + 4;
    const uint64_t pad = (64 - unpadded % 64) % 64;
    PutLe(extra, 0x4246, 2);
    PutLe(extra, pad, 2);
    extra.append(pad, 'Z');

    PutLe(out, 0x04034b50, 4);
    PutLe(out, force_zip64 ? 45 : 20, 2);
    PutLe(out, 0, 2);  // flags
    PutLe(out, 0, 2);  // method: stored
    PutLe(out, 0, 4);  // time, date
    PutLe(out, crc, 4);
    PutLe(out, force_zip64 ? kMax32 : data.size(), 4);
    PutLe(out, force_zip64 ? kMax32 : data.size(), 4);
    PutLe(out, name.size(), 2);
    PutLe(out, extra.size(), 2);
    out += name + extra + data;

    std::string cextra;
    if (force_zip64) {
      PutLe(cextra, 0x0001, 2);
      PutLe(cextra, 24, 2);
      PutLe(cextra, data.size(), 8);
      PutLe(cextra, data.size(), 8);
      PutLe(cextra, local_offset, 8);
    }
    PutLe(central, 0x02014b50, 4);
    PutLe(central, force_zip64 ? 45 : 20, 2);  // made by
    PutLe(central, force_zip64 ? 45 : 20, 2);  // needed
    PutLe(central, 0, 2);
    PutLe(central, 0, 2);
    PutLe(central, 0, 4);
    PutLe(central, crc, 4);
    PutLe(central, force_zip64 ? kMax32 : data.size(), 4);
    PutLe(central, force_zip64 ? kMax32 : data.size(), 4);
    PutLe(central, name.size(), 2);
    PutLe(central, cextra.size(), 2);
    PutLe(central, 0, 2);  // comment
    PutLe(central, 0, 2);  // disk
    PutLe(central, 0, 2);  // internal attributes
    PutLe(central, 0, 4);  // external attributes
    PutLe(central, force_zip64 ? kMax32 : local_offset, 4);
    central += name + cextra;
  }
  const uint64_t cd_offset = out.size();
  out += central;
  if (force_zip64) {
    const uint64_t z_offset = out.size();
    PutLe(out, 0x06064b50, 4);
    PutLe(out, 44, 8);
    PutLe(out, 45, 2);
    PutLe(out, 45, 2);
    PutLe(out, 0, 4);
    PutLe(out, 0, 4);
    PutLe(out, entries.size(), 8);
    PutLe(out, entries.size(), 8);
    PutLe(out, central.size(), 8);
    PutLe(out, cd_offset, 8);
    PutLe(out, 0x07064b50, 4);
    PutLe(out, 0, 4);
    PutLe(out, z_offset, 8);
    PutLe(out, 1, 4);
  }
  PutLe(out, 0x06054b50, 4);
  PutLe(out, 0, 2);
  PutLe(out, 0, 2);
  PutLe(out, force_zip64 ? 0xFFFF : entries.size(), 2);
  PutLe(out, force_zip64 ? 0xFFFF : entries.size(), 2);
  PutLe(out, force_zip64 ? kMax32 : central.size(), 4);
  PutLe(out, force_zip64 ? kMax32 : cd_offset, 4);
  PutLe(out, 0, 2);
  return out;
}

std::string MakeTorchZip(const std::string& prefix, const std::string& pickle, const Entries& storages,
                         bool force_zip64) {
  Entries entries{{prefix + "/data.pkl", pickle}};
  for (const auto& [key, bytes] : storages) entries.emplace_back(prefix + "/data/" + key, bytes);
  entries.emplace_back(prefix + "/version", "3\n");
  entries.emplace_back(prefix + "/byteorder", "little");
  return MakeZip(entries, force_zip64);
}

std::string MakeLegacyFile(const std::string& object_pickle, const std::vector<LegacyStorage>& storages) {
  std::string out = PickleWriter().Proto().Raw(std::string("\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 12)).Stop().bytes();
  out += PickleWriter().Proto().Int(1001).Stop().bytes();
  out += PickleWriter()
             .Proto()
             .EmptyDict()
             .Mark()
             .Str("protocol_version").Int(1001)
             .Str("little_endian").Bool(true)
             .Str("type_sizes").EmptyDict().Mark().Str("short").Int(2).Str("int").Int(4).Str("long").Int(4).SetItems()
             .SetItems()
             .Stop()
             .bytes();
  out += object_pickle;
  PickleWriter keys;
  keys.Proto().EmptyList().Mark();
  for (const LegacyStorage& s : storages) keys.Str(s.key);
  out += keys.Appends().Stop().bytes();
  for (const LegacyStorage& s : storages) {
    PutLe(out, s.numel, 8);
    out += s.bytes;
  }
  return out;
}

std::string FloatBytes(const std::vector<float>& values) {
  std::string out(values.size() * sizeof(float), '\0');
  if (!values.empty()) std::memcpy(out.data(), values.data(), out.size());
  return out;
}

std::string Int64Bytes(const std::vector<int64_t>& values) {
  std::string out(values.size() * sizeof(int64_t), '\0');
  if (!values.empty()) std::memcpy(out.data(), values.data(), out.size());
  return out;
}

}  // namespace crossview::checkpoint::testing

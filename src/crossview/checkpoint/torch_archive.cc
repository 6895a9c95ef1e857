#include "crossview/checkpoint/torch_archive.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "crossview/util/errors.h"

namespace crossview::checkpoint {
namespace {

// Legacy files start with a pickled magic number, 0x1950a86a20f9469cfc6c, written with LONG1.
constexpr unsigned char kLegacyMagic[] = {0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};
constexpr int64_t kLegacyProtocolVersion = 1001;

std::string HexPrefix(const ByteSource& source, uint64_t n) {
  n = std::min(n, source.size());
  const std::string bytes = source.ReadString(0, n);
  const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

void AddPathContext(Error& e, const std::string& path) {
  for (const auto& [key, value] : e.context()) {
    if (key == "path") return;
  }
  e.With("path", path);
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

const char* FormatName(CheckpointFormat format) {
  switch (format) {
    case CheckpointFormat::kTorchZip: return "torch.save zip";
    case CheckpointFormat::kTorchLegacy: return "torch.save legacy (PyTorch < 1.6)";
    case CheckpointFormat::kSafetensors: return "safetensors";
  }
  return "?";
}

CheckpointFormat DetectFormat(const ByteSource& source) {
  const uint64_t size = source.size();
  if (size == 0) throw CV_ERROR(IoError, "checkpoint file is empty").With("path", source.name());
  if (LooksLikeZip(source)) return CheckpointFormat::kTorchZip;
  const std::string head = source.ReadString(0, std::min<uint64_t>(size, 16));
  const auto* h = reinterpret_cast<const unsigned char*>(head.data());
  if (head.size() >= 14 && h[0] == 0x80 && h[2] == 0x8a && h[3] == 10 &&
      std::memcmp(h + 4, kLegacyMagic, sizeof kLegacyMagic) == 0) {
    return CheckpointFormat::kTorchLegacy;
  }
  if (size >= 262 && source.ReadString(257, 5) == "ustar") {
    throw CV_ERROR(UnavailableError, "tar-based checkpoints (PyTorch < 0.4) are not supported")
        .With("path", source.name())
        .Hint("load and re-save the file once with PyTorch >= 1.6 (torch.save(torch.load(f), g))");
  }
  if (head.size() >= 9) {
    const uint64_t header = LoadLe64(h);
    if (header <= size - 8 && h[8] == '{') return CheckpointFormat::kSafetensors;
  }
  throw CV_ERROR(IoError, "unrecognised checkpoint format (not a torch.save zip, legacy torch file or safetensors)")
      .With("path", source.name())
      .With("first_bytes", HexPrefix(source, 8))
      .Hint("the file may be truncated at the start, or another format (TensorFlow, ONNX, numpy)");
}

void ArchiveOptions::Check() const {
  pickle.Check();
  if (max_pickle_bytes == 0) throw CV_ERROR(InvalidArgumentError, "max_pickle_bytes must be positive");
}

TorchArchive::TorchArchive(std::shared_ptr<const ByteSource> source, const ArchiveOptions& options)
    : source_(std::move(source)), options_(options) {
  options_.Check();
  format_ = DetectFormat(*source_);
  try {
    if (format_ == CheckpointFormat::kTorchZip) {
      OpenZip();
    } else if (format_ == CheckpointFormat::kTorchLegacy) {
      OpenLegacy();
    } else {
      throw CV_ERROR(InvalidArgumentError, "this is a safetensors file, not a torch.save checkpoint")
          .Hint("read it with ReadSafetensors, or LoadCheckpoint, which accepts both");
    }
  } catch (Error& e) {
    AddPathContext(e, source_->name());
    throw;
  }
}

void TorchArchive::OpenZip() {
  const ZipReader zip(source_);
  // The archive's records sit in one top folder whose name varies; data.pkl names it.
  std::vector<std::string> prefixes;
  for (const ZipEntry& e : zip.entries()) {
    const size_t slash = e.name.find('/');
    if (slash != std::string::npos && e.name.compare(slash, std::string::npos, "/data.pkl") == 0) {
      prefixes.push_back(e.name.substr(0, slash));
    }
  }
  if (prefixes.size() != 1) {
    std::string names;
    for (size_t i = 0; i < zip.entries().size() && i < 5; ++i) names += (i ? ", " : "") + zip.entries()[i].name;
    throw CV_ERROR(IoError, prefixes.empty() ? "zip archive has no <name>/data.pkl: not a torch.save checkpoint"
                                             : "zip archive has several <name>/data.pkl records")
        .With("entries", names);
  }
  archive_name_ = prefixes[0];
  const std::string prefix = archive_name_ + "/";
  if (zip.Find(prefix + "constants.pkl") != nullptr) {
    throw CV_ERROR(UnavailableError, "this is a TorchScript module (torch.jit.save), not a torch.save checkpoint")
        .Hint("in Python: torch.save(torch.jit.load(f).state_dict(), 'weights.pth')");
  }
  if (const ZipEntry* order = zip.Find(prefix + "byteorder")) {
    const std::string value = Trim(zip.ReadString(*order, 64, options_.verify_crc32));
    if (value != "little") {
      throw CV_ERROR(UnavailableError, "only little-endian checkpoints are supported").With("byteorder", value);
    }
  }
  const ZipEntry& pkl = zip.Get(prefix + "data.pkl");
  const MemorySource pickle(zip.ReadString(pkl, options_.max_pickle_bytes, options_.verify_crc32), pkl.name);
  tree_ = Unpickle(pickle, 0, pickle.size(), options_.pickle);

  for (const StorageRef& storage : tree_.storages()) {
    const std::string name = prefix + "data/" + storage.key;
    const ZipEntry* entry = zip.Find(name);
    const uint64_t nbytes = storage.numel * ElementSize(storage.dtype);  // checked in the unpickler
    if (entry == nullptr) {
      if (nbytes == 0) {
        locations_.push_back({0, 0, false, 0, name});
        continue;
      }
      throw CV_ERROR(IoError, "storage record missing from the archive").With("entry", name);
    }
    zip.CheckReadable(*entry);
    if (entry->size != nbytes) {
      throw CV_ERROR(IoError, "storage record size differs from the size the pickle declares")
          .With("entry", name)
          .With("record_bytes", entry->size)
          .With("declared_bytes", nbytes)
          .With("dtype", DTypeName(storage.dtype))
          .With("numel", storage.numel)
          .Hint("the checkpoint is corrupt");
    }
    locations_.push_back({entry->data_offset, nbytes, true, entry->crc32, name});
  }
}

void TorchArchive::OpenLegacy() {
  uint64_t pos = 0;
  const uint64_t end = source_->size();
  auto next = [&](const char* what) {
    return WithContext("record", what, [&] { return Unpickle(*source_, pos, end, options_.pickle, &pos); });
  };
  const PickleTree magic = next("magic number");
  const std::string expected(reinterpret_cast<const char*>(kLegacyMagic), sizeof kLegacyMagic);
  if (magic.kind(magic.root()) != PickleKind::kBigInt || magic.Text(magic.root()) != expected) {
    throw CV_ERROR(IoError, "legacy checkpoint has a bad magic number");
  }
  const PickleTree version = next("protocol version");
  if (version.kind(version.root()) != PickleKind::kInt || version.AsInt(version.root()) != kLegacyProtocolVersion) {
    throw CV_ERROR(UnavailableError, "unsupported legacy checkpoint protocol version")
        .With("version", version.Describe(version.root()))
        .Hint("re-save the file once with PyTorch >= 1.6");
  }
  const PickleTree sys_info = next("sys_info");
  if (sys_info.kind(sys_info.root()) == PickleKind::kDict) {
    const ValueId little = sys_info.FindKey(sys_info.root(), "little_endian");
    if (little != kNoValue && sys_info.kind(little) == PickleKind::kBool && !sys_info.AsBool(little)) {
      throw CV_ERROR(UnavailableError, "only little-endian checkpoints are supported");
    }
  }
  tree_ = next("object");
  const PickleTree keys = next("storage keys");
  if (keys.kind(keys.root()) != PickleKind::kList) throw CV_ERROR(IoError, "legacy storage key list is not a list");

  // The raw storages follow, in key-list order: int64 element count, then the bytes.
  const std::vector<StorageRef>& storages = tree_.storages();
  std::unordered_map<std::string, size_t> by_key;
  for (size_t i = 0; i < storages.size(); ++i) by_key.emplace(storages[i].key, i);
  std::vector<bool> seen(storages.size(), false);
  locations_.assign(storages.size(), {});
  for (ValueId key_id : keys.Items(keys.root())) {
    if (keys.kind(key_id) != PickleKind::kString) throw CV_ERROR(IoError, "legacy storage key is not a string");
    const std::string& key = keys.Text(key_id);
    const auto found = by_key.find(key);
    if (found == by_key.end()) {
      throw CV_ERROR(IoError, "legacy file lists a storage no tensor uses").With("storage", key);
    }
    const size_t index = found->second;
    const StorageRef& storage = storages[index];
    if (seen[index]) throw CV_ERROR(IoError, "legacy file lists a storage twice").With("storage", key);
    seen[index] = true;
    unsigned char count[8];
    if (!source_->Contains(pos, 8)) throw CV_ERROR(IoError, "legacy file ends before storage").With("storage", key);
    source_->ReadAt(pos, count, 8);
    const uint64_t numel = LoadLe64(count);
    if (numel != storage.numel) {
      throw CV_ERROR(IoError, "legacy storage size differs from the size the pickle declares")
          .With("storage", key)
          .With("record_numel", numel)
          .With("declared_numel", storage.numel);
    }
    const uint64_t nbytes = numel * ElementSize(storage.dtype);  // checked in the unpickler
    if (!source_->Contains(pos + 8, nbytes)) {
      throw CV_ERROR(IoError, "legacy storage extends past the end of the file (truncated?)")
          .With("storage", key)
          .With("offset", pos + 8)
          .With("bytes", nbytes);
    }
    locations_[index] = {pos + 8, nbytes, false, 0, key};
    pos += 8 + nbytes;
  }
  for (size_t i = 0; i < seen.size(); ++i) {
    if (!seen[i]) throw CV_ERROR(IoError, "legacy file lacks a storage a tensor uses").With("storage", tree_.storages()[i].key);
  }
}

uint64_t TorchArchive::StorageBytes(uint32_t index) const { return locations_.at(index).nbytes; }

void TorchArchive::ReadStorage(uint32_t index, void* dst) const {
  const Location& loc = locations_.at(index);
  source_->ReadAt(loc.offset, dst, loc.nbytes);
  if (options_.verify_crc32 && loc.has_crc && Crc32(dst, loc.nbytes) != loc.crc32) {
    throw CV_ERROR(IoError, "CRC-32 mismatch: storage bytes are corrupt")
        .With("entry", loc.name)
        .With("path", source_->name())
        .Hint("the file is damaged; copy or download it again");
  }
}

}  // namespace crossview::checkpoint

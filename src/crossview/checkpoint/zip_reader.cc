#include "crossview/checkpoint/zip_reader.h"

#include <zlib.h>

#include <algorithm>
#include <limits>

#include "crossview/util/errors.h"

namespace crossview::checkpoint {
namespace {

constexpr uint32_t kLocalHeaderSig = 0x04034b50;
constexpr uint32_t kCentralHeaderSig = 0x02014b50;
constexpr uint32_t kEocdSig = 0x06054b50;
constexpr uint32_t kZip64EocdSig = 0x06064b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50;
constexpr uint64_t kEocdSize = 22;
constexpr uint64_t kZip64LocatorSize = 20;
constexpr uint64_t kZip64EocdSize = 56;
constexpr uint64_t kCentralHeaderSize = 46;
constexpr uint64_t kLocalHeaderSize = 30;
constexpr uint64_t kMaxComment = 0xFFFF;

const unsigned char* Bytes(const std::string& s, uint64_t offset = 0) {
  return reinterpret_cast<const unsigned char*>(s.data()) + offset;
}

IoError Corrupt(const ByteSource& source, const std::string& what) {
  return CV_ERROR(IoError, "corrupt zip archive: " + what)
      .With("path", source.name())
      .Hint("the file is truncated or damaged; copy or download it again");
}

// The ZIP64 extended-information extra field replaces each 32-bit field that holds 0xFFFFFFFF
// (and the 16-bit disk number holding 0xFFFF), in this order.
void ApplyZip64Extra(const ByteSource& source, const std::string& extra, const std::string& name,
                     uint64_t* size, uint64_t* compressed_size, uint64_t* local_offset) {
  uint64_t pos = 0;
  while (pos + 4 <= extra.size()) {
    const uint16_t id = LoadLe16(Bytes(extra, pos));
    const uint16_t len = LoadLe16(Bytes(extra, pos + 2));
    pos += 4;
    if (len > extra.size() - pos) throw Corrupt(source, "extra field overruns its header").With("entry", name);
    if (id == 0x0001) {
      uint64_t field = pos;
      const uint64_t field_end = pos + len;
      for (uint64_t* value : {size, compressed_size, local_offset}) {
        if (*value != 0xFFFFFFFFu) continue;
        if (field + 8 > field_end) throw Corrupt(source, "ZIP64 extra field too short").With("entry", name);
        *value = LoadLe64(Bytes(extra, field));
        field += 8;
      }
      return;
    }
    pos += len;
  }
}

}  // namespace

uint32_t Crc32(const void* data, uint64_t n, uint32_t crc) {
  const auto* p = static_cast<const Bytef*>(data);
  uLong value = crc;
  while (n > 0) {
    const uInt chunk = static_cast<uInt>(std::min<uint64_t>(n, 1u << 30));
    value = ::crc32(value, p, chunk);
    p += chunk;
    n -= chunk;
  }
  return static_cast<uint32_t>(value);
}

bool LooksLikeZip(const ByteSource& source) {
  if (source.size() < 4) return false;
  unsigned char head[4];
  source.ReadAt(0, head, 4);
  const uint32_t sig = LoadLe32(head);
  return sig == kLocalHeaderSig || sig == kEocdSig;
}

ZipReader::ZipReader(std::shared_ptr<const ByteSource> source) : source_(std::move(source)) {
  const ByteSource& src = *source_;
  const uint64_t file_size = src.size();
  if (file_size < kEocdSize) throw Corrupt(src, "file too small to be a zip archive").With("size", file_size);

  // The end-of-central-directory record sits at the end, before a comment of up to 64 KiB.
  const uint64_t tail_size = std::min(file_size, kEocdSize + kMaxComment);
  const std::string tail = src.ReadString(file_size - tail_size, tail_size);
  uint64_t eocd_in_tail = std::numeric_limits<uint64_t>::max();
  for (uint64_t i = tail_size - kEocdSize + 1; i-- > 0;) {
    if (LoadLe32(Bytes(tail, i)) != kEocdSig) continue;
    const uint16_t comment = LoadLe16(Bytes(tail, i + 20));
    if (i + kEocdSize + comment <= tail_size) {
      eocd_in_tail = i;
      break;
    }
  }
  if (eocd_in_tail == std::numeric_limits<uint64_t>::max()) {
    throw Corrupt(src, "no end-of-central-directory record (the end of the file is missing)");
  }
  const uint64_t eocd = file_size - tail_size + eocd_in_tail;
  const unsigned char* e = Bytes(tail, eocd_in_tail);
  const uint16_t disk = LoadLe16(e + 4);
  const uint16_t cd_disk = LoadLe16(e + 6);
  uint64_t count_on_disk = LoadLe16(e + 8);
  uint64_t count = LoadLe16(e + 10);
  uint64_t cd_size = LoadLe32(e + 12);
  uint64_t cd_offset = LoadLe32(e + 16);

  // ZIP64: a locator right before the record points at the 64-bit end record.
  bool zip64 = false;
  if (eocd >= kZip64LocatorSize) {
    const std::string loc = src.ReadString(eocd - kZip64LocatorSize, kZip64LocatorSize);
    if (LoadLe32(Bytes(loc)) == kZip64LocatorSig) {
      zip64 = true;
      const uint64_t z_offset = LoadLe64(Bytes(loc, 8));
      if (!src.Contains(z_offset, kZip64EocdSize) || z_offset + kZip64EocdSize > eocd - kZip64LocatorSize) {
        throw Corrupt(src, "ZIP64 end record offset out of range").With("offset", z_offset);
      }
      const std::string z = src.ReadString(z_offset, kZip64EocdSize);
      if (LoadLe32(Bytes(z)) != kZip64EocdSig) throw Corrupt(src, "bad ZIP64 end record signature");
      if (LoadLe32(Bytes(z, 16)) != 0 || LoadLe32(Bytes(z, 20)) != 0) {
        throw CV_ERROR(UnavailableError, "multi-disk zip archives are not supported").With("path", src.name());
      }
      count_on_disk = LoadLe64(Bytes(z, 24));
      count = LoadLe64(Bytes(z, 32));
      cd_size = LoadLe64(Bytes(z, 40));
      cd_offset = LoadLe64(Bytes(z, 48));
    }
  }
  if (!zip64 && (disk != 0 || cd_disk != 0)) {
    throw CV_ERROR(UnavailableError, "multi-disk zip archives are not supported").With("path", src.name());
  }
  if (count_on_disk != count) throw Corrupt(src, "entry counts disagree").With("entries", count);
  const uint64_t cd_limit = zip64 ? eocd - kZip64LocatorSize : eocd;
  if (cd_offset > cd_limit || cd_size > cd_limit - cd_offset) {
    throw Corrupt(src, "central directory lies outside the file")
        .With("cd_offset", cd_offset)
        .With("cd_size", cd_size)
        .With("size", file_size);
  }
  if (count > cd_size / kCentralHeaderSize) {
    throw Corrupt(src, "central directory too small for its entry count").With("entries", count);
  }
  ParseCentralDirectory(cd_offset, cd_size, count);
}

void ZipReader::ParseCentralDirectory(uint64_t offset, uint64_t size, uint64_t count) {
  const ByteSource& src = *source_;
  const std::string cd = src.ReadString(offset, size);
  uint64_t pos = 0;
  entries_.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    if (pos + kCentralHeaderSize > cd.size()) throw Corrupt(src, "central directory truncated").With("entry_index", i);
    const unsigned char* h = Bytes(cd, pos);
    if (LoadLe32(h) != kCentralHeaderSig) {
      throw Corrupt(src, "bad central directory signature").With("entry_index", i);
    }
    ZipEntry entry;
    entry.flags = LoadLe16(h + 8);
    entry.method = LoadLe16(h + 10);
    entry.crc32 = LoadLe32(h + 16);
    entry.compressed_size = LoadLe32(h + 20);
    entry.size = LoadLe32(h + 24);
    const uint64_t name_len = LoadLe16(h + 28);
    const uint64_t extra_len = LoadLe16(h + 30);
    const uint64_t comment_len = LoadLe16(h + 32);
    uint64_t local_offset = LoadLe32(h + 42);
    const uint64_t record = kCentralHeaderSize + name_len + extra_len + comment_len;
    if (record > cd.size() - pos) throw Corrupt(src, "central directory entry overruns it").With("entry_index", i);
    entry.name = cd.substr(pos + kCentralHeaderSize, name_len);
    const std::string extra = cd.substr(pos + kCentralHeaderSize + name_len, extra_len);
    ApplyZip64Extra(src, extra, entry.name, &entry.size, &entry.compressed_size, &local_offset);
    pos += record;
    ResolveLocalHeader(entry, local_offset);
    if (!index_.emplace(entry.name, entries_.size()).second) {
      throw Corrupt(src, "duplicate entry name").With("entry", entry.name);
    }
    entries_.push_back(std::move(entry));
  }
}

void ZipReader::ResolveLocalHeader(ZipEntry& entry, uint64_t local_offset) {
  const ByteSource& src = *source_;
  if (!src.Contains(local_offset, kLocalHeaderSize)) {
    throw Corrupt(src, "local header offset out of range").With("entry", entry.name).With("offset", local_offset);
  }
  unsigned char h[kLocalHeaderSize];
  src.ReadAt(local_offset, h, kLocalHeaderSize);
  if (LoadLe32(h) != kLocalHeaderSig) {
    throw Corrupt(src, "bad local header signature").With("entry", entry.name).With("offset", local_offset);
  }
  const uint64_t name_len = LoadLe16(h + 26);
  const uint64_t extra_len = LoadLe16(h + 28);
  if (name_len != entry.name.size() ||
      src.ReadString(local_offset + kLocalHeaderSize, std::min(name_len, src.size())) != entry.name) {
    throw Corrupt(src, "local header name differs from the central directory").With("entry", entry.name);
  }
  entry.data_offset = local_offset + kLocalHeaderSize + name_len + extra_len;
  if (!src.Contains(entry.data_offset, entry.compressed_size)) {
    throw Corrupt(src, "entry data extends past the end of the file")
        .With("entry", entry.name)
        .With("offset", entry.data_offset)
        .With("bytes", entry.compressed_size)
        .With("size", src.size());
  }
  if (entry.method == 0 && entry.compressed_size != entry.size) {
    throw Corrupt(src, "stored entry with different compressed and uncompressed sizes").With("entry", entry.name);
  }
}

const ZipEntry* ZipReader::Find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &entries_[it->second];
}

const ZipEntry& ZipReader::Get(const std::string& name) const {
  const ZipEntry* entry = Find(name);
  if (entry == nullptr) {
    throw CV_ERROR(IoError, "zip archive has no entry with this name").With("entry", name).With("path", source_->name());
  }
  return *entry;
}

void ZipReader::CheckReadable(const ZipEntry& entry) const {
  if (entry.flags & 1u) {
    throw CV_ERROR(UnavailableError, "encrypted zip entries are not supported").With("entry", entry.name);
  }
  if (entry.method != 0) {
    throw CV_ERROR(UnavailableError, "compressed zip entries are not supported")
        .With("entry", entry.name)
        .With("method", entry.method)
        .With("path", source_->name())
        .Hint("torch.save writes uncompressed (stored) entries; re-save the file with torch.save, or re-zip "
              "it without compression (zip -0)");
  }
}

void ZipReader::Read(const ZipEntry& entry, void* dst, bool verify_crc32) const {
  CheckReadable(entry);
  source_->ReadAt(entry.data_offset, dst, entry.size);
  if (verify_crc32) {
    const uint32_t crc = Crc32(dst, entry.size);
    if (crc != entry.crc32) {
      throw CV_ERROR(IoError, "CRC-32 mismatch: the entry's bytes are corrupt")
          .With("entry", entry.name)
          .With("path", source_->name())
          .Hint("the file is damaged; copy or download it again");
    }
  }
}

std::string ZipReader::ReadString(const ZipEntry& entry, uint64_t max_size, bool verify_crc32) const {
  if (entry.size > max_size) {
    throw CV_ERROR(IoError, "zip entry is larger than allowed")
        .With("entry", entry.name)
        .With("bytes", entry.size)
        .With("max_bytes", max_size);
  }
  CheckReadable(entry);
  std::string out(entry.size, '\0');
  Read(entry, out.data(), verify_crc32);
  return out;
}

}  // namespace crossview::checkpoint

// Reader for the zip archives torch.save writes (PyTorch >= 1.6): entries are stored (not
// compressed), each record 64-byte aligned, ZIP64 records for archives over 4 GiB. The central
// directory is parsed and every entry's local header checked when the reader is built, so a
// truncated or corrupt archive fails early with an IoError saying what is wrong.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "crossview/checkpoint/byte_source.h"

namespace crossview::checkpoint {

struct ZipEntry {
  std::string name;
  uint16_t method = 0;       // 0 = stored; anything else is rejected when read
  uint16_t flags = 0;        // bit 0 = encrypted
  uint64_t data_offset = 0;  // absolute offset of the entry's bytes in the source
  uint64_t size = 0;         // uncompressed size
  uint64_t compressed_size = 0;
  uint32_t crc32 = 0;
};

class ZipReader {
 public:
  // Parses the end-of-central-directory record (ZIP64 aware), the central directory and every
  // local header. Throws IoError for anything malformed (naming it) and UnavailableError for
  // multi-disk archives.
  explicit ZipReader(std::shared_ptr<const ByteSource> source);

  const std::vector<ZipEntry>& entries() const { return entries_; }
  // nullptr when absent.
  const ZipEntry* Find(const std::string& name) const;
  // IoError naming the entry (and the archive) when absent.
  const ZipEntry& Get(const std::string& name) const;

  // Copies a stored entry's bytes to `dst` (entry.size bytes), checking the CRC-32 if asked.
  // UnavailableError for compressed or encrypted entries.
  void Read(const ZipEntry& entry, void* dst, bool verify_crc32) const;
  // The same into a string; IoError if the entry is larger than `max_size`.
  std::string ReadString(const ZipEntry& entry, uint64_t max_size, bool verify_crc32) const;
  // Checks that `entry` can be read (stored, not encrypted); the Read* calls do this too.
  void CheckReadable(const ZipEntry& entry) const;

  const ByteSource& source() const { return *source_; }

 private:
  void ParseCentralDirectory(uint64_t offset, uint64_t size, uint64_t count);
  void ResolveLocalHeader(ZipEntry& entry, uint64_t local_offset);

  std::shared_ptr<const ByteSource> source_;
  std::vector<ZipEntry> entries_;
  std::map<std::string, size_t> index_;
};

// True when the source starts with a zip local-file or end-of-central-directory signature.
bool LooksLikeZip(const ByteSource& source);

// CRC-32 (the zip polynomial), continuing from `crc` (0 to start).
uint32_t Crc32(const void* data, uint64_t n, uint32_t crc = 0);

}  // namespace crossview::checkpoint

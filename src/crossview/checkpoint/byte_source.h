// Random-access byte sources (a file read with pread, or bytes in memory) and a buffered
// sequential reader over a range of one. Every read is bounds-checked: reading past the end is an
// IoError, never undefined behaviour, so truncated or hostile files fail cleanly.
#pragma once

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace crossview::checkpoint {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual uint64_t size() const = 0;
  // Copies bytes [offset, offset + n) to `dst`; IoError if the range is not inside the source.
  virtual void ReadAt(uint64_t offset, void* dst, uint64_t n) const = 0;
  // For messages: the file path, or a label for in-memory data.
  virtual const std::string& name() const = 0;

  std::string ReadString(uint64_t offset, uint64_t n) const;
  // True when [offset, offset + n) lies inside the source (overflow-safe).
  bool Contains(uint64_t offset, uint64_t n) const { return offset <= size() && n <= size() - offset; }
};

// A file opened read-only; its size is fixed when opened. NotFoundError if it does not exist.
class FileSource final : public ByteSource {
 public:
  explicit FileSource(const std::filesystem::path& path);
  ~FileSource() override;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  uint64_t size() const override { return size_; }
  void ReadAt(uint64_t offset, void* dst, uint64_t n) const override;
  const std::string& name() const override { return name_; }

 private:
  int fd_ = -1;
  uint64_t size_ = 0;
  std::string name_;
};

class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string bytes, std::string name = "<memory>")
      : bytes_(std::move(bytes)), name_(std::move(name)) {}
  uint64_t size() const override { return bytes_.size(); }
  void ReadAt(uint64_t offset, void* dst, uint64_t n) const override;
  const std::string& name() const override { return name_; }

 private:
  std::string bytes_;
  std::string name_;
};

// Reads [begin, end) of a source front to back through a 64 KiB buffer. Running out of bytes is
// an IoError naming the offset and how many bytes were needed.
class SequentialReader {
 public:
  SequentialReader(const ByteSource& source, uint64_t begin, uint64_t end);

  uint64_t position() const { return position_; }
  uint64_t remaining() const { return end_ - position_; }
  uint8_t ReadByte();
  void Read(void* dst, uint64_t n);
  // Checks `n` against the remaining bytes before allocating.
  std::string ReadString(uint64_t n);
  // Reads up to and including '\n' (not returned); IoError if longer than `max_length`.
  std::string ReadLine(uint64_t max_length);
  void Skip(uint64_t n);

 private:
  void Require(uint64_t n) const;
  void Fill();

  const ByteSource& source_;
  uint64_t end_;
  uint64_t position_;
  uint64_t buffer_start_ = 0;  // source offset of buffer_[0]
  std::vector<unsigned char> buffer_;
};

// Little-endian decoding of fixed-size integers.
inline uint16_t LoadLe16(const unsigned char* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
inline uint32_t LoadLe32(const unsigned char* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
inline uint64_t LoadLe64(const unsigned char* p) {
  return static_cast<uint64_t>(LoadLe32(p)) | (static_cast<uint64_t>(LoadLe32(p + 4)) << 32);
}

// Overflow-checked arithmetic for sizes read from files; false on overflow.
inline bool CheckedMul(uint64_t a, uint64_t b, uint64_t* out) { return !__builtin_mul_overflow(a, b, out); }
inline bool CheckedAdd(uint64_t a, uint64_t b, uint64_t* out) { return !__builtin_add_overflow(a, b, out); }

}  // namespace crossview::checkpoint

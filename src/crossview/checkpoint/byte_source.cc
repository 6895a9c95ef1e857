#include "crossview/checkpoint/byte_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "crossview/util/errors.h"

namespace crossview::checkpoint {
namespace {

constexpr uint64_t kBufferSize = 64 * 1024;

[[noreturn]] void ThrowOutOfRange(const ByteSource& source, uint64_t offset, uint64_t n) {
  throw CV_ERROR(IoError, "read past the end of the data (file truncated or offsets corrupt)")
      .With("source", source.name())
      .With("offset", offset)
      .With("bytes", n)
      .With("size", source.size());
}

}  // namespace

std::string ByteSource::ReadString(uint64_t offset, uint64_t n) const {
  if (!Contains(offset, n)) ThrowOutOfRange(*this, offset, n);
  std::string out(n, '\0');
  ReadAt(offset, out.data(), n);
  return out;
}

FileSource::FileSource(const std::filesystem::path& path) : name_(path.string()) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    throw CV_ERROR(NotFoundError, "file not found").With("path", name_);
  }
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    throw CV_ERROR(IoError, std::string("cannot open file: ") + std::strerror(errno)).With("path", name_);
  }
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd_);
    fd_ = -1;
    throw CV_ERROR(InvalidArgumentError, "not a regular file").With("path", name_);
  }
  size_ = static_cast<uint64_t>(st.st_size);
}

FileSource::~FileSource() {
  if (fd_ >= 0) ::close(fd_);
}

void FileSource::ReadAt(uint64_t offset, void* dst, uint64_t n) const {
  if (!Contains(offset, n)) ThrowOutOfRange(*this, offset, n);
  auto* out = static_cast<char*>(dst);
  while (n > 0) {
    const size_t chunk = static_cast<size_t>(std::min<uint64_t>(n, 1ull << 30));
    const ssize_t got = ::pread(fd_, out, chunk, static_cast<off_t>(offset));
    if (got < 0) {
      if (errno == EINTR) continue;
      throw CV_ERROR(IoError, std::string("read failed: ") + std::strerror(errno))
          .With("path", name_)
          .With("offset", offset);
    }
    if (got == 0) {
      throw CV_ERROR(IoError, "file ended early (was it truncated while being read?)")
          .With("path", name_)
          .With("offset", offset);
    }
    out += got;
    offset += static_cast<uint64_t>(got);
    n -= static_cast<uint64_t>(got);
  }
}

void MemorySource::ReadAt(uint64_t offset, void* dst, uint64_t n) const {
  if (!Contains(offset, n)) ThrowOutOfRange(*this, offset, n);
  if (n > 0) std::memcpy(dst, bytes_.data() + offset, n);
}

SequentialReader::SequentialReader(const ByteSource& source, uint64_t begin, uint64_t end)
    : source_(source), end_(end), position_(begin), buffer_start_(begin) {
  if (begin > end || !source.Contains(begin, end - begin)) ThrowOutOfRange(source, begin, end - begin);
}

void SequentialReader::Require(uint64_t n) const {
  if (n > remaining()) {
    throw CV_ERROR(IoError, "data ends unexpectedly (truncated?)")
        .With("source", source_.name())
        .With("offset", position_)
        .With("needed", n)
        .With("available", remaining());
  }
}

void SequentialReader::Fill() {
  const uint64_t n = std::min<uint64_t>(kBufferSize, end_ - position_);
  buffer_.resize(n);
  source_.ReadAt(position_, buffer_.data(), n);
  buffer_start_ = position_;
}

uint8_t SequentialReader::ReadByte() {
  Require(1);
  if (position_ < buffer_start_ || position_ >= buffer_start_ + buffer_.size()) Fill();
  return buffer_[position_++ - buffer_start_];
}

void SequentialReader::Read(void* dst, uint64_t n) {
  Require(n);
  auto* out = static_cast<unsigned char*>(dst);
  while (n > 0) {
    if (position_ < buffer_start_ || position_ >= buffer_start_ + buffer_.size()) {
      if (n >= kBufferSize) {  // large reads bypass the buffer
        source_.ReadAt(position_, out, n);
        position_ += n;
        return;
      }
      Fill();
    }
    const uint64_t offset = position_ - buffer_start_;
    const uint64_t chunk = std::min<uint64_t>(n, buffer_.size() - offset);
    std::memcpy(out, buffer_.data() + offset, chunk);
    out += chunk;
    position_ += chunk;
    n -= chunk;
  }
}

std::string SequentialReader::ReadString(uint64_t n) {
  Require(n);
  std::string out(n, '\0');
  Read(out.data(), n);
  return out;
}

std::string SequentialReader::ReadLine(uint64_t max_length) {
  std::string line;
  while (true) {
    const char c = static_cast<char>(ReadByte());
    if (c == '\n') return line;
    if (line.size() >= max_length) {
      throw CV_ERROR(IoError, "text line too long (corrupt data?)")
          .With("source", source_.name())
          .With("offset", position_)
          .With("max_length", max_length);
    }
    line.push_back(c);
  }
}

void SequentialReader::Skip(uint64_t n) {
  Require(n);
  position_ += n;
}

}  // namespace crossview::checkpoint

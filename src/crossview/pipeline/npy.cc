#include "crossview/pipeline/npy.h"

#include <cstring>
#include <regex>
#include <string>

#include "crossview/util/errors.h"
#include "crossview/util/file.h"

namespace crossview::pipeline {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;

static_assert(sizeof(float) == 4, "float32 expected");

bool LittleEndian() {
  const uint16_t probe = 1;
  uint8_t first = 0;
  std::memcpy(&first, &probe, 1);
  return first == 1;
}

}  // namespace

void WriteNpyFloat32(const std::filesystem::path& path, const float* values, int64_t rows, int64_t cols) {
  if (rows < 0 || cols < 0) throw CV_ERROR(InvalidArgumentError, "matrix shape must be non-negative").With("rows", rows).With("cols", cols);
  if (!LittleEndian()) throw CV_ERROR(UnavailableError, "writing .npy files needs a little-endian machine");
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(rows) + ", " +
                       std::to_string(cols) + "), }";
  // magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple of 64,
  // ending in '\n'.
  const size_t unpadded = kMagicSize + 2 + 2 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header.push_back('\n');
  std::string bytes(kMagic, kMagicSize);
  bytes.push_back('\x01');
  bytes.push_back('\x00');
  const auto len = static_cast<uint16_t>(header.size());
  bytes.push_back(static_cast<char>(len & 0xff));
  bytes.push_back(static_cast<char>(len >> 8));
  bytes += header;
  const size_t data_bytes = static_cast<size_t>(rows) * static_cast<size_t>(cols) * sizeof(float);
  const size_t offset = bytes.size();
  bytes.resize(offset + data_bytes);
  if (data_bytes > 0) std::memcpy(bytes.data() + offset, values, data_bytes);
  WriteFileAtomic(path, bytes);
}

FloatMatrix ReadNpyFloat32(const std::filesystem::path& path) {
  const std::string bytes = ReadFile(path);
  auto bad = [&](const std::string& why) {
    return CV_ERROR(IoError, "not a float32 matrix .npy file: " + why).With("path", path.string());
  };
  if (bytes.size() < kMagicSize + 4 || bytes.compare(0, kMagicSize, kMagic, kMagicSize) != 0) throw bad("bad magic");
  if (bytes[6] != '\x01') throw bad("unsupported .npy version");
  const size_t header_len = static_cast<uint8_t>(bytes[8]) | (static_cast<size_t>(static_cast<uint8_t>(bytes[9])) << 8);
  if (bytes.size() < 10 + header_len) throw bad("truncated header");
  const std::string header = bytes.substr(10, header_len);
  static const std::regex kHeader(R"(\{'descr': '<f4', 'fortran_order': False, 'shape': \((\d+), (\d+)\), \}\s*)");
  std::smatch m;
  if (!std::regex_match(header, m, kHeader)) throw bad("expected a 2-D '<f4' C-order array, header " + header);
  FloatMatrix out;
  out.rows = std::stoll(m[1].str());
  out.cols = std::stoll(m[2].str());
  const size_t data_bytes = static_cast<size_t>(out.rows) * static_cast<size_t>(out.cols) * sizeof(float);
  if (bytes.size() != 10 + header_len + data_bytes) {
    throw bad("data size does not match the shape").With("expected_bytes", data_bytes).With("got_bytes", bytes.size() - 10 - header_len);
  }
  out.values.resize(static_cast<size_t>(out.rows) * static_cast<size_t>(out.cols));
  if (data_bytes > 0) std::memcpy(out.values.data(), bytes.data() + 10 + header_len, data_bytes);
  return out;
}

}  // namespace crossview::pipeline

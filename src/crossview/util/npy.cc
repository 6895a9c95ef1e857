#include "crossview/util/npy.h"

#include <cstring>
#include <regex>
#include <string>

#include "crossview/util/errors.h"
#include "crossview/util/file.h"

namespace crossview {
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

std::string ShapeText(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1) s += ",";
  return s + ")";
}

}  // namespace

const char* NpyDescr(NpyType type) { return type == NpyType::kFloat32 ? "<f4" : "<i8"; }
size_t NpyItemSize(NpyType type) { return type == NpyType::kFloat32 ? 4 : 8; }

int64_t NpyArray::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

void WriteNpy(const std::filesystem::path& path, NpyType type, const std::vector<int64_t>& shape, const void* data) {
  int64_t numel = 1;
  for (int64_t d : shape) {
    if (d < 0) throw CV_ERROR(InvalidArgumentError, "array shape must be non-negative").With("shape", ShapeText(shape));
    numel *= d;
  }
  if (!LittleEndian()) throw CV_ERROR(UnavailableError, "writing .npy files needs a little-endian machine");
  std::string header = std::string("{'descr': '") + NpyDescr(type) + "', 'fortran_order': False, 'shape': " + ShapeText(shape) + ", }";
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
  const size_t data_bytes = static_cast<size_t>(numel) * NpyItemSize(type);
  const size_t offset = bytes.size();
  bytes.resize(offset + data_bytes);
  if (data_bytes > 0) std::memcpy(bytes.data() + offset, data, data_bytes);
  WriteFileAtomic(path, bytes);
}

NpyArray ReadNpy(const std::filesystem::path& path) {
  const std::string bytes = ReadFile(path);
  auto bad = [&](const std::string& why) { return CV_ERROR(IoError, "not a readable .npy file: " + why).With("path", path.string()); };
  if (bytes.size() < kMagicSize + 4 || bytes.compare(0, kMagicSize, kMagic, kMagicSize) != 0) throw bad("bad magic");
  if (bytes[6] != '\x01') throw bad("unsupported .npy version (1.0 expected)");
  const size_t header_len = static_cast<uint8_t>(bytes[8]) | (static_cast<size_t>(static_cast<uint8_t>(bytes[9])) << 8);
  if (bytes.size() < 10 + header_len) throw bad("truncated header");
  const std::string header = bytes.substr(10, header_len);
  static const std::regex kHeader(R"(\{'descr': '(<f4|<i8)', 'fortran_order': False, 'shape': \(([0-9, ]*)\), \}\s*)");
  std::smatch m;
  if (!std::regex_match(header, m, kHeader)) throw bad("expected a '<f4' or '<i8' C-order array, header " + header);
  NpyArray out;
  out.type = m[1].str() == "<f4" ? NpyType::kFloat32 : NpyType::kInt64;
  const std::string dims = m[2].str();
  static const std::regex kDim(R"(\d+)");
  for (auto it = std::sregex_iterator(dims.begin(), dims.end(), kDim); it != std::sregex_iterator(); ++it) {
    out.shape.push_back(std::stoll(it->str()));
  }
  const size_t data_bytes = static_cast<size_t>(out.numel()) * NpyItemSize(out.type);
  if (bytes.size() != 10 + header_len + data_bytes) {
    throw bad("data size does not match the shape").With("expected_bytes", data_bytes).With("got_bytes", bytes.size() - 10 - header_len);
  }
  out.bytes = bytes.substr(10 + header_len);
  return out;
}

void WriteNpyFloat32(const std::filesystem::path& path, const float* values, int64_t rows, int64_t cols) {
  if (rows < 0 || cols < 0) throw CV_ERROR(InvalidArgumentError, "matrix shape must be non-negative").With("rows", rows).With("cols", cols);
  WriteNpy(path, NpyType::kFloat32, {rows, cols}, values);
}

FloatMatrix ReadNpyFloat32(const std::filesystem::path& path) {
  NpyArray a = ReadNpy(path);
  if (a.type != NpyType::kFloat32 || a.shape.size() != 2) {
    throw CV_ERROR(IoError, "not a float32 matrix .npy file: expected a 2-D '<f4' array").With("path", path.string()).With("rank", a.shape.size());
  }
  FloatMatrix out;
  out.rows = a.shape[0];
  out.cols = a.shape[1];
  out.values.resize(static_cast<size_t>(out.rows * out.cols));
  if (!a.bytes.empty()) std::memcpy(out.values.data(), a.bytes.data(), a.bytes.size());
  return out;
}

}  // namespace crossview

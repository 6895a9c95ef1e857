// The safetensors layout without libtorch: an 8-byte little-endian header length N, N bytes of
// JSON {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}, then
// the tensors' bytes (little-endian, C order); offsets count from the end of the header.
//
// Parsing is strict: the header must fit the file and a size cap, each entry's byte length must
// equal numel * element size, and the entries must tile the data buffer exactly: no gaps, no
// overlaps, nothing out of bounds, no trailing bytes. Violations are IoErrors naming the tensor.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "crossview/checkpoint/byte_source.h"
#include "crossview/checkpoint/dtype.h"

namespace crossview::checkpoint {

struct SafetensorsEntry {
  std::string name;
  DType dtype = DType::kFloat32;
  std::vector<int64_t> shape;
  uint64_t begin = 0;  // byte offsets relative to the data buffer
  uint64_t end = 0;
  uint64_t numel() const;
};

struct SafetensorsHeader {
  std::vector<SafetensorsEntry> entries;  // ordered by data offset
  std::map<std::string, std::string> metadata;
  uint64_t data_start = 0;  // absolute offset of the data buffer: 8 + header length
};

constexpr uint64_t kMaxSafetensorsHeaderBytes = 100ull << 20;

SafetensorsHeader ParseSafetensorsHeader(const ByteSource& source);

// Lays the entries out back to back in the given order (filling begin/end from dtype and shape)
// and returns the length prefix plus the JSON header, padded with spaces to a multiple of 8 bytes.
// InvalidArgumentError for empty, duplicate or reserved names.
std::string SerializeSafetensorsHeader(std::vector<SafetensorsEntry>& entries,
                                       const std::map<std::string, std::string>& metadata);

}  // namespace crossview::checkpoint

// NumPy .npy files (format 1.0, little-endian, C order) so stored descriptors, labels and model
// outputs can be inspected with `numpy.load` or any other tool. Writes are atomic.
//
//   WriteNpy("out.npy", NpyType::kFloat32, {2, 3, 4}, data);    // any rank, float32 or int64
//   NpyArray a = ReadNpy("out.npy");                            // a.shape, a.type, a.bytes
//   FloatMatrix m = ReadNpyFloat32("descriptors.npy");         // 2-D float32 shorthand
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace crossview {

enum class NpyType { kFloat32, kInt64 };
const char* NpyDescr(NpyType type);  // "<f4", "<i8"
size_t NpyItemSize(NpyType type);

struct NpyArray {
  NpyType type = NpyType::kFloat32;
  std::vector<int64_t> shape;  // () for a scalar
  std::string bytes;           // C-order little-endian data
  int64_t numel() const;
};

// Writes an array of `shape` (any rank, 0 = scalar) from `data` (numel × item size bytes).
void WriteNpy(const std::filesystem::path& path, NpyType type, const std::vector<int64_t>& shape, const void* data);
// Reads a '<f4' or '<i8' C-order .npy file of any rank. NotFoundError if missing; IoError naming
// the file when it is truncated, of another dtype or order, or not a .npy file.
NpyArray ReadNpy(const std::filesystem::path& path);

struct FloatMatrix {
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<float> values;  // rows × cols, row-major
};

// Writes `rows` × `cols` floats (row-major) to `path` atomically.
void WriteNpyFloat32(const std::filesystem::path& path, const float* values, int64_t rows, int64_t cols);
inline void WriteNpyFloat32(const std::filesystem::path& path, const FloatMatrix& m) {
  WriteNpyFloat32(path, m.values.data(), m.rows, m.cols);
}
// Reads a 2-D '<f4' C-order .npy file (IoError for any other dtype or rank).
FloatMatrix ReadNpyFloat32(const std::filesystem::path& path);

}  // namespace crossview

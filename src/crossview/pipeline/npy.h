// Float32 matrices as NumPy .npy files (format 1.0, little-endian '<f4', C order), so stored
// descriptors can be inspected with `numpy.load`. Writes are atomic.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace crossview::pipeline {

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

// Reads a 2-D '<f4' C-order .npy file. Throws NotFoundError if it is missing and IoError naming
// the file when it is truncated, of another dtype or shape, or not a .npy file.
FloatMatrix ReadNpyFloat32(const std::filesystem::path& path);

}  // namespace crossview::pipeline

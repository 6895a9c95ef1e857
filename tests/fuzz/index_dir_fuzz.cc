// libFuzzer target for the files of an index directory (pipeline/tile_index.h opens them in this
// order): SHA256SUMS (util/checksums.h), tiles.sqlite (pipeline/tile_table.h), descriptors.npy
// (util/npy.h) and index.faiss (index/vector_index.h). index.json is parsed by
// pipeline/index_manifest.cc, which needs libtorch headers; it is not covered here.
//
// A valid three-tile index directory is written once; the first input byte picks a file
// (byte % 4) and the rest of the input becomes that file's content:
//   0 SHA256SUMS, verified against the valid directory
//   1 tiles.sqlite   2 descriptors.npy   3 index.faiss (loaded; a flat index is also searched)
// The only acceptable outcome is success or a crossview::Error.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "crossview/index/vector_index.h"
#include "crossview/pipeline/tile_table.h"
#include "crossview/util/checksums.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"
#include "crossview/util/npy.h"

namespace {

namespace fs = std::filesystem;
using namespace crossview;

// Plain write (WriteFileAtomic fsyncs, which would cap the fuzzer at a few hundred runs a second).
void WriteBytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) __builtin_trap();  // the harness's own failure, not a finding
}

constexpr int kTiles = 3;
constexpr int kDim = 4;

struct Dirs {
  std::unique_ptr<TempDir> tmp;
  fs::path index;    // the valid index directory (its SHA256SUMS is replaced by inputs)
  fs::path scratch;  // where the other inputs are written
};

const Dirs& GetDirs() {
  static const Dirs dirs = [] {
    Dirs d;
    d.tmp = std::make_unique<TempDir>("crossview-fuzz-index");
    d.index = d.tmp->path() / "index";
    d.scratch = d.tmp->path() / "scratch";
    fs::create_directories(d.index);
    fs::create_directories(d.scratch);
    std::vector<pipeline::TileRecord> tiles(kTiles);
    std::vector<float> rows(kTiles * kDim, 0.0f);
    for (int i = 0; i < kTiles; ++i) {
      tiles[i].id = i;
      tiles[i].grid_col = i;
      tiles[i].centre = {47.0 + 0.001 * i, 8.0};
      tiles[i].window = {i * 64, 0, 64, 64};
      tiles[i].gsd_m = 0.5;
      rows[i * kDim + i] = 1.0f;
    }
    pipeline::WriteTileTable(d.index / "tiles.sqlite", tiles);
    WriteNpyFloat32(d.index / "descriptors.npy", rows.data(), kTiles, kDim);
    index::IndexOptions options;
    options.dim = kDim;
    auto faiss = index::VectorIndex::Create(options);
    faiss->Add(kTiles, rows.data());
    faiss->Save(d.index / "index.faiss");
    WriteFileAtomic(d.index / "index.json", "{}\n");
    return d;
  }();
  return dirs;
}

void Run(uint8_t which, const std::string& bytes) {
  const Dirs& d = GetDirs();
  switch (which % 4) {
    case 0: {
      WriteBytes(d.index / "SHA256SUMS", bytes);
      (void)VerifyChecksums(d.index, d.index / "SHA256SUMS");
      break;
    }
    case 1: {
      WriteBytes(d.scratch / "tiles.sqlite", bytes);
      (void)pipeline::ReadTileTable(d.scratch / "tiles.sqlite");
      break;
    }
    case 2: {
      WriteBytes(d.scratch / "descriptors.npy", bytes);
      const FloatMatrix m = ReadNpyFloat32(d.scratch / "descriptors.npy");
      if (m.rows < 0 || m.cols < 0 || m.values.size() != static_cast<size_t>(m.rows * m.cols)) __builtin_trap();
      break;
    }
    case 3: {
      WriteBytes(d.scratch / "index.faiss", bytes);
      const std::unique_ptr<index::VectorIndex> loaded = index::VectorIndex::Load(d.scratch / "index.faiss");
      if (loaded->type() == index::IndexType::kFlat && loaded->dim() > 0 && loaded->dim() <= 4096) {
        const std::vector<float> query(static_cast<size_t>(loaded->dim()), 0.5f);
        index::SearchParams params;
        params.k = 2;
        (void)loaded->Search(1, query.data(), params);
      }
      break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  try {
    Run(data[0], std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
  } catch (const crossview::Error&) {
  }
  return 0;
}

// Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/) from the project's own
// writers and test builders, so every seed is a small, valid (or nearly valid) input made here:
// no third-party files, no imagery beyond a few synthetic pixels. Deterministic: rerunning
// rewrites the same bytes (FAISS and SQLite files included).
//
//   cmake --build build-fuzz --target make_seed_corpus
//   build-fuzz/fuzz/make_seed_corpus tests/fuzz/corpus
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "crossview/checkpoint/safetensors_format.h"
#include "crossview/checkpoint/test_builders.h"
#include "crossview/data/image_io.h"
#include "crossview/index/vector_index.h"
#include "crossview/pipeline/tile_table.h"
#include "crossview/util/checksums.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"
#include "crossview/util/npy.h"

namespace {

namespace fs = std::filesystem;
using namespace crossview;
using checkpoint::testing::PickleWriter;

fs::path g_out;

void Seed(const std::string& target, const std::string& name, const std::string& bytes) {
  WriteFileAtomic(g_out / target / name, bytes);
}

std::string Selector(int which, const std::string& bytes) { return std::string(1, static_cast<char>(which)) + bytes; }

std::vector<float> Iota(int n) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) v[static_cast<size_t>(i)] = static_cast<float>(i);
  return v;
}

std::string StateDictPickle(bool legacy) {
  PickleWriter w;
  w.Proto().OrderedDict().Mark();
  w.Str("w").Tensor("FloatStorage", "0", 14, 2, {3, 4}, {4, 1}, legacy);
  w.Str("n").Tensor("LongStorage", "1", 1, 0, {}, {}, legacy);
  w.SetItems().EmptyDict().Str("_metadata").OrderedDict().SetItem().Build().Stop();
  return w.bytes();
}

// {"state_dict": {...}} as training scripts save it.
std::string WrappedPickle() {
  PickleWriter w;
  w.Proto().EmptyDict().Str("state_dict").OrderedDict().Mark();
  w.Str("head.weight").Tensor("HalfStorage", "0", 6, 0, {2, 3}, {3, 1});
  w.SetItems().SetItem().Str("epoch").Int(7).SetItem().Stop();
  return w.bytes();
}

void CheckpointSeeds() {
  using namespace checkpoint::testing;
  const Entries storages = {{"0", FloatBytes(Iota(14))}, {"1", Int64Bytes({42})}};
  Seed("checkpoint", "torch_zip.pt", MakeTorchZip("archive", StateDictPickle(false), storages));
  Seed("checkpoint", "torch_zip64.pt", MakeTorchZip("archive", StateDictPickle(false), storages, /*force_zip64=*/true));
  Seed("checkpoint", "legacy.pt",
       MakeLegacyFile(StateDictPickle(true), {{"0", 14, FloatBytes(Iota(14))}, {"1", 1, Int64Bytes({42})}}));
  Seed("checkpoint", "wrapped.pt", MakeTorchZip("ckpt", WrappedPickle(), {{"0", std::string(12, '\x3c')}}));
  std::vector<checkpoint::SafetensorsEntry> entries(2);
  entries[0].name = "a";
  entries[0].shape = {2, 2};
  entries[0].begin = 0;
  entries[0].end = 16;
  entries[1].name = "b";
  entries[1].dtype = checkpoint::DType::kInt64;
  entries[1].shape = {1};
  entries[1].begin = 16;
  entries[1].end = 24;
  const std::string header = checkpoint::SerializeSafetensorsHeader(entries, {{"format", "pt"}});
  Seed("checkpoint", "tensors.safetensors", header + FloatBytes(Iota(4)) + Int64Bytes({5}));
}

void ConfigSeeds() {
  Seed("config", "nested.json", R"({"optim": {"lr": 0.001}, "epochs": 3, "seed": 42, "augment": {"flip": true},
 "model": {"method": "fsra"}, "name": "a", "data": {"sizes": [256, 512]}})" "\n");
  Seed("config", "flat.json", R"({"optim.lr": 1e-3, "epochs": 2.0, "model.method": "msba"})" "\n");
  Seed("config", "assignments.txt", "optim.lr=0.5\nepochs=4\nseed=-3\naugment.flip=false\nmodel.method=lpn\nname=\"x y\"\ndata.sizes=[1,2,3]\n");
  Seed("config", "unknown_key.json", R"({"optim": {"momentum": 0.9}})" "\n");
}

void DatasetSeeds() {
  Seed("dataset_json", "labels.json", Selector(0, R"({"0.jpg": [384, 384], "1.jpg": [100, 700], "2.jpg": [0, 767]})"));
  Seed("dataset_json", "gps_info.json",
       Selector(1, R"({"UAV": {"E": 120.3601, "N": 30.3202}, "Satellite": {"0.jpg": {"tl_E": 120.359, "tl_N": 30.3212,)"
                   R"( "br_E": 120.3612, "br_N": 30.3192, "center_distribute_X": 0.5, "center_distribute_Y": 0.5, "map_size": 768}}})"));
  Seed("dataset_json", "dense_gps.txt",
       Selector(2, "train/drone/000001/H100.JPG E120.38 N30.32 100\ntrain/satellite/000001/H80.tif 120.3801 30.3202\n\n"
                   "test/query_drone/000002/H90.JPG N30.33 E120.39 90\n"));
  Seed("dataset_json", "manifest_ir.json",
       Selector(3, R"({"schema": "crossview.synth/1", "kind": "ir", "layout": "university1652", "generator": {"version": "0.1.0"}})"));
  Seed("dataset_json", "manifest_other.json", Selector(3, R"({"schema": "someone.else/2", "files": [1, 2]})"));
}

void ImageSeeds() {
  cv::Mat bgr(6, 8, CV_8UC3);
  for (int r = 0; r < bgr.rows; ++r) {
    for (int c = 0; c < bgr.cols; ++c) bgr.at<cv::Vec3b>(r, c) = cv::Vec3b(uint8_t(30 * c), uint8_t(40 * r), uint8_t(200 - 20 * c));
  }
  cv::Mat grey, bgra, grey16;
  cv::extractChannel(bgr, grey, 1);
  cv::Mat alpha(bgr.rows, bgr.cols, CV_8UC1, cv::Scalar(128));
  cv::merge(std::vector<cv::Mat>{bgr, alpha}, bgra);
  grey.convertTo(grey16, CV_16U, 257.0);
  auto encode = [](const std::string& ext, const cv::Mat& m, const std::vector<int>& params = {}) {
    std::vector<uint8_t> buf;
    if (!cv::imencode(ext, m, buf, params)) throw CV_ERROR(InternalError, "imencode failed").With("ext", ext);
    return std::string(buf.begin(), buf.end());
  };
  Seed("image", "rgb.png", encode(".png", bgr));
  Seed("image", "grey.png", encode(".png", grey));
  Seed("image", "rgba.png", encode(".png", bgra));
  Seed("image", "grey16.png", encode(".png", grey16));
  Seed("image", "rgb.jpg", encode(".jpg", bgr, {cv::IMWRITE_JPEG_QUALITY, 90}));
  Seed("image", "grey.jpg", encode(".jpg", grey));
  Seed("image", "rgb.tif", encode(".tiff", bgr));
  Seed("image", "grey16.tif", encode(".tiff", grey16));
  Seed("image", "rgb.bmp", encode(".bmp", bgr));
  Seed("image", "rgb.ppm", encode(".ppm", bgr));
  Seed("image", "grey.pgm", encode(".pgm", grey));
  Seed("image", "rgb.webp", encode(".webp", bgr, {cv::IMWRITE_WEBP_QUALITY, 80}));
}

void IndexSeeds() {
  TempDir tmp("crossview-seeds");
  const fs::path dir = tmp.path();
  constexpr int kTiles = 3, kDim = 4;
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
  pipeline::WriteTileTable(dir / "tiles.sqlite", tiles);
  WriteNpyFloat32(dir / "descriptors.npy", rows.data(), kTiles, kDim);
  for (index::IndexType type : {index::IndexType::kFlat, index::IndexType::kIvf, index::IndexType::kHnsw}) {
    index::IndexOptions options;
    options.type = type;
    options.dim = kDim;
    options.ivf_nlist = 1;
    options.hnsw_m = 4;
    auto faiss = index::VectorIndex::Create(options);
    faiss->Train(kTiles, rows.data());
    faiss->Add(kTiles, rows.data());
    const std::string name = std::string("index_") + index::IndexTypeName(type) + ".faiss";
    faiss->Save(dir / name);
    Seed("index_dir", name, Selector(3, ReadFile(dir / name)));
  }
  fs::copy_file(dir / "index_flat.faiss", dir / "index.faiss");
  WriteFileAtomic(dir / "index.json", "{}\n");
  WriteChecksums(dir, {"index.json", "index.faiss", "tiles.sqlite", "descriptors.npy"}, dir / "SHA256SUMS");
  Seed("index_dir", "SHA256SUMS", Selector(0, ReadFile(dir / "SHA256SUMS")));
  Seed("index_dir", "tiles.sqlite", Selector(1, ReadFile(dir / "tiles.sqlite")));
  Seed("index_dir", "descriptors.npy", Selector(2, ReadFile(dir / "descriptors.npy")));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_seed_corpus OUT_DIR   (normally tests/fuzz/corpus)\n";
    return 2;
  }
  g_out = argv[1];
  try {
    CheckpointSeeds();
    ConfigSeeds();
    DatasetSeeds();
    ImageSeeds();
    IndexSeeds();
  } catch (const Error& e) {
    std::cerr << "make_seed_corpus: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

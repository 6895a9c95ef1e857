// Helpers shared by the synthesis tests (header-only, test use only): a tiny dataset generated
// once per test process, manifest reading, directory listings and file hashes.
#pragma once

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gdal_priv.h>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "crossview/data/drl_synth.h"
#include "crossview/data/image_io.h"
#include "crossview/data/ir_synth.h"
#include "crossview/geo/texture_georef.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"
#include "crossview/util/paths.h"
#include "crossview/util/sha256.h"
#include "crossview/util/testing.h"

namespace crossview::data::testing {

namespace fs = std::filesystem;

inline const char* kTexturesTsv = "flightgear/textures.tsv";

inline nlohmann::json ReadManifest(const fs::path& dataset) {
  return nlohmann::json::parse(ReadFile(dataset / kManifestFile));
}

// Relative path → SHA-256 of every regular file under `dir`, except *.log files.
inline std::map<std::string, std::string> HashTree(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file() || e.path().extension() == ".log") continue;
    out[fs::relative(e.path(), dir).string()] = Sha256File(e.path());
  }
  return out;
}

// Sorted names of the entries of `dir` (directories or files).
inline std::vector<std::string> Entries(const fs::path& dir, bool directories) {
  std::vector<std::string> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_directory() == directories) out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// uk_countryside2 (2048², 0.88 m/px) written as a GeoTIFF with its synthetic georeference; rows
// [nodata_row0, nodata_row1) painted black and declared no-data when that range is not empty.
inline fs::path WriteTextureAsGeoTiff(const fs::path& path, int nodata_row0 = 0, int nodata_row1 = 0) {
  const geo::TextureTable table = geo::ReadTextureTable(AerialCacheDir() / kTexturesTsv);
  const geo::TextureRecord& record = table.Find("uk_countryside2");
  cv::Mat rgb = LoadImageRgb(AerialCacheDir() / "flightgear/uk_countryside2.png");
  if (nodata_row1 > nodata_row0) {
    cv::max(rgb, cv::Scalar(1, 1, 1), rgb);  // no real pixel is (0, 0, 0)
    rgb.rowRange(nodata_row0, nodata_row1).setTo(cv::Scalar(0, 0, 0));
  }
  geo::RgbImage image(rgb.cols, rgb.rows);
  std::memcpy(image.pixels.data(), rgb.data, image.pixels.size());
  geo::WriteTextureGeoTiff(path, image, geo::GeorefForTexture(record));
  if (nodata_row1 > nodata_row0) {
    GDALAllRegister();
    GDALDataset* ds = static_cast<GDALDataset*>(GDALOpen(path.c_str(), GA_Update));
    if (ds == nullptr) throw CV_ERROR(IoError, "cannot reopen the GeoTIFF").With("path", path.string());
    for (int b = 1; b <= 3; ++b) ds->GetRasterBand(b)->SetNoDataValue(0.0);
    GDALClose(ds);
  }
  return path;
}

// The process-lifetime temporary directory the generated datasets live in.
inline const fs::path& SynthTestRoot() {
  static TempDir root("synth_test");
  return root.path();
}

// Generates `options` into a fresh folder of SynthTestRoot().
inline fs::path Generate(const IrSynthOptions& options, const std::string& name, int jobs = 2,
                         IrSynthSummary* summary = nullptr) {
  SynthRunOptions run;
  run.out_dir = SynthTestRoot() / name;
  run.jobs = jobs;
  run.progress = false;
  IrSynthSummary s = GenerateIrDataset(options, run);
  if (summary != nullptr) *summary = s;
  return run.out_dir;
}

// Generates a `synth drl` dataset into a fresh folder of SynthTestRoot().
inline fs::path GenerateDrl(const DrlSynthOptions& options, const std::string& name, int jobs = 2,
                            DrlSynthSummary* summary = nullptr) {
  SynthRunOptions run;
  run.out_dir = SynthTestRoot() / name;
  run.jobs = jobs;
  run.progress = false;
  DrlSynthSummary s = GenerateDrlDataset(options, run);
  if (summary != nullptr) *summary = s;
  return run.out_dir;
}

// The tiny DRL preset with seed 3, generated once per process.
inline const fs::path& TinyDrlDataset() {
  static const fs::path dir = [] {
    DrlSynthOptions o = DrlPreset("tiny");
    o.seed = 3;
    return GenerateDrl(o, "drl-tiny-seed3");
  }();
  return dir;
}

// The tiny preset with seed 7, generated once per process.
inline const fs::path& TinyDataset() {
  static const fs::path dir = [] {
    IrSynthOptions o = IrPreset("tiny");
    o.seed = 7;
    return Generate(o, "tiny-seed7");
  }();
  return dir;
}

}  // namespace crossview::data::testing

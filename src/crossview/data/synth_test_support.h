// Helpers shared by the synthesis tests (header-only, test use only): a tiny dataset generated
// once per test process, manifest reading, directory listings and file hashes.
#pragma once

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crossview/data/ir_synth.h"
#include "crossview/util/file.h"
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

// Generates `options` into a fresh folder inside a process-lifetime temporary directory.
inline fs::path Generate(const IrSynthOptions& options, const std::string& name, int jobs = 2,
                         IrSynthSummary* summary = nullptr) {
  static TempDir root("synth_test");
  SynthRunOptions run;
  run.out_dir = root.path() / name;
  run.jobs = jobs;
  run.progress = false;
  IrSynthSummary s = GenerateIrDataset(options, run);
  if (summary != nullptr) *summary = s;
  return run.out_dir;
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

// libFuzzer target for the small metadata files of dataset layouts (datasets/): UL14
// labels.json and GPS_info.json (parsed, then checked against each other the way `data check`
// does), DenseUAV's Dense_GPS_*.txt, and crossview's manifest.json as layout detection reads it
// from a dataset root.
//
// The first byte picks the reader (byte % 4), the rest is the file's content:
//   0 labels.json   1 GPS_info.json   2 Dense_GPS_*.txt   3 manifest.json (in a University-1652 root)
// The only acceptable outcome is success or a crossview::Error.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "crossview/datasets/denseuav.h"
#include "crossview/datasets/detect.h"
#include "crossview/datasets/ul14_files.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"

namespace {

namespace ds = crossview::datasets;

// Plain write (WriteFileAtomic fsyncs, which would cap the fuzzer at a few hundred runs a second).
void WriteBytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) __builtin_trap();  // the harness's own failure, not a finding
}

// A University-1652-shaped root, made once; each input replaces its manifest.json.
const std::filesystem::path& DatasetRoot() {
  static const auto dir = [] {
    auto d = std::make_unique<crossview::TempDir>("crossview-fuzz-dataset");
    for (const char* sub : {"train/drone/0001", "train/satellite/0001", "test/query_drone/0002", "test/gallery_satellite/0002"}) {
      std::filesystem::create_directories(d->path() / sub);
    }
    return d;
  }();
  return dir->path();
}

void Run(uint8_t which, const std::string& text) {
  switch (which % 4) {
    case 0:
      (void)ds::ParseUl14Labels(text, "labels.json");
      break;
    case 1: {
      const ds::Ul14GpsInfo info = ds::ParseUl14GpsInfo(text, "GPS_info.json");
      const crossview::geo::Ul14Label label{100, 200};
      for (const auto& [name, map] : info.maps) {
        ds::Ul14LabelViolation v;
        (void)ds::CheckUl14Label("sample", name, map, label, info.uav, 1.0, crossview::geo::kUl14MapSizePx, &v);
      }
      break;
    }
    case 2: {
      const auto records = ds::ParseDenseUavGps(text, "Dense_GPS_ALL.txt");
      (void)ds::DenseUavPositionsById(records);
      break;
    }
    case 3: {
      const std::filesystem::path& root = DatasetRoot();
      WriteBytes(root / "manifest.json", text);
      (void)ds::DetectLayout(root);
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

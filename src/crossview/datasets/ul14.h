// UL14, the DRL dataset (drl.md §6), and crossview's `synth drl` output (data.md §4.3):
//   <root>/train/<Place>_<H>_<Index>/UAV/0.JPG
//   <root>/train/<Place>_<H>_<Index>/Satellite/*.tif          (≥ 1, UAV at the centre pixel)
//   <root>/<test>/<Place>_<H>_<Index>/UAV/0.JPG
//   <root>/<test>/<Place>_<H>_<Index>/Satellite/0.jpg … 11.jpg
//   <root>/<test>/<Place>_<H>_<Index>/labels.json              (README spelling label.json accepted)
//   <root>/<test>/<Place>_<H>_<Index>/GPS_info.json
// <test> is "test" (crossview) or the release's "merge_test_700-1800_cr0.95_stride100"; by default
// the reader takes "test" if present, else the single other folder beside train/ holding samples.
// The UAV image is UAV/0.JPG when present (the reference opens exactly that name), else the first
// image of UAV/ in sorted order. Images are listed, never decoded; the stored map size is an
// option (768 in the release) because the reader does not open the images.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "crossview/datasets/image_folder.h"
#include "crossview/datasets/ul14_files.h"

namespace crossview::datasets {

struct Ul14Options {
  ReadScope scope = ReadScope::kComplete;  // kComplete: train/ and a test folder must both exist
  std::string test_dir;                    // "" = auto (see above)
  int stored_size_px = geo::kUl14MapSizePx;
};

struct Ul14TrainSample {
  fs::path dir;
  std::string folder;                      // e.g. "town-europe_100_0007"
  Ul14FolderName name;                     // parsed folder name
  fs::path uav_image;                      // UAV/0.JPG
  std::vector<fs::path> satellite_images;  // Satellite/*, sorted; one is drawn per sample in training
};

struct Ul14SearchMapRecord {
  std::string name;  // file name in Satellite/, the key in both JSON files, e.g. "3.jpg"
  fs::path path;
  geo::Ul14SearchMapGps gps;  // corners, center_distribute_X/Y, map_size
  geo::Ul14Label label;       // (row, col) of the UAV in the stored map
};

struct Ul14TestSample {
  fs::path dir;
  std::string folder;
  Ul14FolderName name;
  fs::path uav_image;
  geo::LatLonDeg uav_lat_lon;             // GPS_info.json "UAV": the metric ground truth
  std::vector<Ul14SearchMapRecord> maps;  // ordered by the numeric file stem (0.jpg, 1.jpg, …, 11.jpg)
};

// Reads one test sample folder: the UAV image, Satellite/ listing, labels.json and GPS_info.json.
// Every labelled map must exist in Satellite/ and have a GPS entry, and every image in Satellite/
// must have both (errors name the file and the key). Labels outside the map are errors;
// disagreements between labels and "UAV" are not (see CheckLabels).
Ul14TestSample ReadUl14TestSample(const fs::path& sample_dir, int stored_size_px = geo::kUl14MapSizePx);
// Reads one training sample folder (UAV/ and Satellite/ with ≥ 1 image each).
Ul14TrainSample ReadUl14TrainSample(const fs::path& sample_dir);

// Every map whose label and "UAV" disagree by more than `tolerance_px` (data.md §4.3: 1 px).
std::vector<Ul14LabelViolation> CheckLabels(const Ul14TestSample& sample, double tolerance_px = 1.0,
                                            int stored_size_px = geo::kUl14MapSizePx);

class Ul14 {
 public:
  static Ul14 Open(const fs::path& root, const Ul14Options& options = {});

  const fs::path& root() const { return root_; }
  bool has_train() const;
  bool has_test() const { return !test_dir_.empty(); }
  // The test folder in use, e.g. root/test; NotFoundError if there is none.
  fs::path TestDir() const;
  // Folders beside train/ that hold UL14 samples (candidates for Ul14Options::test_dir).
  static std::vector<std::string> FindTestDirs(const fs::path& root);

  // Sorted by folder name. Throw on the first malformed sample, naming it.
  std::vector<Ul14TrainSample> ListTrain() const;
  std::vector<Ul14TestSample> ListTest() const;
  // CheckLabels over every test sample; empty when the dataset is consistent.
  std::vector<Ul14LabelViolation> CheckAllLabels(double tolerance_px = 1.0) const;

 private:
  Ul14(fs::path root, Ul14Options options) : root_(std::move(root)), options_(std::move(options)) {}

  fs::path root_;
  Ul14Options options_;
  fs::path test_dir_;  // empty if absent
};

}  // namespace crossview::datasets

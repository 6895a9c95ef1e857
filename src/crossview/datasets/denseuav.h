// DenseUAV (retrieval.md §1.5). The specs describe only its content (per location: 3 drone
// images at three flight heights, 6 satellite images; a dense test gallery) and its metrics; the
// folder layout below is the one documented by the DenseUAV release itself:
//   <root>/Dense_GPS_ALL.txt, Dense_GPS_train.txt, Dense_GPS_test.txt   "<path> E<lon> N<lat> <height>"
//   <root>/train/{drone,satellite}/<ID>/…      drone: H80.JPG H90.JPG H100.JPG;
//                                              satellite: H80.tif H80_old.tif … H100_old.tif
//   <root>/test/{query_drone,query_satellite,gallery_drone,gallery_satellite}/<ID>/…
// IDs are 6-digit folder names; listing, labels and class indices follow ImageFolder as for
// University-1652. A complete dataset needs train/{drone,satellite} and
// test/{query_drone,gallery_satellite} (the D→S task); the S→D views are optional. The per-ID
// image counts (3 and 6) are reported by CheckImageCounts, not enforced.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "crossview/datasets/split_layout.h"
#include "crossview/geo/coords.h"

namespace crossview::datasets {

struct DenseUavOptions {
  ReadScope scope = ReadScope::kComplete;
};

// One line of a Dense_GPS_*.txt file.
struct DenseUavGpsRecord {
  std::string path;       // as written, e.g. "train/drone/000001/H100.JPG"
  std::string id_folder;  // the path's parent folder name, e.g. "000001"
  geo::LatLonDeg lat_lon;
  double height_m = 0.0;  // the fourth column; NaN when absent
  int line = 0;           // 1-based line number
};

// Parses a Dense_GPS_*.txt text: whitespace-separated "<path> <lon> <lat> [<height>]". A value
// may carry an E/N prefix (E120.38, N30.32); prefixed values are assigned by their letter, bare
// ones in the order of DenseUAV's evaluator (longitude, then latitude). Empty lines are skipped.
// Throws IoError naming the file and line for anything else (too few fields, non-numbers,
// coordinates out of range).
std::vector<DenseUavGpsRecord> ParseDenseUavGps(const std::string& text, const std::string& source);
// Position per ID folder; when several lines share an ID the last wins, as in DenseUAV's evaluator.
std::map<std::string, geo::LatLonDeg> DenseUavPositionsById(const std::vector<DenseUavGpsRecord>& records);
// The flight height encoded in a DenseUAV file name: "H100.JPG" → 100, "H80_old.tif" → 80; −1 if
// the name does not have that form.
int DenseUavHeightFromFileName(const std::string& file_name);

// An ID folder whose image count differs from DenseUAV's 3 drone / 6 satellite images.
struct DenseUavCountIssue {
  std::string view;  // e.g. "train/drone"
  std::string id_folder;
  size_t images = 0;
  size_t expected = 0;
};

class DenseUav {
 public:
  static DenseUav Open(const fs::path& root, const DenseUavOptions& options = {});

  const fs::path& root() const { return layout_.root(); }
  static const std::vector<std::string>& KnownViews(const std::string& split);  // "train" or "test"

  bool HasSplit(const std::string& split) const { return layout_.HasSplit(split); }
  std::vector<std::string> PresentViews(const std::string& split) const { return layout_.PresentViews(split); }
  ViewListing List(const std::string& split, const std::string& view) const { return layout_.List(split, view); }
  ViewCounts Counts() const { return layout_.Counts(); }
  std::vector<ViewListing> TrainingViews() const { return layout_.ListAligned("train", {"satellite", "drone"}); }
  // D→S: test/query_drone vs test/gallery_satellite; S→D: test/query_satellite vs test/gallery_drone.
  EvalPair Evaluation(Direction direction) const;
  // Every present view's ID folders whose image count is not 3 (drone views) or 6 (satellite).
  std::vector<DenseUavCountIssue> CheckImageCounts() const;

  // Dense_GPS_ALL.txt (or another file at the root): NotFoundError if absent.
  bool HasGps(const std::string& file_name = "Dense_GPS_ALL.txt") const;
  std::vector<DenseUavGpsRecord> ReadGps(const std::string& file_name = "Dense_GPS_ALL.txt") const;

 private:
  explicit DenseUav(SplitLayout layout) : layout_(std::move(layout)) {}
  SplitLayout layout_;
};

}  // namespace crossview::datasets

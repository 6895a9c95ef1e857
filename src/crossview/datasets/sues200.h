// SUES-200 (retrieval.md §1.3) and the crossview synthesiser's copy of its layout (data.md §4.2).
// Two forms, either or both under one root:
//   raw:   <root>/drone_view_512/<h>/<ID>/<k>.jpg      <root>/satellite-view/<ID>/0.png
//   split: <root>/Training/<h>/{drone,satellite}/<ID>/…
//          <root>/Testing/<h>/{query_drone,query_satellite,gallery_drone,gallery_satellite}/<ID>/…
// with heights h ∈ {150, 200, 250, 300} m. Everything is per height (one model per height); the
// raw satellite view is shared by all heights. The split galleries hold every place (training
// places act as distractors); EvalPair::distractor_ids lists them.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "crossview/datasets/image_folder.h"

namespace crossview::datasets {

enum class Sues200Part {
  kRaw,       // drone_view_512/<h>, satellite-view
  kTraining,  // Training/<h>
  kTesting,   // Testing/<h>
};
const char* Sues200PartName(Sues200Part part);  // "raw", "Training", "Testing"

struct Sues200Options {
  ReadScope scope = ReadScope::kComplete;
  // The heights a complete dataset must have, in metres. Other numeric height folders found on
  // disk are listed too.
  std::vector<int> heights_m = {150, 200, 250, 300};
};

class Sues200 {
 public:
  // Checks the form, height and view folders. With kComplete every form present must have every
  // height of the options and every view (a lone Training/ without Testing/ is partial).
  static Sues200 Open(const fs::path& root, const Sues200Options& options = {});

  const fs::path& root() const { return root_; }
  bool has_raw() const;
  bool has_split() const;

  // The views of a part: raw → drone, satellite; Training → drone, satellite; Testing →
  // query_drone, query_satellite, gallery_drone, gallery_satellite.
  static const std::vector<std::string>& KnownViews(Sues200Part part);
  // Height folders present for a part, ascending (for kRaw, those under drone_view_512/).
  std::vector<int> Heights(Sues200Part part) const;
  bool HasView(Sues200Part part, int height_m, const std::string& view) const;
  // One view folder in ImageFolder order. For (kRaw, "satellite") the height is ignored: the
  // satellite view is shared.
  ViewListing List(Sues200Part part, int height_m, const std::string& view) const;
  // Image counts of every present view: "Training/150/drone", "Testing/150/query_drone", …,
  // "drone_view_512/150", "satellite-view".
  ViewCounts Counts() const;
  // Training/<h>/{satellite,drone} with their class indices (0..K−1) checked to line up.
  std::vector<ViewListing> TrainingViews(int height_m) const;
  // D→S: Testing/<h>/query_drone vs gallery_satellite; S→D: query_satellite vs gallery_drone.
  EvalPair Evaluation(int height_m, Direction direction) const;

 private:
  Sues200(fs::path root, Sues200Options options) : root_(std::move(root)), options_(std::move(options)) {}
  fs::path ViewDir(Sues200Part part, int height_m, const std::string& view) const;
  fs::path PartDir(Sues200Part part) const;
  void CheckComplete(Sues200Part part) const;

  fs::path root_;
  Sues200Options options_;
};

}  // namespace crossview::datasets

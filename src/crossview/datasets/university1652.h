// University-1652 (retrieval.md §1.2) and the crossview synthesiser's copy of its layout
// (data.md §4.1):
//   <root>/train/{satellite,drone,street,google}/<ID>/…
//   <root>/test/{query,gallery}_{satellite,drone,street}/<ID>/…, test/4K_drone/<ID>/…
// The release unpacks as University-1652/ or University-Release/; pass the folder that holds
// train/ and test/. A complete dataset needs train/{drone,satellite} and
// test/{query_drone,gallery_satellite,query_satellite,gallery_drone}; street, google and 4K_drone
// are optional. train/google/<ID> folders may be empty (some are, on purpose).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "crossview/datasets/split_layout.h"

namespace crossview::datasets {

enum class U1652Split { kTrain, kTest };
const char* U1652SplitName(U1652Split split);  // "train" / "test"

struct University1652Options {
  ReadScope scope = ReadScope::kComplete;
};

class University1652 {
 public:
  // Checks the split and view folders (see SplitLayout). Listing happens on demand.
  static University1652 Open(const fs::path& root, const University1652Options& options = {});

  const fs::path& root() const { return layout_.root(); }
  static const std::vector<std::string>& KnownViews(U1652Split split);

  bool HasSplit(U1652Split split) const { return layout_.HasSplit(U1652SplitName(split)); }
  std::vector<std::string> PresentViews(U1652Split split) const { return layout_.PresentViews(U1652SplitName(split)); }
  // One view folder in ImageFolder order; e.g. List(U1652Split::kTest, "gallery_satellite").
  ViewListing List(U1652Split split, const std::string& view) const { return layout_.List(U1652SplitName(split), view); }
  // Image counts of every present view, keyed "train/drone", "test/query_drone", ….
  ViewCounts Counts() const { return layout_.Counts(); }
  // The training views (default drone + satellite) with their class indices checked to line up.
  std::vector<ViewListing> TrainingViews(const std::vector<std::string>& views = {"satellite", "drone"}) const {
    return layout_.ListAligned("train", views);
  }
  // D→S: test/query_drone vs test/gallery_satellite; S→D: test/query_satellite vs test/gallery_drone.
  EvalPair Evaluation(Direction direction) const;

 private:
  explicit University1652(SplitLayout layout) : layout_(std::move(layout)) {}
  SplitLayout layout_;
};

}  // namespace crossview::datasets

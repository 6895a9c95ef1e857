// A dataset root of split folders holding view folders of ID folders:
//   <root>/<split>/<view>/<ID>/<images>
// the shape shared by University-1652 and DenseUAV (and by SUES-200 per height). The readers of
// those layouts wrap it with their own split and view names.
#pragma once

#include <string>
#include <vector>

#include "crossview/datasets/image_folder.h"

namespace crossview::datasets {

struct SplitSpec {
  std::string name;                            // folder name, e.g. "train"
  std::vector<std::string> known_views;        // every view folder the layout defines, in a fixed order
  std::vector<std::string> required_views;     // those a complete dataset must have
  std::vector<std::string> allow_empty_views;  // views whose ID folders may be empty (U1652 google)
};

class SplitLayout {
 public:
  // Checks the folders (not the ID folders): the root must exist; with kComplete every split and
  // its required views must exist; with kWhatExists at least one known view must. Throws
  // NotFoundError naming the missing folder and what was expected there.
  SplitLayout(std::string dataset_name, fs::path root, std::vector<SplitSpec> splits, ReadScope scope);

  const fs::path& root() const { return root_; }
  const std::string& dataset_name() const { return dataset_name_; }

  bool HasSplit(const std::string& split) const;
  bool HasView(const std::string& split, const std::string& view) const;
  // The known views of `split` present on disk, in the spec's order.
  std::vector<std::string> PresentViews(const std::string& split) const;
  // Lists one view folder. InvalidArgumentError for a name the layout does not define (listing
  // the valid ones); NotFoundError if the folder is absent.
  ViewListing List(const std::string& split, const std::string& view) const;
  // Lists every present view; keys are "<split>/<view>".
  ViewCounts Counts() const;
  // Lists the given views of `split` and checks they hold the same IDs, so that their class
  // indices line up.
  std::vector<ViewListing> ListAligned(const std::string& split, const std::vector<std::string>& views) const;

 private:
  const SplitSpec& Spec(const std::string& split) const;

  std::string dataset_name_;
  fs::path root_;
  std::vector<SplitSpec> splits_;
};

// Throws NotFoundError if `root` is not a directory.
void RequireDatasetRoot(const fs::path& root, const std::string& dataset_name);

// If `root` lacks the marker folders but exactly one child folder has any of them (e.g. the
// University-Release/ folder inside University-1652/), returns a hint naming that child; else "".
std::string NestedRootHint(const fs::path& root, const std::vector<std::string>& markers);

}  // namespace crossview::datasets

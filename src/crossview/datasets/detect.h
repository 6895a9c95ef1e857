// Which dataset layout a folder holds, from its folder structure (and crossview's manifest.json
// when present). Looked for, in this order:
//   SUES-200        Training/ or Testing/ (split form), drone_view_512/ or satellite-view/ (raw)
//   UL14            train/<Place>_<H>_<Index>/UAV/, or a test folder of such samples with
//                   labels.json / GPS_info.json
//   DenseUAV        the University-1652 folders plus Dense_GPS_*.txt or 6-digit ID folders
//   University-1652 train/{drone,satellite,street,google}/ or test/{query,gallery}_*/
// If the folder itself matches nothing but exactly one sub-folder does (University-1652.zip
// unpacks to University-Release/), that sub-folder is the root.
#pragma once

#include <filesystem>
#include <string>

namespace crossview::datasets {

enum class DatasetLayout { kUniversity1652, kSues200, kUl14, kDenseUav };
// "university1652", "sues200", "ul14", "denseuav" (the manifest's spelling).
const char* DatasetLayoutName(DatasetLayout layout);

struct LayoutDetection {
  DatasetLayout layout = DatasetLayout::kUniversity1652;
  std::filesystem::path root;  // the dataset root: the argument, or the one sub-folder that matched
  std::string evidence;        // what matched, e.g. "train/drone, test/query_drone"
  // crossview's manifest.json (data.md §4.4) at the root, with schema "crossview.synth/<n>".
  bool has_crossview_manifest = false;
  std::string manifest_schema;  // e.g. "crossview.synth/1"
  std::string manifest_kind;    // "ir" / "drl" ("" if absent)
  std::string manifest_layout;  // e.g. "university1652" ("" if absent)
};

// NotFoundError if the root is missing or nothing matches (listing what was looked for and what
// is there); IoError if manifest.json is malformed; InvalidArgumentError if the manifest's layout
// contradicts the folders.
LayoutDetection DetectLayout(const std::filesystem::path& root);

}  // namespace crossview::datasets

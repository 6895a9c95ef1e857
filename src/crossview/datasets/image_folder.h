// Listing a view folder of ID folders the way torchvision's ImageFolder does (retrieval.md §2.1–2.2),
// shared by the University-1652, SUES-200 and DenseUAV readers.
//
//   <view>/<ID>/<any image name>.<jpg|jpeg|png|ppm|bmp|pgm|tif|tiff|webp, any case>
//
// - Label of an image = integer value of its ID folder name (the location ID); never a class index.
// - Order = ID folder names sorted as strings, then, inside each ID folder, files sorted by
//   (sub-folder path, file name) as ImageFolder's sorted os.walk does (files directly in the ID
//   folder first). Sub-folders of an ID folder are searched too (ImageFolder follows them).
// - class_index = position of the ID folder among the sorted ID folders of this view folder: the
//   ImageFolder target. For a training view it is the training class 0..K−1.
// - Names starting with '.' (".DS_Store", "._image-01.jpeg", ".ipynb_checkpoints") are skipped;
//   files with other extensions are ignored, as ImageFolder does.
//
// Errors: a missing view folder is NotFoundError; a non-numeric or duplicate ID folder, or an ID
// folder without images (unless allowed), is InvalidArgumentError naming the folder; a folder that
// cannot be read is IoError. Images are listed, never decoded.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace crossview::datasets {

namespace fs = std::filesystem;

// How much of a dataset an Open() call demands.
enum class ReadScope {
  kComplete,    // every folder the layout requires must exist; a partial dataset is an error
  kWhatExists,  // accept a partial dataset; asking for a missing part later is a NotFoundError
};

struct ImageEntry {
  fs::path path;        // the image file (root joined with the layout path)
  int label = 0;        // integer value of the parent ID folder name: the location ID
  int class_index = 0;  // ImageFolder index of the ID folder among this view's sorted ID folders
};

// One view folder (e.g. test/gallery_satellite) listed in ImageFolder order.
struct ViewListing {
  std::string view;                     // the folder's layout path, e.g. "test/gallery_satellite"
  fs::path dir;                         // the folder itself
  std::vector<std::string> id_folders;  // sorted ID folder names ("0000", "0001", …)
  std::vector<int> ids;                 // their integer IDs, same order
  std::vector<size_t> images_per_id;    // number of images in each ID folder, same order
  std::vector<ImageEntry> images;       // every image, in ImageFolder order

  size_t num_ids() const { return ids.size(); }
  size_t num_images() const { return images.size(); }
};

struct ListOptions {
  // University-1652's train/google has empty ID folders on purpose; everywhere else an empty ID
  // folder is an error.
  bool allow_empty_id_folders = false;
};

// True for the extensions ImageFolder accepts (case-insensitive) on a non-hidden name.
bool IsImageFileName(const std::string& file_name);

// Integer value of an ID folder name: 1–9 ASCII digits ("0000" → 0, "000123" → 123). Throws
// InvalidArgumentError naming `folder` otherwise.
int ParseLocationId(const std::string& name, const fs::path& folder);

// Lists `dir` (which must exist) as ImageFolder would. `view` names it in listings and errors.
ViewListing ListImageFolder(const fs::path& dir, const std::string& view, const ListOptions& options = {});

// Sorted names of the image files directly in `dir` (non-recursive; IsImageFileName). Throws
// IoError if `dir` cannot be read.
std::vector<std::string> ListImageFiles(const fs::path& dir);

// Sorted names of the non-hidden sub-directories of `dir` (symlinks followed); empty if `dir`
// does not exist. Throws IoError if it exists but cannot be read.
std::vector<std::string> ListSubdirectories(const fs::path& dir);

// True if `dir` is a directory (no throw).
bool IsDirectory(const fs::path& dir);

// "a, b, c" (at most `max_items`, then ", … (N more)").
std::string JoinNames(const std::vector<std::string>& names, size_t max_items = 12);

// Throws NotFoundError "<what> not found" naming `dir`, the expected folders and what is there.
[[noreturn]] void ThrowMissingFolder(const std::string& what, const fs::path& dir, const fs::path& parent,
                                     const std::vector<std::string>& expected);

// The ID sets of two listings must be equal (training views must share classes, or the
// ImageFolder class indices of the views would not line up). Throws InvalidArgumentError naming
// the IDs present in one view only.
void RequireSameIds(const ViewListing& a, const ViewListing& b);

// The two retrieval directions of retrieval.md §1.1.
enum class Direction {
  kDroneToSatellite,  // D→S: query drone images against the satellite gallery
  kSatelliteToDrone,  // S→D: query satellite images against the drone gallery
};
const char* DirectionName(Direction direction);  // "D→S" / "S→D"

// A query set and its gallery, ready for the retrieval evaluator (retrieval.md §2).
struct EvalPair {
  Direction direction = Direction::kDroneToSatellite;
  ViewListing query;
  ViewListing gallery;
  std::vector<int> query_ids_without_match;  // query IDs absent from the gallery (skipped by §2.3)
  std::vector<int> distractor_ids;           // gallery IDs no query has (distractors)
};

EvalPair MakeEvalPair(Direction direction, ViewListing query, ViewListing gallery);

// Image counts per view name, e.g. {"train/drone": 37854, …}.
using ViewCounts = std::map<std::string, size_t>;

}  // namespace crossview::datasets

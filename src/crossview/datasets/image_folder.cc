#include "crossview/datasets/image_folder.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <system_error>
#include <utility>

#include "crossview/util/errors.h"

namespace crossview::datasets {
namespace {

constexpr int kMaxSubfolderDepth = 16;  // inside one ID folder; guards against symlink loops

bool IsHidden(const std::string& name) { return !name.empty() && name[0] == '.'; }

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Reads the entries of one directory: (name, is_dir, is_regular_file), symlinks followed; broken
// symlinks are neither. Throws IoError if the directory cannot be read.
struct DirEntryInfo {
  std::string name;
  bool is_dir = false;
  bool is_file = false;
};

std::vector<DirEntryInfo> ReadDirectory(const fs::path& dir) {
  std::vector<DirEntryInfo> out;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) throw CV_ERROR(IoError, "cannot read folder: " + ec.message()).With("path", dir.string());
  for (const fs::directory_iterator end; it != end; it.increment(ec)) {
    if (ec) break;
    DirEntryInfo info;
    info.name = it->path().filename().string();
    std::error_code st_ec;
    const fs::file_status st = fs::status(it->path(), st_ec);  // follows symlinks
    if (!st_ec) {
      info.is_dir = fs::is_directory(st);
      info.is_file = fs::is_regular_file(st);
    }
    out.push_back(std::move(info));
  }
  if (ec) throw CV_ERROR(IoError, "error while reading folder: " + ec.message()).With("path", dir.string());
  return out;
}

// Images under one ID folder as (relative sub-folder, file name), sorted like ImageFolder.
void CollectImages(const fs::path& dir, const std::string& rel_root, int depth, std::set<fs::path>& visited,
                   std::vector<std::pair<std::string, std::string>>& out, std::vector<std::string>& others) {
  std::error_code ec;
  const fs::path canonical = fs::canonical(dir, ec);
  if (ec || !visited.insert(canonical).second) return;  // unreadable, or a symlink loop
  for (const DirEntryInfo& e : ReadDirectory(dir)) {
    if (IsHidden(e.name)) continue;
    const std::string rel = rel_root.empty() ? e.name : rel_root + "/" + e.name;
    if (e.is_dir) {
      if (depth < kMaxSubfolderDepth) CollectImages(dir / e.name, rel, depth + 1, visited, out, others);
    } else if (e.is_file && IsImageFileName(e.name)) {
      out.emplace_back(rel_root, e.name);
    } else {
      others.push_back(rel);
    }
  }
}

}  // namespace

bool IsImageFileName(const std::string& file_name) {
  static const char* const kExtensions[] = {".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp"};
  if (IsHidden(file_name)) return false;
  const std::string lower = Lower(file_name);
  for (const char* ext : kExtensions) {
    const std::string e(ext);
    if (lower.size() > e.size() && lower.compare(lower.size() - e.size(), e.size(), e) == 0) return true;
  }
  return false;
}

int ParseLocationId(const std::string& name, const fs::path& folder) {
  const bool digits = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits) {
    throw CV_ERROR(InvalidArgumentError, "ID folder name is not a number")
        .With("folder", folder.string())
        .Hint(
            "every folder inside a view folder must be named by its integer location ID (e.g. 0042); "
            "move other folders out of the dataset");
  }
  if (name.size() > 9) {
    throw CV_ERROR(InvalidArgumentError, "ID folder name is too long for an integer location ID")
        .With("folder", folder.string())
        .With("max_digits", 9);
  }
  return std::stoi(name);
}

std::vector<std::string> ListSubdirectories(const fs::path& dir) {
  std::vector<std::string> names;
  if (!IsDirectory(dir)) return names;
  for (const DirEntryInfo& e : ReadDirectory(dir)) {
    if (e.is_dir && !IsHidden(e.name)) names.push_back(e.name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> ListImageFiles(const fs::path& dir) {
  std::vector<std::string> names;
  for (const DirEntryInfo& e : ReadDirectory(dir)) {
    if (e.is_file && IsImageFileName(e.name)) names.push_back(e.name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool IsDirectory(const fs::path& dir) {
  std::error_code ec;
  return fs::is_directory(dir, ec);
}

std::string JoinNames(const std::vector<std::string>& names, size_t max_items) {
  std::string s;
  for (size_t i = 0; i < names.size() && i < max_items; ++i) {
    if (i > 0) s += ", ";
    s += names[i];
  }
  if (names.size() > max_items) s += ", … (" + std::to_string(names.size() - max_items) + " more)";
  if (names.empty()) s = "(nothing)";
  return s;
}

void ThrowMissingFolder(const std::string& what, const fs::path& dir, const fs::path& parent,
                        const std::vector<std::string>& expected) {
  throw CV_ERROR(NotFoundError, what + " not found")
      .With("missing", dir.string())
      .With("expected in " + parent.string(), JoinNames(expected, 32))
      .With("present", JoinNames(ListSubdirectories(parent)))
      .Hint("point crossview at the dataset root, or open it with ReadScope::kWhatExists to use only the parts present");
}

ViewListing ListImageFolder(const fs::path& dir, const std::string& view, const ListOptions& options) {
  if (!IsDirectory(dir)) {
    throw CV_ERROR(NotFoundError, "view folder not found").With("view", view).With("path", dir.string());
  }
  ViewListing listing;
  listing.view = view;
  listing.dir = dir;
  std::vector<DirEntryInfo> entries = ReadDirectory(dir);
  std::sort(entries.begin(), entries.end(), [](const DirEntryInfo& a, const DirEntryInfo& b) { return a.name < b.name; });
  std::map<int, std::string> seen_ids;
  for (const DirEntryInfo& e : entries) {
    if (!e.is_dir || IsHidden(e.name)) continue;  // loose files beside ID folders are ignored, as ImageFolder does
    const fs::path id_dir = dir / e.name;
    const int id = ParseLocationId(e.name, id_dir);
    const auto [it, inserted] = seen_ids.emplace(id, e.name);
    if (!inserted) {
      throw CV_ERROR(InvalidArgumentError, "two ID folders have the same integer ID")
          .With("view", dir.string())
          .With("folders", it->second + ", " + e.name)
          .With("id", id)
          .Hint("labels are the integer value of the folder name; keep one of the two folders");
    }
    std::vector<std::pair<std::string, std::string>> files;
    std::vector<std::string> others;
    std::set<fs::path> visited;
    CollectImages(id_dir, "", 0, visited, files, others);
    if (files.empty() && !options.allow_empty_id_folders) {
      std::sort(others.begin(), others.end());
      throw CV_ERROR(InvalidArgumentError, "ID folder holds no images")
          .With("folder", id_dir.string())
          .With("other files", JoinNames(others, 6))
          .Hint(
              "an ID folder must contain at least one .jpg/.jpeg/.png/.ppm/.bmp/.pgm/.tif/.tiff/.webp file; "
              "remove the folder or restore its images");
    }
    std::sort(files.begin(), files.end());
    const int class_index = static_cast<int>(listing.ids.size());
    listing.id_folders.push_back(e.name);
    listing.ids.push_back(id);
    listing.images_per_id.push_back(files.size());
    for (const auto& [rel_root, name] : files) {
      ImageEntry entry;
      entry.path = rel_root.empty() ? id_dir / name : id_dir / rel_root / name;
      entry.label = id;
      entry.class_index = class_index;
      listing.images.push_back(std::move(entry));
    }
  }
  return listing;
}

void RequireSameIds(const ViewListing& a, const ViewListing& b) {
  std::vector<std::string> only_a, only_b;
  const std::set<int> ia(a.ids.begin(), a.ids.end()), ib(b.ids.begin(), b.ids.end());
  for (size_t i = 0; i < a.ids.size(); ++i) {
    if (!ib.count(a.ids[i])) only_a.push_back(a.id_folders[i]);
  }
  for (size_t i = 0; i < b.ids.size(); ++i) {
    if (!ia.count(b.ids[i])) only_b.push_back(b.id_folders[i]);
  }
  if (only_a.empty() && only_b.empty()) return;
  throw CV_ERROR(InvalidArgumentError, "training views do not have the same ID folders")
      .With("only in " + a.dir.string(), JoinNames(only_a))
      .With("only in " + b.dir.string(), JoinNames(only_b))
      .Hint("class indices are ImageFolder indices per view, so every training view needs the same ID folders");
}

const char* DirectionName(Direction direction) { return direction == Direction::kDroneToSatellite ? "D→S" : "S→D"; }

EvalPair MakeEvalPair(Direction direction, ViewListing query, ViewListing gallery) {
  EvalPair pair;
  pair.direction = direction;
  const std::set<int> q(query.ids.begin(), query.ids.end()), g(gallery.ids.begin(), gallery.ids.end());
  for (int id : query.ids) {
    if (!g.count(id)) pair.query_ids_without_match.push_back(id);
  }
  for (int id : gallery.ids) {
    if (!q.count(id)) pair.distractor_ids.push_back(id);
  }
  pair.query = std::move(query);
  pair.gallery = std::move(gallery);
  return pair;
}

}  // namespace crossview::datasets

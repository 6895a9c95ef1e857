#include "crossview/datasets/sues200.h"

#include <algorithm>
#include <utility>

#include "crossview/datasets/split_layout.h"
#include "crossview/util/errors.h"

namespace crossview::datasets {
namespace {

constexpr const char* kRawDrone = "drone_view_512";
constexpr const char* kRawSatellite = "satellite-view";

bool Contains(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

std::vector<std::string> HeightNames(const std::vector<int>& heights) {
  std::vector<std::string> names;
  for (int h : heights) names.push_back(std::to_string(h));
  return names;
}

}  // namespace

const char* Sues200PartName(Sues200Part part) {
  switch (part) {
    case Sues200Part::kRaw:
      return "raw";
    case Sues200Part::kTraining:
      return "Training";
    case Sues200Part::kTesting:
      return "Testing";
  }
  return "?";
}

const std::vector<std::string>& Sues200::KnownViews(Sues200Part part) {
  static const std::vector<std::string> kTwo = {"drone", "satellite"};
  static const std::vector<std::string> kTesting = {"query_drone", "query_satellite", "gallery_drone", "gallery_satellite"};
  return part == Sues200Part::kTesting ? kTesting : kTwo;
}

fs::path Sues200::PartDir(Sues200Part part) const {
  switch (part) {
    case Sues200Part::kRaw:
      return root_ / kRawDrone;
    case Sues200Part::kTraining:
      return root_ / "Training";
    case Sues200Part::kTesting:
      return root_ / "Testing";
  }
  return root_;
}

fs::path Sues200::ViewDir(Sues200Part part, int height_m, const std::string& view) const {
  if (part == Sues200Part::kRaw) {
    return view == "satellite" ? root_ / kRawSatellite : root_ / kRawDrone / std::to_string(height_m);
  }
  return PartDir(part) / std::to_string(height_m) / view;
}

bool Sues200::has_raw() const { return IsDirectory(root_ / kRawDrone) || IsDirectory(root_ / kRawSatellite); }
bool Sues200::has_split() const { return IsDirectory(root_ / "Training") || IsDirectory(root_ / "Testing"); }

std::vector<int> Sues200::Heights(Sues200Part part) const {
  const fs::path dir = PartDir(part);
  std::vector<int> heights;
  for (const std::string& name : ListSubdirectories(dir)) {
    const bool digits =
        !name.empty() && name.size() <= 6 && std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits) {
      throw CV_ERROR(InvalidArgumentError, "SUES-200 height folder name is not a number")
          .With("folder", (dir / name).string())
          .With("expected", JoinNames(HeightNames(options_.heights_m)))
          .Hint("height folders are named by the flight height in metres; move other folders out of the dataset");
    }
    heights.push_back(std::stoi(name));
  }
  std::sort(heights.begin(), heights.end());
  return heights;
}

bool Sues200::HasView(Sues200Part part, int height_m, const std::string& view) const {
  return Contains(KnownViews(part), view) && IsDirectory(ViewDir(part, height_m, view));
}

void Sues200::CheckComplete(Sues200Part part) const {
  const fs::path part_dir = part == Sues200Part::kRaw ? root_ : PartDir(part);
  if (part == Sues200Part::kRaw) {
    for (const char* name : {kRawDrone, kRawSatellite}) {
      if (!IsDirectory(root_ / name)) {
        ThrowMissingFolder(std::string("SUES-200 raw folder '") + name + "'", root_ / name, root_, {kRawDrone, kRawSatellite});
      }
    }
  } else if (!IsDirectory(part_dir)) {
    ThrowMissingFolder(std::string("SUES-200 split folder '") + Sues200PartName(part) + "'", part_dir, root_,
                       {"Training", "Testing"});
  }
  for (int h : options_.heights_m) {
    const fs::path height_dir = part == Sues200Part::kRaw ? root_ / kRawDrone / std::to_string(h) : part_dir / std::to_string(h);
    if (!IsDirectory(height_dir)) {
      ThrowMissingFolder("SUES-200 height folder '" + std::to_string(h) + "'", height_dir, height_dir.parent_path(),
                         HeightNames(options_.heights_m));
    }
    if (part == Sues200Part::kRaw) continue;
    for (const std::string& v : KnownViews(part)) {
      if (!IsDirectory(height_dir / v)) {
        ThrowMissingFolder(
            "SUES-200 view folder '" + std::string(Sues200PartName(part)) + "/" + std::to_string(h) + "/" + v + "'",
            height_dir / v, height_dir, KnownViews(part));
      }
    }
  }
}

Sues200 Sues200::Open(const fs::path& root, const Sues200Options& options) {
  RequireDatasetRoot(root, "SUES-200");
  Sues200 d(root, options);
  if (!d.has_raw() && !d.has_split()) {
    std::string hint = NestedRootHint(root, {"Training", "Testing", kRawDrone, kRawSatellite});
    if (hint.empty()) {
      hint =
          "expected Training/<h>/{drone,satellite}/<ID> and Testing/<h>/{query,gallery}_{drone,satellite}/<ID>, "
          "or the raw drone_view_512/<h>/<ID> and satellite-view/<ID>";
    }
    throw CV_ERROR(NotFoundError, "no SUES-200 folders under the root")
        .With("root", root.string())
        .With("expected", "Training, Testing, drone_view_512, satellite-view")
        .With("present", JoinNames(ListSubdirectories(root)))
        .Hint(hint);
  }
  // Height folder names are checked in every mode: a stray folder is an error either way.
  for (Sues200Part part : {Sues200Part::kRaw, Sues200Part::kTraining, Sues200Part::kTesting}) d.Heights(part);
  if (options.scope == ReadScope::kComplete) {
    if (d.has_raw()) d.CheckComplete(Sues200Part::kRaw);
    if (d.has_split()) {
      d.CheckComplete(Sues200Part::kTraining);
      d.CheckComplete(Sues200Part::kTesting);
    }
  }
  return d;
}

ViewListing Sues200::List(Sues200Part part, int height_m, const std::string& view) const {
  if (!Contains(KnownViews(part), view)) {
    throw CV_ERROR(InvalidArgumentError, "unknown SUES-200 view")
        .With("part", Sues200PartName(part))
        .With("view", view)
        .With("valid", JoinNames(KnownViews(part)));
  }
  const fs::path dir = ViewDir(part, height_m, view);
  if (!IsDirectory(dir)) {
    const std::string rel = dir.lexically_relative(root_).generic_string();
    if (part == Sues200Part::kRaw) {
      if (view == "satellite" || !IsDirectory(root_ / kRawDrone)) {
        const fs::path missing = view == "satellite" ? root_ / kRawSatellite : root_ / kRawDrone;
        ThrowMissingFolder("SUES-200 raw folder '" + missing.filename().string() + "'", missing, root_,
                           {kRawDrone, kRawSatellite});
      }
      ThrowMissingFolder("SUES-200 height folder '" + rel + "'", dir, root_ / kRawDrone, HeightNames(options_.heights_m));
    }
    if (!IsDirectory(PartDir(part))) {
      ThrowMissingFolder(std::string("SUES-200 split folder '") + Sues200PartName(part) + "'", PartDir(part), root_,
                         {"Training", "Testing"});
    }
    if (!IsDirectory(dir.parent_path())) {
      ThrowMissingFolder("SUES-200 height folder '" + dir.parent_path().lexically_relative(root_).generic_string() + "'",
                         dir.parent_path(), PartDir(part), HeightNames(options_.heights_m));
    }
    ThrowMissingFolder("SUES-200 view folder '" + rel + "'", dir, dir.parent_path(), KnownViews(part));
  }
  return ListImageFolder(dir, dir.lexically_relative(root_).generic_string());
}

ViewCounts Sues200::Counts() const {
  ViewCounts counts;
  for (Sues200Part part : {Sues200Part::kTraining, Sues200Part::kTesting}) {
    for (int h : Heights(part)) {
      for (const std::string& v : KnownViews(part)) {
        if (HasView(part, h, v)) {
          const ViewListing l = List(part, h, v);
          counts[l.view] = l.num_images();
        }
      }
    }
  }
  for (int h : Heights(Sues200Part::kRaw))
    counts[std::string(kRawDrone) + "/" + std::to_string(h)] = List(Sues200Part::kRaw, h, "drone").num_images();
  if (IsDirectory(root_ / kRawSatellite)) counts[kRawSatellite] = List(Sues200Part::kRaw, 0, "satellite").num_images();
  return counts;
}

std::vector<ViewListing> Sues200::TrainingViews(int height_m) const {
  std::vector<ViewListing> out;
  out.push_back(List(Sues200Part::kTraining, height_m, "satellite"));
  out.push_back(List(Sues200Part::kTraining, height_m, "drone"));
  RequireSameIds(out[0], out[1]);
  return out;
}

EvalPair Sues200::Evaluation(int height_m, Direction direction) const {
  if (direction == Direction::kDroneToSatellite) {
    ViewListing query = List(Sues200Part::kTesting, height_m, "query_drone");
    ViewListing gallery = List(Sues200Part::kTesting, height_m, "gallery_satellite");
    return MakeEvalPair(direction, std::move(query), std::move(gallery));
  }
  ViewListing query = List(Sues200Part::kTesting, height_m, "query_satellite");
  ViewListing gallery = List(Sues200Part::kTesting, height_m, "gallery_drone");
  return MakeEvalPair(direction, std::move(query), std::move(gallery));
}

}  // namespace crossview::datasets

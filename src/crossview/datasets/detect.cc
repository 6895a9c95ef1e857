#include "crossview/datasets/detect.h"

#include <optional>
#include <system_error>
#include <vector>

#include "crossview/datasets/image_folder.h"
#include "crossview/datasets/json_fields.h"
#include "crossview/datasets/split_layout.h"
#include "crossview/datasets/ul14.h"
#include "crossview/util/errors.h"

namespace crossview::datasets {
namespace {

constexpr const char* kLookedFor =
    "SUES-200 (Training/<h>/…, Testing/<h>/…, or drone_view_512/ + satellite-view/); "
    "UL14 (train/<Place>_<H>_<Index>/UAV/0.JPG, test/<Place>_<H>_<Index>/{labels.json,GPS_info.json}); "
    "DenseUAV (train/{drone,satellite}/<6-digit ID>/, Dense_GPS_ALL.txt); "
    "University-1652 (train/{drone,satellite,street,google}/<ID>/, test/{query,gallery}_{drone,satellite,street}/<ID>/); "
    "crossview manifest.json";

bool IsFile(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

void Note(std::string& evidence, const std::string& what) { evidence += (evidence.empty() ? "" : ", ") + what; }

std::optional<DatasetLayout> DetectAt(const fs::path& dir, std::string& evidence) {
  evidence.clear();
  for (const char* name : {"Training", "Testing", "drone_view_512", "satellite-view"}) {
    if (IsDirectory(dir / name)) Note(evidence, std::string(name) + "/");
  }
  if (!evidence.empty()) return DatasetLayout::kSues200;

  const std::vector<std::string> train_children = ListSubdirectories(dir / "train");
  if (!train_children.empty() && IsDirectory(dir / "train" / train_children.front() / "UAV")) {
    Note(evidence, "train/" + train_children.front() + "/UAV/");
  }
  for (const std::string& t : Ul14::FindTestDirs(dir)) Note(evidence, t + "/ (UL14 test samples)");
  if (!evidence.empty()) return DatasetLayout::kUl14;

  for (const std::string v : {"drone", "satellite", "street", "google"}) {
    if (IsDirectory(dir / "train" / v)) Note(evidence, "train/" + v + "/");
  }
  for (const std::string v :
       {"query_drone", "query_satellite", "query_street", "gallery_drone", "gallery_satellite", "gallery_street"}) {
    if (IsDirectory(dir / "test" / v)) Note(evidence, "test/" + v + "/");
  }
  if (evidence.empty()) return std::nullopt;
  for (const char* gps : {"Dense_GPS_ALL.txt", "Dense_GPS_train.txt", "Dense_GPS_test.txt"}) {
    if (IsFile(dir / gps)) {
      Note(evidence, gps);
      return DatasetLayout::kDenseUav;
    }
  }
  for (const char* view : {"train/drone", "test/query_drone", "test/gallery_satellite"}) {
    const std::vector<std::string> ids = ListSubdirectories(dir / view);
    if (!ids.empty() && ids.front().size() == 6) {
      Note(evidence, std::string("6-digit IDs in ") + view + "/");
      return DatasetLayout::kDenseUav;
    }
  }
  return DatasetLayout::kUniversity1652;
}

std::optional<DatasetLayout> LayoutFromManifest(const std::string& kind, const std::string& layout) {
  if (layout == "university1652") return DatasetLayout::kUniversity1652;
  if (layout == "sues200") return DatasetLayout::kSues200;
  if (layout == "ul14" || (layout.empty() && kind == "drl")) return DatasetLayout::kUl14;
  if (layout == "denseuav") return DatasetLayout::kDenseUav;
  return std::nullopt;  // e.g. "multitemporal": folder structure decides
}

std::string OptionalString(const nlohmann::json& j, const std::string& key, const std::string& source) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return {};
  if (!it->is_string()) {
    throw CV_ERROR(IoError, "malformed JSON: expected a string")
        .With("file", source)
        .With("key", key)
        .With("got", it->type_name());
  }
  return it->get<std::string>();
}

void ReadManifest(const fs::path& root, LayoutDetection& out) {
  const fs::path path = root / "manifest.json";
  if (!IsFile(path)) return;
  const nlohmann::json j = ReadJsonFile(path);
  RequireObject(j, path.string(), "");
  const std::string schema = OptionalString(j, "schema", path.string());
  if (schema.rfind("crossview.synth/", 0) != 0) return;  // someone else's manifest.json: not ours to read
  out.has_crossview_manifest = true;
  out.manifest_schema = schema;
  out.manifest_kind = OptionalString(j, "kind", path.string());
  out.manifest_layout = OptionalString(j, "layout", path.string());
}

}  // namespace

const char* DatasetLayoutName(DatasetLayout layout) {
  switch (layout) {
    case DatasetLayout::kUniversity1652:
      return "university1652";
    case DatasetLayout::kSues200:
      return "sues200";
    case DatasetLayout::kUl14:
      return "ul14";
    case DatasetLayout::kDenseUav:
      return "denseuav";
  }
  return "?";
}

LayoutDetection DetectLayout(const fs::path& root) {
  RequireDatasetRoot(root, "dataset");
  LayoutDetection out;
  out.root = root;
  std::string evidence;
  std::optional<DatasetLayout> found = DetectAt(root, evidence);
  if (!found) {
    std::vector<std::pair<std::string, DatasetLayout>> nested;
    for (const std::string& child : ListSubdirectories(root)) {
      std::string e;
      if (const auto l = DetectAt(root / child, e)) nested.emplace_back(child, *l);
    }
    if (nested.size() == 1) {
      out.root = root / nested.front().first;
      found = DetectAt(out.root, evidence);
      evidence += " (in " + nested.front().first + "/)";
    }
  }
  ReadManifest(out.root, out);
  if (!found) {
    auto e = CV_ERROR(NotFoundError, "no known dataset layout under the folder");
    e.With("root", root.string()).With("looked for", kLookedFor).With("present", JoinNames(ListSubdirectories(root)));
    if (out.has_crossview_manifest) {
      e.With("manifest layout", out.manifest_layout.empty() ? "(none)" : out.manifest_layout)
          .Hint("manifest.json is present but the dataset folders are missing; regenerate the dataset");
    } else {
      e.Hint("pass the folder that holds the dataset's split folders");
    }
    throw e;
  }
  out.layout = *found;
  out.evidence = evidence;
  if (out.has_crossview_manifest) {
    const auto declared = LayoutFromManifest(out.manifest_kind, out.manifest_layout);
    if (declared && *declared != out.layout) {
      throw CV_ERROR(InvalidArgumentError, "manifest.json declares a different layout than the folders hold")
          .With("root", out.root.string())
          .With("manifest layout", DatasetLayoutName(*declared))
          .With("folders", std::string(DatasetLayoutName(out.layout)) + " (" + evidence + ")")
          .Hint("the manifest belongs to another dataset, or the folders were moved; regenerate the dataset");
    }
  }
  return out;
}

}  // namespace crossview::datasets

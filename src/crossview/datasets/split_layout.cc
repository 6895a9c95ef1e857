#include "crossview/datasets/split_layout.h"

#include <algorithm>
#include <utility>

#include "crossview/util/errors.h"

namespace crossview::datasets {
namespace {

bool Contains(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

std::vector<std::string> SplitNames(const std::vector<SplitSpec>& splits) {
  std::vector<std::string> names;
  for (const SplitSpec& s : splits) names.push_back(s.name);
  return names;
}

}  // namespace

void RequireDatasetRoot(const fs::path& root, const std::string& dataset_name) {
  if (!IsDirectory(root)) {
    throw CV_ERROR(NotFoundError, dataset_name + " dataset root not found")
        .With("root", root.string())
        .Hint("pass the folder that holds the dataset's split folders");
  }
}

std::string NestedRootHint(const fs::path& root, const std::vector<std::string>& markers) {
  std::vector<std::string> candidates;
  for (const std::string& child : ListSubdirectories(root)) {
    for (const std::string& m : markers) {
      if (IsDirectory(root / child / m)) {
        candidates.push_back(child);
        break;
      }
    }
  }
  if (candidates.size() != 1) return {};
  return "the dataset seems to be one level down: try " + (root / candidates[0]).string();
}

SplitLayout::SplitLayout(std::string dataset_name, fs::path root, std::vector<SplitSpec> splits, ReadScope scope)
    : dataset_name_(std::move(dataset_name)), root_(std::move(root)), splits_(std::move(splits)) {
  RequireDatasetRoot(root_, dataset_name_);
  const std::vector<std::string> split_names = SplitNames(splits_);
  bool any_view = false;
  for (const SplitSpec& s : splits_) any_view = any_view || !PresentViews(s.name).empty();
  if (!any_view) {
    std::string hint = NestedRootHint(root_, split_names);
    if (hint.empty())
      hint = "expected " + JoinNames(split_names) + " folders holding view folders (e.g. " + splits_.front().name + "/" +
             splits_.front().known_views.front() + "/<ID>/…)";
    throw CV_ERROR(NotFoundError, "no " + dataset_name_ + " split or view folders under the root")
        .With("root", root_.string())
        .With("expected", JoinNames(split_names))
        .With("present", JoinNames(ListSubdirectories(root_)))
        .Hint(hint);
  }
  if (scope != ReadScope::kComplete) return;
  for (const SplitSpec& s : splits_) {
    if (!HasSplit(s.name)) {
      ThrowMissingFolder(dataset_name_ + " split folder '" + s.name + "'", root_ / s.name, root_, split_names);
    }
    for (const std::string& v : s.required_views) {
      if (!HasView(s.name, v)) {
        ThrowMissingFolder(dataset_name_ + " view folder '" + s.name + "/" + v + "'", root_ / s.name / v, root_ / s.name,
                           s.required_views);
      }
    }
  }
}

const SplitSpec& SplitLayout::Spec(const std::string& split) const {
  for (const SplitSpec& s : splits_) {
    if (s.name == split) return s;
  }
  throw CV_ERROR(InvalidArgumentError, "unknown " + dataset_name_ + " split")
      .With("split", split)
      .With("valid", JoinNames(SplitNames(splits_)));
}

bool SplitLayout::HasSplit(const std::string& split) const { return IsDirectory(root_ / Spec(split).name); }

bool SplitLayout::HasView(const std::string& split, const std::string& view) const {
  return IsDirectory(root_ / Spec(split).name / view);
}

std::vector<std::string> SplitLayout::PresentViews(const std::string& split) const {
  std::vector<std::string> out;
  for (const std::string& v : Spec(split).known_views) {
    if (HasView(split, v)) out.push_back(v);
  }
  return out;
}

ViewListing SplitLayout::List(const std::string& split, const std::string& view) const {
  const SplitSpec& spec = Spec(split);
  if (!Contains(spec.known_views, view)) {
    throw CV_ERROR(InvalidArgumentError, "unknown " + dataset_name_ + " view")
        .With("split", split)
        .With("view", view)
        .With("valid", JoinNames(spec.known_views, 32));
  }
  const fs::path dir = root_ / split / view;
  if (!IsDirectory(dir)) {
    if (!HasSplit(split))
      ThrowMissingFolder(dataset_name_ + " split folder '" + split + "'", root_ / split, root_, SplitNames(splits_));
    ThrowMissingFolder(dataset_name_ + " view folder '" + split + "/" + view + "'", dir, root_ / split, spec.known_views);
  }
  ListOptions options;
  options.allow_empty_id_folders = Contains(spec.allow_empty_views, view);
  return ListImageFolder(dir, split + "/" + view, options);
}

ViewCounts SplitLayout::Counts() const {
  ViewCounts counts;
  for (const SplitSpec& s : splits_) {
    for (const std::string& v : PresentViews(s.name)) counts[s.name + "/" + v] = List(s.name, v).num_images();
  }
  return counts;
}

std::vector<ViewListing> SplitLayout::ListAligned(const std::string& split, const std::vector<std::string>& views) const {
  std::vector<ViewListing> out;
  for (const std::string& v : views) {
    out.push_back(List(split, v));
    if (out.size() > 1) RequireSameIds(out.front(), out.back());
  }
  return out;
}

}  // namespace crossview::datasets

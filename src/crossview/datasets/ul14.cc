#include "crossview/datasets/ul14.h"

#include <algorithm>
#include <set>
#include <utility>

#include "crossview/datasets/split_layout.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"

namespace crossview::datasets {
namespace {

constexpr const char* kSampleShape = "<Place>_<H>_<Index>/{UAV/0.JPG, Satellite/…, labels.json, GPS_info.json}";

bool IsFile(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

// Numeric stems first, in numeric order (0.jpg, 1.jpg, …, 11.jpg), then the rest by name.
bool MapNameLess(const std::string& a, const std::string& b) {
  auto stem_number = [](const std::string& s, long long* n) {
    const size_t dot = s.find('.');
    const std::string stem = s.substr(0, dot);
    if (stem.empty() || stem.size() > 15 || !std::all_of(stem.begin(), stem.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return false;
    }
    *n = std::stoll(stem);
    return true;
  };
  long long na = 0, nb = 0;
  const bool da = stem_number(a, &na), db = stem_number(b, &nb);
  if (da != db) return da;
  if (da && na != nb) return na < nb;
  return a < b;
}

fs::path RequireSubfolder(const fs::path& sample_dir, const std::string& name) {
  const fs::path dir = sample_dir / name;
  if (!IsDirectory(dir)) {
    throw CV_ERROR(NotFoundError, "UL14 sample has no " + name + "/ folder")
        .With("sample", sample_dir.string())
        .With("expected", kSampleShape)
        .With("present", JoinNames(ListSubdirectories(sample_dir)));
  }
  return dir;
}

std::vector<std::string> RequireImages(const fs::path& dir) {
  std::vector<std::string> images = ListImageFiles(dir);
  if (images.empty()) {
    throw CV_ERROR(InvalidArgumentError, "UL14 folder holds no images")
        .With("folder", dir.string())
        .Hint("restore the sample's images or remove the sample folder");
  }
  return images;
}

fs::path UavImage(const fs::path& sample_dir) {
  const fs::path dir = RequireSubfolder(sample_dir, "UAV");
  const std::vector<std::string> images = RequireImages(dir);
  const bool has_reference_name = std::find(images.begin(), images.end(), "0.JPG") != images.end();
  return dir / (has_reference_name ? std::string("0.JPG") : images.front());
}

std::vector<std::string> Difference(const std::vector<std::string>& a, const std::set<std::string>& b) {
  std::vector<std::string> out;
  for (const std::string& s : a) {
    if (!b.count(s)) out.push_back(s);
  }
  return out;
}

template <typename Map>
std::vector<std::string> Keys(const Map& m) {
  std::vector<std::string> out;
  for (const auto& kv : m) out.push_back(kv.first);
  return out;
}

}  // namespace

Ul14TrainSample ReadUl14TrainSample(const fs::path& sample_dir) {
  if (!IsDirectory(sample_dir)) throw CV_ERROR(NotFoundError, "UL14 sample folder not found").With("path", sample_dir.string());
  Ul14TrainSample s;
  s.dir = sample_dir;
  s.folder = sample_dir.filename().string();
  s.name = WithContext("path", sample_dir.string(), [&] { return ParseUl14FolderName(s.folder); });
  s.uav_image = UavImage(sample_dir);
  const fs::path sat_dir = RequireSubfolder(sample_dir, "Satellite");
  for (const std::string& name : RequireImages(sat_dir)) s.satellite_images.push_back(sat_dir / name);
  return s;
}

Ul14TestSample ReadUl14TestSample(const fs::path& sample_dir, int stored_size_px) {
  if (!IsDirectory(sample_dir)) throw CV_ERROR(NotFoundError, "UL14 sample folder not found").With("path", sample_dir.string());
  Ul14TestSample s;
  s.dir = sample_dir;
  s.folder = sample_dir.filename().string();
  s.name = WithContext("path", sample_dir.string(), [&] { return ParseUl14FolderName(s.folder); });
  s.uav_image = UavImage(sample_dir);
  const fs::path sat_dir = RequireSubfolder(sample_dir, "Satellite");
  const std::vector<std::string> images = ListImageFiles(sat_dir);

  fs::path labels_file = sample_dir / "labels.json";
  if (!IsFile(labels_file) && IsFile(sample_dir / "label.json")) labels_file = sample_dir / "label.json";
  const fs::path gps_file = sample_dir / "GPS_info.json";
  for (const fs::path& f : {labels_file, gps_file}) {
    if (!IsFile(f)) {
      throw CV_ERROR(NotFoundError, "UL14 test sample has no " + f.filename().string())
          .With("sample", sample_dir.string())
          .With("expected", kSampleShape);
    }
  }
  const auto labels = ParseUl14Labels(ReadFile(labels_file), labels_file.string(), stored_size_px);
  const Ul14GpsInfo gps = ParseUl14GpsInfo(ReadFile(gps_file), gps_file.string());

  const std::set<std::string> on_disk(images.begin(), images.end());
  const std::vector<std::string> label_keys = Keys(labels), gps_keys = Keys(gps.maps);
  const std::set<std::string> label_set(label_keys.begin(), label_keys.end()), gps_set(gps_keys.begin(), gps_keys.end());
  if (const auto missing = Difference(label_keys, on_disk); !missing.empty()) {
    throw CV_ERROR(NotFoundError, "search map named in labels.json is not in Satellite/")
        .With("file", labels_file.string())
        .With("keys", JoinNames(missing))
        .With("present", JoinNames(images));
  }
  const auto label_only = Difference(label_keys, gps_set), gps_only = Difference(gps_keys, label_set);
  if (!label_only.empty() || !gps_only.empty()) {
    throw CV_ERROR(IoError, "labels.json and GPS_info.json list different search maps")
        .With("sample", sample_dir.string())
        .With("only in labels.json", JoinNames(label_only))
        .With("only in GPS_info.json Satellite", JoinNames(gps_only));
  }
  if (const auto unlabelled = Difference(images, label_set); !unlabelled.empty()) {
    throw CV_ERROR(IoError, "search map in Satellite/ has no label")
        .With("maps", JoinNames(unlabelled))
        .With("file", labels_file.string())
        .Hint("every Satellite/ image needs a labels.json and a GPS_info.json entry; remove stray images");
  }
  s.uav_lat_lon = gps.uav;
  std::vector<std::string> names = label_keys;
  std::sort(names.begin(), names.end(), MapNameLess);
  for (const std::string& name : names) {
    Ul14SearchMapRecord r;
    r.name = name;
    r.path = sat_dir / name;
    r.gps = gps.maps.at(name);
    r.label = labels.at(name);
    s.maps.push_back(std::move(r));
  }
  return s;
}

std::vector<Ul14LabelViolation> CheckLabels(const Ul14TestSample& sample, double tolerance_px, int stored_size_px) {
  std::vector<Ul14LabelViolation> out;
  for (const Ul14SearchMapRecord& m : sample.maps) {
    Ul14LabelViolation v;
    if (CheckUl14Label(sample.folder, m.name, m.gps, m.label, sample.uav_lat_lon, tolerance_px, stored_size_px, &v)) {
      out.push_back(std::move(v));
    }
  }
  return out;
}

std::vector<std::string> Ul14::FindTestDirs(const fs::path& root) {
  std::vector<std::string> out;
  for (const std::string& child : ListSubdirectories(root)) {
    if (child == "train") continue;
    const std::vector<std::string> samples = ListSubdirectories(root / child);
    if (samples.empty()) continue;
    const fs::path first = root / child / samples.front();
    if (IsDirectory(first / "UAV") && (IsFile(first / "GPS_info.json") || IsFile(first / "labels.json"))) out.push_back(child);
  }
  return out;
}

Ul14 Ul14::Open(const fs::path& root, const Ul14Options& options) {
  RequireDatasetRoot(root, "UL14");
  if (options.stored_size_px <= 0) {
    throw CV_ERROR(InvalidArgumentError, "stored search-map size must be positive")
        .With("stored_size_px", options.stored_size_px);
  }
  Ul14 d(root, options);
  if (!options.test_dir.empty()) {
    if (!IsDirectory(root / options.test_dir)) {
      ThrowMissingFolder("UL14 test folder '" + options.test_dir + "'", root / options.test_dir, root,
                         {"train", options.test_dir});
    }
    d.test_dir_ = root / options.test_dir;
  } else if (IsDirectory(root / "test")) {
    d.test_dir_ = root / "test";
  } else {
    const std::vector<std::string> candidates = FindTestDirs(root);
    if (candidates.size() > 1) {
      throw CV_ERROR(InvalidArgumentError, "several UL14 test folders; choose one")
          .With("root", root.string())
          .With("candidates", JoinNames(candidates))
          .Hint("set Ul14Options::test_dir (e.g. merge_test_700-1800_cr0.95_stride100)");
    }
    if (candidates.size() == 1) d.test_dir_ = root / candidates.front();
  }
  if (!d.has_train() && !d.has_test()) {
    std::string hint = NestedRootHint(root, {"train", "test"});
    if (hint.empty()) hint = std::string("expected train/") + kSampleShape + " and test/" + kSampleShape;
    throw CV_ERROR(NotFoundError, "no UL14 train or test folder under the root")
        .With("root", root.string())
        .With("present", JoinNames(ListSubdirectories(root)))
        .Hint(hint);
  }
  if (options.scope == ReadScope::kComplete) {
    if (!d.has_train()) ThrowMissingFolder("UL14 split folder 'train'", root / "train", root, {"train", "test"});
    if (!d.has_test()) ThrowMissingFolder("UL14 test folder", root / "test", root, {"train", "test (or merge_test_…)"});
  }
  return d;
}

bool Ul14::has_train() const { return IsDirectory(root_ / "train"); }

fs::path Ul14::TestDir() const {
  if (test_dir_.empty()) ThrowMissingFolder("UL14 test folder", root_ / "test", root_, {"train", "test (or merge_test_…)"});
  return test_dir_;
}

std::vector<Ul14TrainSample> Ul14::ListTrain() const {
  if (!has_train()) ThrowMissingFolder("UL14 split folder 'train'", root_ / "train", root_, {"train", "test"});
  std::vector<Ul14TrainSample> out;
  for (const std::string& name : ListSubdirectories(root_ / "train")) out.push_back(ReadUl14TrainSample(root_ / "train" / name));
  return out;
}

std::vector<Ul14TestSample> Ul14::ListTest() const {
  const fs::path dir = TestDir();
  std::vector<Ul14TestSample> out;
  for (const std::string& name : ListSubdirectories(dir)) out.push_back(ReadUl14TestSample(dir / name, options_.stored_size_px));
  return out;
}

std::vector<Ul14LabelViolation> Ul14::CheckAllLabels(double tolerance_px) const {
  std::vector<Ul14LabelViolation> out;
  for (const Ul14TestSample& s : ListTest()) {
    for (Ul14LabelViolation& v : CheckLabels(s, tolerance_px, options_.stored_size_px)) out.push_back(std::move(v));
  }
  return out;
}

}  // namespace crossview::datasets

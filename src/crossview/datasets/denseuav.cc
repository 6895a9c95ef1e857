#include "crossview/datasets/denseuav.h"

#include <charconv>
#include <cmath>
#include <sstream>

#include "crossview/util/errors.h"
#include "crossview/util/file.h"

namespace crossview::datasets {
namespace {

bool ParseDouble(const std::string& s, double* out) {
  if (s.empty()) return false;
  const char* end = s.data() + s.size();
  const auto [ptr, ec] = std::from_chars(s.data(), end, *out);
  return ec == std::errc() && ptr == end && std::isfinite(*out);
}

std::vector<std::string> SplitWhitespace(const std::string& line) {
  std::istringstream is(line);
  std::vector<std::string> out;
  for (std::string tok; is >> tok;) out.push_back(tok);
  return out;
}

}  // namespace

std::vector<DenseUavGpsRecord> ParseDenseUavGps(const std::string& text, const std::string& source) {
  std::vector<DenseUavGpsRecord> out;
  std::istringstream in(text);
  int line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    const std::vector<std::string> tok = SplitWhitespace(line);
    if (tok.empty()) continue;
    auto bad = [&](const std::string& what) {
      return CV_ERROR(IoError, "malformed DenseUAV GPS line: " + what)
          .With("file", source)
          .With("line", line_no)
          .Hint("each line is \"<path> E<lon> N<lat> <height>\", e.g. train/drone/000001/H100.JPG E120.1 N30.2 100");
    };
    if (tok.size() < 3 || tok.size() > 4) throw bad("expected 3 or 4 fields, got " + std::to_string(tok.size()));
    DenseUavGpsRecord r;
    r.path = tok[0];
    r.line = line_no;
    const size_t slash = r.path.find_last_of('/');
    if (slash == std::string::npos || slash == 0) throw bad("the path has no ID folder");
    const size_t prev = r.path.find_last_of('/', slash - 1);
    r.id_folder = r.path.substr(prev == std::string::npos ? 0 : prev + 1, slash - (prev == std::string::npos ? 0 : prev + 1));
    double lon = 0.0, lat = 0.0;
    bool have_lon = false, have_lat = false;
    for (int k = 1; k <= 2; ++k) {
      std::string t = tok[k];
      char letter = 0;
      if (!t.empty() && (t[0] == 'E' || t[0] == 'N')) {
        letter = t[0];
        t = t.substr(1);
      }
      double v = 0.0;
      if (!ParseDouble(t, &v)) throw bad("field " + std::to_string(k + 1) + " is not a number");
      if (letter == 0) letter = (k == 1) ? 'E' : 'N';
      if (letter == 'E') {
        if (have_lon) throw bad("two longitudes (E)");
        lon = v;
        have_lon = true;
      } else {
        if (have_lat) throw bad("two latitudes (N)");
        lat = v;
        have_lat = true;
      }
    }
    if (std::fabs(lon) > 180.0 || std::fabs(lat) > 90.0) throw bad("coordinate out of range");
    r.lat_lon = {lat, lon};
    r.height_m = std::nan("");
    if (tok.size() == 4 && !ParseDouble(tok[3], &r.height_m)) throw bad("field 4 (height) is not a number");
    out.push_back(std::move(r));
  }
  return out;
}

std::map<std::string, geo::LatLonDeg> DenseUavPositionsById(const std::vector<DenseUavGpsRecord>& records) {
  std::map<std::string, geo::LatLonDeg> out;
  for (const DenseUavGpsRecord& r : records) out[r.id_folder] = r.lat_lon;
  return out;
}

int DenseUavHeightFromFileName(const std::string& file_name) {
  if (file_name.size() < 2 || file_name[0] != 'H') return -1;
  size_t i = 1;
  while (i < file_name.size() && i <= 6 && file_name[i] >= '0' && file_name[i] <= '9') ++i;
  if (i == 1 || i >= file_name.size() || (file_name[i] != '.' && file_name[i] != '_')) return -1;
  return std::stoi(file_name.substr(1, i - 1));
}

const std::vector<std::string>& DenseUav::KnownViews(const std::string& split) {
  static const std::vector<std::string> kTrain = {"satellite", "drone"};
  static const std::vector<std::string> kTest = {"query_drone", "query_satellite", "gallery_drone", "gallery_satellite"};
  if (split == "train") return kTrain;
  if (split == "test") return kTest;
  throw CV_ERROR(InvalidArgumentError, "unknown DenseUAV split").With("split", split).With("valid", "train, test");
}

DenseUav DenseUav::Open(const fs::path& root, const DenseUavOptions& options) {
  std::vector<SplitSpec> splits(2);
  splits[0].name = "train";
  splits[0].known_views = KnownViews("train");
  splits[0].required_views = {"satellite", "drone"};
  splits[1].name = "test";
  splits[1].known_views = KnownViews("test");
  splits[1].required_views = {"query_drone", "gallery_satellite"};
  return DenseUav(SplitLayout("DenseUAV", root, std::move(splits), options.scope));
}

EvalPair DenseUav::Evaluation(Direction direction) const {
  if (direction == Direction::kDroneToSatellite) {
    ViewListing query = List("test", "query_drone");
    ViewListing gallery = List("test", "gallery_satellite");
    return MakeEvalPair(direction, std::move(query), std::move(gallery));
  }
  ViewListing query = List("test", "query_satellite");
  ViewListing gallery = List("test", "gallery_drone");
  return MakeEvalPair(direction, std::move(query), std::move(gallery));
}

std::vector<DenseUavCountIssue> DenseUav::CheckImageCounts() const {
  std::vector<DenseUavCountIssue> issues;
  for (const std::string split : {"train", "test"}) {
    for (const std::string& view : PresentViews(split)) {
      const size_t expected = view.find("drone") != std::string::npos ? 3 : 6;
      const ViewListing l = List(split, view);
      for (size_t i = 0; i < l.num_ids(); ++i) {
        if (l.images_per_id[i] != expected) issues.push_back({l.view, l.id_folders[i], l.images_per_id[i], expected});
      }
    }
  }
  return issues;
}

bool DenseUav::HasGps(const std::string& file_name) const {
  std::error_code ec;
  return fs::is_regular_file(root() / file_name, ec);
}

std::vector<DenseUavGpsRecord> DenseUav::ReadGps(const std::string& file_name) const {
  const fs::path path = root() / file_name;
  if (!HasGps(file_name)) {
    throw CV_ERROR(NotFoundError, "DenseUAV GPS file not found")
        .With("path", path.string())
        .Hint("the release ships Dense_GPS_ALL.txt, Dense_GPS_train.txt and Dense_GPS_test.txt at the dataset root");
  }
  return ParseDenseUavGps(ReadFile(path), path.string());
}

}  // namespace crossview::datasets

#include "crossview/pipeline/track_io.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "crossview/geo/distance.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"

namespace crossview::pipeline {
namespace {

std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, ',')) {
    const size_t a = cell.find_first_not_of(" \t\r\""), b = cell.find_last_not_of(" \t\r\"");
    cells.push_back(a == std::string::npos ? "" : cell.substr(a, b - a + 1));
  }
  if (!line.empty() && line.back() == ',') cells.emplace_back();
  return cells;
}

double ParseDouble(const std::string& text, const std::filesystem::path& path, int line_no, const char* column) {
  try {
    size_t used = 0;
    const double v = std::stod(text, &used);
    if (used == text.size() && std::isfinite(v)) return v;
  } catch (const std::exception&) {
  }
  throw CV_ERROR(InvalidArgumentError, std::string("truth CSV: '") + column + "' is not a number").With("path", path.string())
      .With("line", line_no).With("value", text);
}

std::string Number(double v, int precision) {
  if (!std::isfinite(v)) return "";
  std::ostringstream os;
  os << std::setprecision(precision) << v;
  return os.str();
}

nlohmann::json NumberOrNull(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); }

}  // namespace

std::map<std::string, geo::LatLonDeg> ReadTruthCsv(const std::filesystem::path& path) {
  std::istringstream in(ReadFile(path));
  std::string line;
  int line_no = 0;
  int frame_col = -1, lat_col = -1, lon_col = -1;
  std::map<std::string, geo::LatLonDeg> truth;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line == "\r") continue;
    const std::vector<std::string> cells = SplitCsvLine(line);
    if (frame_col < 0) {
      for (size_t i = 0; i < cells.size(); ++i) {
        if (cells[i] == "frame") frame_col = static_cast<int>(i);
        if (cells[i] == "lat") lat_col = static_cast<int>(i);
        if (cells[i] == "lon") lon_col = static_cast<int>(i);
      }
      if (frame_col < 0 || lat_col < 0 || lon_col < 0) {
        throw CV_ERROR(InvalidArgumentError, "truth CSV needs a header with columns frame, lat, lon").With("path", path.string()).With("header", line);
      }
      continue;
    }
    const size_t need = static_cast<size_t>(std::max({frame_col, lat_col, lon_col})) + 1;
    if (cells.size() < need) throw CV_ERROR(InvalidArgumentError, "truth CSV row has too few columns").With("path", path.string()).With("line", line_no);
    const geo::LatLonDeg p{ParseDouble(cells[static_cast<size_t>(lat_col)], path, line_no, "lat"),
                           ParseDouble(cells[static_cast<size_t>(lon_col)], path, line_no, "lon")};
    if (std::abs(p.lat_deg) > 90.0 || std::abs(p.lon_deg) > 180.0) {
      throw CV_ERROR(InvalidArgumentError, "truth CSV position is off the globe").With("path", path.string()).With("line", line_no);
    }
    truth[cells[static_cast<size_t>(frame_col)]] = p;
  }
  if (frame_col < 0) throw CV_ERROR(InvalidArgumentError, "truth CSV is empty").With("path", path.string());
  return truth;
}

std::map<std::string, double> ReadHeadingCsv(const std::filesystem::path& path) {
  std::istringstream in(ReadFile(path));
  std::string line;
  int line_no = 0;
  int frame_col = -1, heading_col = -1;
  std::map<std::string, double> headings;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line == "\r") continue;
    const std::vector<std::string> cells = SplitCsvLine(line);
    if (frame_col < 0) {
      for (size_t i = 0; i < cells.size(); ++i) {
        if (cells[i] == "frame") frame_col = static_cast<int>(i);
        if (cells[i] == "heading_deg" || (cells[i] == "yaw_deg" && heading_col < 0)) heading_col = static_cast<int>(i);
      }
      if (frame_col < 0 || heading_col < 0) {
        throw CV_ERROR(InvalidArgumentError, "heading CSV needs a header with columns frame and heading_deg (or yaw_deg)")
            .With("path", path.string())
            .With("header", line);
      }
      continue;
    }
    const size_t need = static_cast<size_t>(std::max(frame_col, heading_col)) + 1;
    if (cells.size() < need) throw CV_ERROR(InvalidArgumentError, "heading CSV row has too few columns").With("path", path.string()).With("line", line_no);
    const double h = ParseDouble(cells[static_cast<size_t>(heading_col)], path, line_no, "heading_deg");
    if (!std::isfinite(h)) throw CV_ERROR(InvalidArgumentError, "heading CSV value is not finite").With("path", path.string()).With("line", line_no);
    headings[cells[static_cast<size_t>(frame_col)]] = h;
  }
  if (frame_col < 0) throw CV_ERROR(InvalidArgumentError, "heading CSV is empty").With("path", path.string());
  return headings;
}

std::optional<double> FindHeading(const std::map<std::string, double>& headings, const std::string& name, int index) {
  for (const std::string& key : {name, std::filesystem::path(name).stem().string(), std::to_string(index)}) {
    auto it = headings.find(key);
    if (it != headings.end()) return it->second;
  }
  return std::nullopt;
}

std::optional<geo::LatLonDeg> FindTruth(const std::map<std::string, geo::LatLonDeg>& truth, const std::string& name, int index) {
  for (const std::string& key : {name, std::filesystem::path(name).stem().string(), std::to_string(index)}) {
    auto it = truth.find(key);
    if (it != truth.end()) return it->second;
  }
  return std::nullopt;
}

int AttachTruth(Track* track, const std::map<std::string, geo::LatLonDeg>& truth) {
  int matched = 0;
  for (TrackFrame& f : track->frames) {
    f.truth = FindTruth(truth, f.name, f.index);
    if (f.truth) {
      f.error_m = geo::HaversineDistanceM(*f.truth, f.result.lat_lon);
      ++matched;
    }
  }
  return matched;
}

double Percentile(std::vector<double> values, double q) {
  if (values.empty()) throw CV_ERROR(InvalidArgumentError, "percentile of no values");
  if (!(q >= 0.0 && q <= 100.0)) throw CV_ERROR(InvalidArgumentError, "percentile must be in [0, 100]").With("q", q);
  std::sort(values.begin(), values.end());
  const double pos = q / 100.0 * static_cast<double>(values.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(values.size() - 1, lo + 1);
  return values[lo] + (pos - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

ErrorSummary SummariseErrors(const std::vector<double>& errors_m) {
  ErrorSummary s;
  s.n = static_cast<int>(errors_m.size());
  if (errors_m.empty()) return s;
  double sum = 0.0;
  int in25 = 0, in50 = 0;
  for (double e : errors_m) {
    sum += e;
    in25 += e <= 25.0;
    in50 += e <= 50.0;
    s.max_m = std::max(s.max_m, e);
  }
  s.mean_m = sum / s.n;
  s.median_m = Percentile(errors_m, 50.0);
  s.p90_m = Percentile(errors_m, 90.0);
  s.within_25m = static_cast<double>(in25) / s.n;
  s.within_50m = static_cast<double>(in50) / s.n;
  return s;
}

nlohmann::json ToJson(const ErrorSummary& s) {
  return {{"n", s.n}, {"mean_m", s.mean_m}, {"median_m", s.median_m}, {"p90_m", s.p90_m}, {"max_m", s.max_m},
          {"within_25m", s.within_25m}, {"within_50m", s.within_50m}};
}

nlohmann::json TrackGeoJson(const Track& track) {
  nlohmann::json line = nlohmann::json::array();
  nlohmann::json features = nlohmann::json::array();
  for (const TrackFrame& f : track.frames) line.push_back({f.result.lat_lon.lon_deg, f.result.lat_lon.lat_deg});
  features.push_back({{"type", "Feature"},
                      {"geometry", {{"type", "LineString"}, {"coordinates", line}}},
                      {"properties", {{"kind", "track"}, {"frames", track.frames.size()}}}});
  for (const TrackFrame& f : track.frames) {
    const LocateResult& r = f.result;
    nlohmann::json props = {{"kind", "fix"},
                            {"frame", f.index},
                            {"name", f.name},
                            {"mode", SearchModeName(f.mode)},
                            {"lat", r.lat_lon.lat_deg},
                            {"lon", r.lat_lon.lon_deg},
                            {"method", r.method},
                            {"confidence", r.confidence},
                            {"uncertainty_m", r.uncertainty_m},
                            {"top1_tile", r.candidates.empty() ? -1 : r.candidates.front().tile_id},
                            {"top1_score", r.candidates.empty() ? 0.0 : r.candidates.front().score}};
    if (f.truth) {
      props["truth_lat"] = f.truth->lat_deg;
      props["truth_lon"] = f.truth->lon_deg;
      props["error_m"] = NumberOrNull(f.error_m);
    }
    features.push_back({{"type", "Feature"},
                        {"geometry", {{"type", "Point"}, {"coordinates", {r.lat_lon.lon_deg, r.lat_lon.lat_deg}}}},
                        {"properties", props}});
  }
  return {{"type", "FeatureCollection"}, {"features", features}};
}

std::string TrackCsv(const Track& track) {
  std::ostringstream os;
  os << "frame,name,mode,lat,lon,method,confidence,uncertainty_m,top1_tile,top1_score,truth_lat,truth_lon,error_m\n";
  for (const TrackFrame& f : track.frames) {
    const LocateResult& r = f.result;
    os << f.index << ',' << f.name << ',' << SearchModeName(f.mode) << ',' << Number(r.lat_lon.lat_deg, 12) << ','
       << Number(r.lat_lon.lon_deg, 12) << ',' << r.method << ',' << Number(r.confidence, 6) << ',' << Number(r.uncertainty_m, 6) << ','
       << (r.candidates.empty() ? -1 : r.candidates.front().tile_id) << ',' << Number(r.candidates.empty() ? 0.0 : r.candidates.front().score, 6)
       << ',' << (f.truth ? Number(f.truth->lat_deg, 12) : "") << ',' << (f.truth ? Number(f.truth->lon_deg, 12) : "") << ','
       << Number(f.error_m, 6) << '\n';
  }
  return os.str();
}

nlohmann::json TrackSummary(const Track& track, const nlohmann::json& effective_options) {
  int full = 0, prior = 0, recovery = 0;
  std::vector<double> errors;
  for (const TrackFrame& f : track.frames) {
    full += f.mode == SearchMode::kFull;
    prior += f.mode == SearchMode::kPrior;
    recovery += f.mode == SearchMode::kRecovery;
    if (std::isfinite(f.error_m)) errors.push_back(f.error_m);
  }
  return {{"frames", track.frames.size()},
          {"modes", {{"full", full}, {"prior", prior}, {"recovery", recovery}}},
          {"seconds", track.seconds},
          {"seconds_per_frame", track.frames.empty() ? 0.0 : track.seconds / static_cast<double>(track.frames.size())},
          {"options", effective_options},
          {"errors", errors.empty() ? nlohmann::json() : ToJson(SummariseErrors(errors))}};
}

void WriteTrack(const std::filesystem::path& dir, const Track& track, const nlohmann::json& effective_options) {
  EnsureDirectory(dir);
  WriteFileAtomic(dir / "track.geojson", TrackGeoJson(track).dump(1) + "\n");
  WriteFileAtomic(dir / "track.csv", TrackCsv(track));
  WriteFileAtomic(dir / "summary.json", TrackSummary(track, effective_options).dump(2) + "\n");
}

}  // namespace crossview::pipeline

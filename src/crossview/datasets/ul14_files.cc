#include "crossview/datasets/ul14_files.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "crossview/datasets/json_fields.h"
#include "crossview/geo/distance.h"
#include "crossview/util/errors.h"

namespace crossview::datasets {
namespace {

bool AllDigits(const std::string& s, size_t max_len) {
  return !s.empty() && s.size() <= max_len && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void RequirePlainKey(const std::string& key, const std::string& source, const std::string& object_path) {
  if (!IsPlainFileName(key)) {
    throw CV_ERROR(IoError, "malformed JSON: key is not a plain file name")
        .With("file", source)
        .With("key", MemberPath(object_path, key))
        .Hint("search-map keys name files in the sample's Satellite/ folder, e.g. \"0.jpg\"");
  }
}

double Coordinate(const nlohmann::json& object, const std::string& key, const std::string& source, const std::string& path,
                  double limit) {
  const std::string key_path = MemberPath(path, key);
  const double v = RequireFiniteNumber(RequireMember(object, key, source, path), source, key_path);
  if (std::fabs(v) > limit) {
    throw CV_ERROR(IoError, "coordinate out of range")
        .With("file", source)
        .With("key", key_path)
        .With("value", v)
        .With("valid",
              "[-" + std::to_string(static_cast<int>(limit)) + ", " + std::to_string(static_cast<int>(limit)) + "] degrees");
  }
  return v;
}

}  // namespace

bool IsPlainFileName(const std::string& name) {
  if (name.empty() || name == "." || name == "..") return false;
  return name.find_first_of(std::string("/\\\0", 3)) == std::string::npos;
}

Ul14FolderName ParseUl14FolderName(const std::string& name) {
  const size_t last = name.rfind('_');
  const size_t mid = last == std::string::npos || last == 0 ? std::string::npos : name.rfind('_', last - 1);
  auto fail = [&]() {
    return CV_ERROR(InvalidArgumentError, "UL14 sample folder name is not <Place>_<Height>_<Index>")
        .With("folder", name)
        .Hint("sample folders are named like town-europe_100_0007: place, flight height in metres, index");
  };
  if (mid == std::string::npos || mid == 0) throw fail();
  const std::string place = name.substr(0, mid);
  const std::string height = name.substr(mid + 1, last - mid - 1);
  const std::string index = name.substr(last + 1);
  if (!AllDigits(height, 6) || !AllDigits(index, 9)) throw fail();
  Ul14FolderName out;
  out.place = place;
  out.height_m = std::stoi(height);
  out.index = std::stoi(index);
  if (out.height_m <= 0) throw fail();
  return out;
}

std::map<std::string, geo::Ul14Label> ParseUl14Labels(const std::string& json_text, const std::string& source,
                                                      int stored_size_px) {
  const nlohmann::json j = ParseJsonText(json_text, source);
  RequireObject(j, source, "");
  std::map<std::string, geo::Ul14Label> labels;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& key = it.key();
    RequirePlainKey(key, source, "");
    const std::string path = MemberPath("", key);
    const nlohmann::json& v = it.value();
    if (!v.is_array() || v.size() != 2) {
      throw CV_ERROR(IoError, "malformed JSON: a label must be [row, col]")
          .With("file", source)
          .With("key", path)
          .With("got", v.is_array() ? "an array of " + std::to_string(v.size()) : std::string(v.type_name()));
    }
    const long long row = RequireInteger(v[0], source, path + "[0]", -(1LL << 40), 1LL << 40);
    const long long col = RequireInteger(v[1], source, path + "[1]", -(1LL << 40), 1LL << 40);
    if (row < 0 || row >= stored_size_px || col < 0 || col >= stored_size_px) {
      throw CV_ERROR(IoError, "label lies outside the search map")
          .With("file", source)
          .With("key", path)
          .With("row", row)
          .With("col", col)
          .With("map_size_px", stored_size_px)
          .Hint("labels are [row, col] pixels of the UAV in the stored map, each in [0, " + std::to_string(stored_size_px) + ")");
    }
    labels[key] = geo::Ul14Label{static_cast<int>(row), static_cast<int>(col)};
  }
  if (labels.empty()) throw CV_ERROR(IoError, "labels.json holds no labels").With("file", source);
  return labels;
}

Ul14GpsInfo ParseUl14GpsInfo(const std::string& json_text, const std::string& source) {
  const nlohmann::json j = ParseJsonText(json_text, source);
  RequireObject(j, source, "");
  Ul14GpsInfo info;
  const nlohmann::json& uav = RequireMember(j, "UAV", source, "");
  info.uav.lon_deg = Coordinate(uav, "E", source, "UAV", 180.0);
  info.uav.lat_deg = Coordinate(uav, "N", source, "UAV", 90.0);
  const nlohmann::json& sat = RequireMember(j, "Satellite", source, "");
  RequireObject(sat, source, "Satellite");
  for (auto it = sat.begin(); it != sat.end(); ++it) {
    RequirePlainKey(it.key(), source, "Satellite");
    const std::string path = MemberPath("Satellite", it.key());
    const nlohmann::json& m = it.value();
    RequireObject(m, source, path);
    geo::Ul14SearchMapGps g;
    g.tl_e_deg = Coordinate(m, "tl_E", source, path, 180.0);
    g.tl_n_deg = Coordinate(m, "tl_N", source, path, 90.0);
    g.br_e_deg = Coordinate(m, "br_E", source, path, 180.0);
    g.br_n_deg = Coordinate(m, "br_N", source, path, 90.0);
    g.center_distribute_x = RequireFiniteNumber(RequireMember(m, "center_distribute_X", source, path), source,
                                                MemberPath(path, "center_distribute_X"));
    g.center_distribute_y = RequireFiniteNumber(RequireMember(m, "center_distribute_Y", source, path), source,
                                                MemberPath(path, "center_distribute_Y"));
    const double map_size = RequireFiniteNumber(RequireMember(m, "map_size", source, path), source, MemberPath(path, "map_size"));
    if (!(map_size >= 1.0 && map_size <= 1e7)) {
      throw CV_ERROR(IoError, "map_size out of range")
          .With("file", source)
          .With("key", MemberPath(path, "map_size"))
          .With("value", map_size)
          .With("valid", "[1, 1e7] source pixels");
    }
    g.map_size = static_cast<int>(std::lround(map_size));
    info.maps[it.key()] = g;
  }
  if (info.maps.empty())
    throw CV_ERROR(IoError, "GPS_info.json lists no satellite maps").With("file", source).With("key", "Satellite");
  return info;
}

bool CheckUl14Label(const std::string& sample, const std::string& map, const geo::Ul14SearchMapGps& gps,
                    const geo::Ul14Label& label, geo::LatLonDeg uav, double tolerance_px, int stored_size_px,
                    Ul14LabelViolation* out) {
  Ul14LabelViolation v;
  v.sample = sample;
  v.map = map;
  v.label = label;
  const double span_e = gps.br_e_deg - gps.tl_e_deg;
  const double span_n = gps.tl_n_deg - gps.br_n_deg;
  if (!(span_e > 0.0 && span_n > 0.0) || stored_size_px <= 0) {
    v.problem = "search-map corners are not a north-up box (need tl_E < br_E and tl_N > br_N)";
    v.error_row_px = v.error_col_px = v.error_m = std::nan("");
    if (out != nullptr) *out = v;
    return true;
  }
  v.uav_px = geo::Ul14PixelFromLatLon(gps, uav, stored_size_px);
  v.error_row_px = v.uav_px.row - label.row;
  v.error_col_px = v.uav_px.col - label.col;
  const geo::LatLonDeg from_label =
      geo::Ul14LatLonFromPixel(gps, {static_cast<double>(label.col), static_cast<double>(label.row)}, stored_size_px);
  v.error_m = geo::HaversineDistanceM(uav, from_label);
  if (std::fabs(v.error_row_px) <= tolerance_px && std::fabs(v.error_col_px) <= tolerance_px) return false;
  std::ostringstream os;
  os << "label [" << label.row << ", " << label.col << "] is " << v.error_row_px << " px (rows) and " << v.error_col_px
     << " px (cols) from GPS_info.json's UAV at (row " << v.uav_px.row << ", col " << v.uav_px.col << "), " << v.error_m << " m";
  v.problem = os.str();
  if (out != nullptr) *out = v;
  return true;
}

}  // namespace crossview::datasets

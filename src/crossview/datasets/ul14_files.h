// The UL14 (DRL) per-sample files (drl.md §6.2–6.3, data.md §4.3): folder names, labels.json and
// GPS_info.json, and the label ↔ GPS consistency check. The geo-conversion itself is
// geo/ul14_georef.h.
//
//   labels.json    {"0.jpg": [row, col], …}   "X" = row, "Y" = col, integer pixels of the UAV in
//                                              the stored (768-px) search map
//   GPS_info.json  {"UAV": {"E": lon, "N": lat},
//                   "Satellite": {"0.jpg": {"tl_E", "tl_N", "br_E", "br_N",
//                                           "center_distribute_X", "center_distribute_Y",
//                                           "map_size"}, …}}
//
// Parse errors are IoError naming the file and the key path; unknown members are ignored.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "crossview/geo/coords.h"
#include "crossview/geo/ul14_georef.h"

namespace crossview::datasets {

// <Place>_<Height>_<Index>, split at the last two underscores: the place may contain '-' (and,
// in foreign data, '_'); height and index are digit strings.
struct Ul14FolderName {
  std::string place;  // e.g. "town-europe"
  int height_m = 0;   // flight height, e.g. 100
  int index = 0;      // e.g. 7 for "0007"
};
// Throws InvalidArgumentError naming `name` if it does not have that shape.
Ul14FolderName ParseUl14FolderName(const std::string& name);

// labels.json → {map file name: (row, col)}. Each value must be a 2-element array of integers
// inside [0, stored_size_px); a label outside the map is an IoError naming the key.
std::map<std::string, geo::Ul14Label> ParseUl14Labels(const std::string& json_text, const std::string& source,
                                                      int stored_size_px = geo::kUl14MapSizePx);

struct Ul14GpsInfo {
  geo::LatLonDeg uav;                                 // "UAV": E → lon_deg, N → lat_deg
  std::map<std::string, geo::Ul14SearchMapGps> maps;  // "Satellite": per map file name
};
// GPS_info.json. Latitudes must lie in [−90, 90], longitudes in [−180, 180], map_size in
// [1, 10^7]; center_distribute_X/Y must be finite.
Ul14GpsInfo ParseUl14GpsInfo(const std::string& json_text, const std::string& source);

// A map name used as a key must be a plain file name: no '/', '\\', NUL, "." or "..".
bool IsPlainFileName(const std::string& name);

// One search map whose label disagrees with GPS_info.json's "UAV" by more than the tolerance.
struct Ul14LabelViolation {
  std::string sample;       // sample folder name
  std::string map;          // map file name
  geo::Ul14Label label;     // from labels.json
  geo::PixelColRow uav_px;  // where "UAV" falls in the stored map (corner-based, continuous)
  double error_row_px = 0;  // uav_px.row − label.row
  double error_col_px = 0;  // uav_px.col − label.col
  double error_m = 0;       // haversine between "UAV" and the label's lat/lon
  std::string problem;      // human-readable one-liner
};

// Compares one map's label with the UAV position. Returns true and fills *out (if non-null) when
// either axis differs by more than `tolerance_px` (labels are ⌊position⌋, so a consistent label
// differs by [0, 1)), or when the map's corners are not a north-up box. Never throws for bad data.
bool CheckUl14Label(const std::string& sample, const std::string& map, const geo::Ul14SearchMapGps& gps,
                    const geo::Ul14Label& label, geo::LatLonDeg uav, double tolerance_px, int stored_size_px,
                    Ul14LabelViolation* out);

}  // namespace crossview::datasets

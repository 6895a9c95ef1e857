// A flight report: one or more tracks of the same flight (e.g. retrieval only and retrieval +
// DRL, each written by `crossview locate --sequence`) compared against the truth on the map.
//
// Per track, over the frames that have truth:
//   R@1    share of frames whose best tile (top1_tile) contains the true position, i.e. the truth
//          taken to map pixels through the map's georeference lies in the tile's pixel window
//          (col_off <= col < col_off + width_px, likewise rows);
//   MA@K   share of frames whose position error (haversine, R = 6 378 137 m, as written by the
//          track) is <= K metres, for every K of the options;
//   mean / median / p90 / max error in metres (track_io.h's definitions).
// Pictures: the map overview with the true track and every estimated track, the per-frame error
// curves, and example frames next to their DRL heatmaps when a heatmap folder is given.
// Outputs (each written atomically): report.json, report.md, report.html, overview.png,
// errors.png, examples/ (frame and heatmap pictures referenced by the HTML).
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "crossview/geo/coords.h"
#include "crossview/geo/tiling.h"
#include "crossview/pipeline/tile_table.h"

namespace crossview::pipeline {

// One frame of a track as read back from track.geojson.
struct ReportFrame {
  int frame = 0;
  std::string name;
  std::string mode;
  geo::LatLonDeg estimate;
  int64_t top1_tile = -1;
  std::optional<geo::LatLonDeg> truth;
  double error_m = 0.0;  // meaningful only with truth
};

// Reads the Point features of a track.geojson. Throws NotFoundError / InvalidArgumentError naming
// the file for a missing or malformed file.
std::vector<ReportFrame> ReadTrackFrames(const std::filesystem::path& geojson);

struct TrackMetrics {
  std::string label;
  int frames = 0;
  int with_truth = 0;
  double recall_at_1 = 0.0;           // fraction in [0, 1]
  std::map<int, double> ma;           // K -> fraction in [0, 1]
  double mean_m = 0.0, median_m = 0.0, p90_m = 0.0, max_m = 0.0;
  double seconds_per_frame = 0.0;     // from the track's summary.json when present
};

// The metrics above. `pixel_of` maps a lat/lon to map pixels (the index's map); `tiles` is the
// index's tile table (id = position). A frame without truth is skipped; a top1_tile outside the
// table counts as a miss. Throws InvalidArgumentError when no frame has truth.
TrackMetrics ComputeTrackMetrics(const std::string& label, const std::vector<ReportFrame>& frames, const std::vector<TileRecord>& tiles,
                                 const std::function<geo::PixelColRow(geo::LatLonDeg)>& pixel_of, const std::vector<int>& ks);

struct FlightReportTrack {
  std::string label;            // e.g. "retrieval", "retrieval+drl"
  std::filesystem::path dir;    // holds track.geojson (and summary.json)
  std::filesystem::path heatmaps;  // optional: <frame stem>.jpg heatmap pictures of this track
};

struct FlightReportOptions {
  std::filesystem::path index;   // the index directory the tracks were located on
  std::filesystem::path map;     // its map; empty: the one recorded in the index
  std::filesystem::path flight;  // optional: the frames, for example pictures
  std::vector<FlightReportTrack> tracks;
  std::vector<int> ks = {10, 20, 50};
  int examples = 4;              // example frames in the HTML (0 = none)
  int overview_px = 1024;        // longer side of the overview picture
  std::string title = "crossview flight report";
  std::string note;              // a paragraph placed under the title (data provenance)
  void Check() const;
};

struct FlightReport {
  std::vector<TrackMetrics> tracks;
  nlohmann::json json;  // what report.json holds
};

// Computes the metrics and writes the outputs into `out` (created if needed).
FlightReport WriteFlightReport(const FlightReportOptions& options, const std::filesystem::path& out);

// The table printed by `crossview report flight` (the same numbers as report.md, in %).
std::string FormatFlightReportText(const FlightReport& report);

}  // namespace crossview::pipeline

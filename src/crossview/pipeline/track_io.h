// Track outputs and ground truth.
//
// Truth CSV: a header row naming at least `frame`, `lat` and `lon` (any order, extra columns
// ignored), then one row per frame. `frame` is the frame's file name, its name without the
// extension, or its 0-based index in the sequence.
//
// Outputs written by WriteTrack into a directory (each atomically):
//   track.geojson  a FeatureCollection: one LineString through the fixes, then one Point per frame
//                  with properties {frame, name, mode, lat, lon, method, confidence,
//                  uncertainty_m, top1_tile, top1_score, [truth_lat, truth_lon, error_m]}
//                  (GeoJSON coordinates are [lon, lat]);
//   track.csv      frame,name,mode,lat,lon,method,confidence,uncertainty_m,top1_tile,top1_score,
//                  truth_lat,truth_lon,error_m (empty cells without truth);
//   summary.json   the effective options, frame and recovery counts, timing, and with truth the
//                  error summary.
//
// Error summary over the frames with truth: mean, median, p90 (linear interpolation between
// order statistics, numpy's default), max, and the fractions within 25 m and 50 m (≤).
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "crossview/geo/coords.h"
#include "crossview/pipeline/track.h"

namespace crossview::pipeline {

// Frame key (as written in the CSV) → position. Throws NotFoundError for a missing file and
// InvalidArgumentError naming the line for a malformed row or a missing column.
std::map<std::string, geo::LatLonDeg> ReadTruthCsv(const std::filesystem::path& path);

// Frame key → camera heading in degrees (clockwise from north), from a CSV with a header naming
// `frame` and `heading_deg` (or, as in a synthetic flight's truth.csv, `yaw_deg`). Throws like
// ReadTruthCsv.
std::map<std::string, double> ReadHeadingCsv(const std::filesystem::path& path);

// Looks a frame up by name, name without extension, or index.
std::optional<geo::LatLonDeg> FindTruth(const std::map<std::string, geo::LatLonDeg>& truth, const std::string& name, int index);
std::optional<double> FindHeading(const std::map<std::string, double>& headings, const std::string& name, int index);

// Sets truth and error_m (haversine, R = 6 378 137 m) on every frame that has a truth row.
// Returns the number of frames matched.
int AttachTruth(Track* track, const std::map<std::string, geo::LatLonDeg>& truth);

struct ErrorSummary {
  int n = 0;
  double mean_m = 0.0, median_m = 0.0, p90_m = 0.0, max_m = 0.0;
  double within_25m = 0.0, within_50m = 0.0;  // fractions in [0, 1]
};
// Linear-interpolation percentile, q in [0, 100]. Throws InvalidArgumentError for no values.
double Percentile(std::vector<double> values, double q);
ErrorSummary SummariseErrors(const std::vector<double>& errors_m);
nlohmann::json ToJson(const ErrorSummary& s);

nlohmann::json TrackGeoJson(const Track& track);
std::string TrackCsv(const Track& track);
// {"frames", "modes": {full, prior, recovery}, "seconds", "options": {...}, "errors": summary|null}
nlohmann::json TrackSummary(const Track& track, const nlohmann::json& effective_options);

// Writes track.geojson, track.csv and summary.json into `dir` (created if needed).
void WriteTrack(const std::filesystem::path& dir, const Track& track, const nlohmann::json& effective_options);

}  // namespace crossview::pipeline

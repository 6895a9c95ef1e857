// Locating one drone image on an indexed map: describe the query exactly like the gallery was
// described (the settings recorded in index.json), retrieve the top-k tiles (optionally only
// inside a prior circle), estimate the confidence (retrieval_confidence.h) and, if asked, refine
// the best candidate(s) with DRL (drl_refiner.h).
//
//   LocatorOptions lo;
//   lo.index = "map.idx";
//   Locator loc = Locator::Open(lo);
//   LocateResult r = loc.Locate(data::LoadImageRgb("frame.jpg"), LocateOptions{});
//   r.lat_lon   // refined position if refined, else the best tile's centre
//
// Identity checks: the retrieval model (given, or the one recorded in the index) must have the
// model.pt SHA-256 the index was built with; the map used for refinement (recorded, or given to
// move it) must have the recorded SHA-256, size and georeference.
// A Locator is not thread-safe (GDAL datasets and torch modules are used in place): use one per
// thread.
#pragma once

#include <array>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <optional>
#include <string>
#include <vector>

#include "crossview/pipeline/describer.h"
#include "crossview/pipeline/drl_refiner.h"
#include "crossview/pipeline/map_source.h"
#include "crossview/pipeline/retrieval_confidence.h"
#include "crossview/pipeline/tile_index.h"

namespace crossview::pipeline {

struct LocatorOptions {
  std::string index;
  std::string checkpoint;      // retrieval model; empty = the one recorded in the index
  std::string drl_checkpoint;  // DRL model; empty = no refinement available
  std::string map;             // the map for refinement; empty = the one recorded in the index
  std::string device = "auto";
  int batch = 16;
  bool verify_checksums = true;
  bool verify_map_sha256 = true;
};

struct LocateOptions {
  int64_t top_k = 5;
  std::optional<SearchPrior> prior;
  bool refine = false;  // needs LocatorOptions::drl_checkpoint
  RefineOptions refine_options;
  RetrievalConfidenceOptions confidence;
  // Tiles that enter the confidence estimate (at least top_k are used).
  int64_t confidence_candidates = 10;
  // The camera's heading (degrees clockwise from true north of the image's up direction, e.g.
  // from the drone's compass). When set, the query is turned north-up (NorthUpQuery) before it is
  // described and refined, like the north-up map tiles.
  std::optional<double> heading_deg;
  void Check() const;
};

// The query turned north-up: rotated clockwise by `heading_deg` about its centre (bilinear) and
// cropped to the largest centred square that holds no area from outside the image, side
// min(w, h) / (|cos h| + |sin h|). A heading of 0 returns the image unchanged (a centred square
// crop when it is not square).
cv::Mat NorthUpQuery(const cv::Mat& rgb, double heading_deg);

struct TileCandidate {
  int rank = 0;  // 1-based
  int64_t tile_id = 0;
  double score = 0.0;
  geo::LatLonDeg centre;
  geo::PixelWindow window;
  double distance_from_best_m = 0.0;
  std::array<geo::LatLonDeg, 4> corners;  // the tile's footprint: top-left, top-right, bottom-right, bottom-left
};

struct LocateResult {
  geo::LatLonDeg lat_lon;        // the answer
  std::string method;            // "retrieval" or "retrieval+drl"
  double confidence = 0.0;       // retrieval confidence (retrieval_confidence.h)
  double uncertainty_m = 0.0;    // heatmap spread when refined, else the retrieval uncertainty
  std::vector<TileCandidate> candidates;  // top_k, best first
  RetrievalConfidence retrieval;
  std::optional<RefineResult> refined;
  std::optional<SearchPrior> prior;
  int64_t searched_tiles = 0;    // gallery tiles the query was compared with
  double describe_s = 0.0, search_s = 0.0, refine_s = 0.0, total_s = 0.0;
};

// {"lat", "lon", "method", "confidence", "uncertainty_m", "uncertainty": {definitions…},
//  "retrieval": {confidence, score_gap, spread_m, sampling_m, uncertainty_m, candidates},
//  "top_k": [{rank, tile_id, score, lat, lon, window: {col_off, row_off, width_px, height_px},
//             distance_from_best_m, corners: [[lat, lon] x4: top-left, top-right, bottom-right,
//             bottom-left]}],
//  "prior": null | {lat, lon, radius_m}, "searched_tiles",
//  "refined": null | {lat, lon, peak, spread_m, candidate_rank, peak_rc: [row, col],
//                     input_size, window: {...}, window_corners: {top_left, bottom_right}},
//  "timing_s": {describe, search, refine, total}}
nlohmann::json ToJson(const LocateResult& r);
// The effective options (for summary files).
nlohmann::json ToJson(const LocateOptions& o);
std::string FormatLocateText(const LocateResult& r);

class Locator {
 public:
  static Locator Open(const LocatorOptions& options);
  Locator(Locator&&) noexcept;
  Locator& operator=(Locator&&) noexcept;
  ~Locator();

  LocateResult Locate(const cv::Mat& query_rgb, const LocateOptions& options);

  const TileIndex& index() const { return index_; }
  bool can_refine() const { return refiner_ != nullptr; }
  const RetrievalDescriber& describer() const { return *describer_; }
  // The map used for refinement, opened (and verified) on first use.
  const MapSource& map();

 private:
  Locator(TileIndex index) : index_(std::move(index)) {}
  TileIndex index_;
  LocatorOptions options_;
  std::unique_ptr<RetrievalDescriber> describer_;
  std::unique_ptr<DrlRefiner> refiner_;
  std::unique_ptr<MapSource> map_;
};

}  // namespace crossview::pipeline

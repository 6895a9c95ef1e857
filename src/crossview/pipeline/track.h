// Tracking a flight frame by frame (drl.md §1.1: once a first fix is known, search near it).
//
// Policy, per frame (PlanPrior / NeedsRecovery, tested directly):
// 1. Where to search. First frame: the initial prior if given, else the whole index. Later
//    frames: a circle of radius_m around the previous fix if that fix was confident
//    (confidence ≥ recovery_confidence), else the whole index (the track is lost).
// 2. Recovery. If the frame was searched inside a circle and the answer's confidence is below
//    recovery_confidence, or the circle holds no tile, the frame is searched again over the whole
//    index and the more confident of the two answers is kept (the circle's on a tie).
// The confidence is the retrieval confidence (retrieval_confidence.h), also when the answer is
// DRL-refined; the previous fix is the answer's position (refined when refined).
#pragma once

#include <cmath>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "crossview/geo/coords.h"
#include "crossview/pipeline/frame_source.h"
#include "crossview/pipeline/locator.h"

namespace crossview::pipeline {

struct TrackOptions {
  double radius_m = 500.0;              // search circle around the previous fix
  double recovery_confidence = 0.5;     // below it: search the whole index
  std::optional<SearchPrior> initial_prior;
  // Per-frame camera headings (track_io.h ReadHeadingCsv; keys: name, stem or index). When not
  // empty every frame must have one; it becomes LocateOptions::heading_deg of that frame.
  std::map<std::string, double> headings_deg;
  void Check() const;
};

enum class SearchMode {
  kFull,      // the whole index (first frame without a prior, or the track was lost)
  kPrior,     // inside the circle around the previous fix (or the initial prior)
  kRecovery,  // the circle's answer was not confident: searched again over the whole index
};
const char* SearchModeName(SearchMode mode);
nlohmann::json ToJson(const TrackOptions& o);

struct TrackState {
  int frames = 0;
  std::optional<geo::LatLonDeg> last_fix;
  double last_confidence = 0.0;
};

// Step 1 of the policy: the circle to search, or nullopt for the whole index.
std::optional<SearchPrior> PlanPrior(const TrackState& state, const TrackOptions& options);
// Step 2: whether an answer found inside a circle must be re-checked over the whole index.
bool NeedsRecovery(double confidence, const TrackOptions& options);

struct TrackFrame {
  int index = 0;
  std::string name;
  SearchMode mode = SearchMode::kFull;
  LocateResult result;
  // Recovery frames: the confidence of the discarded or kept circle answer (NaN otherwise, and
  // when the circle held no tile).
  double circle_confidence = std::nan("");
  bool recovered_from_circle = false;  // recovery ran and the whole-index answer was kept
  std::optional<geo::LatLonDeg> truth;
  double error_m = std::nan("");
};

// How a frame is located; Locator::Locate in production, a fake in tests.
using LocateFn = std::function<LocateResult(const cv::Mat& rgb, const LocateOptions& options)>;

class Tracker {
 public:
  // `locate_options.prior` is ignored (the policy sets it); use TrackOptions::initial_prior.
  Tracker(LocateFn locate, LocateOptions locate_options, TrackOptions options);
  TrackFrame Step(const Frame& frame);
  const TrackState& state() const { return state_; }

 private:
  LocateFn locate_;
  LocateOptions locate_options_;
  TrackOptions options_;
  TrackState state_;
};

struct Track {
  std::vector<TrackFrame> frames;
  TrackOptions options;
  double seconds = 0.0;
};

// Runs a Tracker over every frame of `frames` (progress bar on a terminal when `progress`).
// `on_frame`, when set, sees each frame before it is stored (e.g. to write its heatmap and drop
// the pictures, so a long flight does not keep them all in memory).
Track LocateSequence(Locator& locator, FrameSource& frames, const LocateOptions& locate_options, const TrackOptions& options,
                     bool progress = true, const std::function<void(TrackFrame&)>& on_frame = {});

}  // namespace crossview::pipeline

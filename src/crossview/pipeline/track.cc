#include "crossview/pipeline/track.h"

#include <chrono>

#include "crossview/pipeline/track_io.h"
#include "crossview/util/errors.h"
#include "crossview/util/log.h"
#include "crossview/util/progress.h"

namespace crossview::pipeline {

void TrackOptions::Check() const {
  if (!(radius_m > 0.0) || !std::isfinite(radius_m)) throw CV_ERROR(InvalidArgumentError, "track radius_m must be positive").With("radius_m", radius_m);
  if (!(recovery_confidence >= 0.0 && recovery_confidence <= 1.0)) {
    throw CV_ERROR(InvalidArgumentError, "recovery_confidence must be in [0, 1]").With("recovery_confidence", recovery_confidence);
  }
  if (initial_prior) initial_prior->Check();
}

const char* SearchModeName(SearchMode mode) {
  switch (mode) {
    case SearchMode::kFull: return "full";
    case SearchMode::kPrior: return "prior";
    case SearchMode::kRecovery: return "recovery";
  }
  return "?";
}

nlohmann::json ToJson(const TrackOptions& o) {
  return {{"radius_m", o.radius_m},
          {"recovery_confidence", o.recovery_confidence},
          {"initial_prior", o.initial_prior ? nlohmann::json{{"lat", o.initial_prior->centre.lat_deg}, {"lon", o.initial_prior->centre.lon_deg},
                                                             {"radius_m", o.initial_prior->radius_m}}
                                            : nlohmann::json()},
          {"headings", o.headings_deg.size()}};
}

std::optional<SearchPrior> PlanPrior(const TrackState& state, const TrackOptions& options) {
  if (state.frames == 0 || !state.last_fix) return options.initial_prior;
  if (!NeedsRecovery(state.last_confidence, options)) return SearchPrior{*state.last_fix, options.radius_m};
  return std::nullopt;
}

bool NeedsRecovery(double confidence, const TrackOptions& options) { return !(confidence >= options.recovery_confidence); }

Tracker::Tracker(LocateFn locate, LocateOptions locate_options, TrackOptions options)
    : locate_(std::move(locate)), locate_options_(std::move(locate_options)), options_(std::move(options)) {
  options_.Check();
  locate_options_.prior.reset();
  locate_options_.Check();
}

TrackFrame Tracker::Step(const Frame& frame) {
  TrackFrame out;
  out.index = frame.index;
  out.name = frame.name;
  LocateOptions lo = locate_options_;
  lo.prior = PlanPrior(state_, options_);
  if (!options_.headings_deg.empty()) {
    lo.heading_deg = FindHeading(options_.headings_deg, frame.name, frame.index);
    if (!lo.heading_deg) {
      throw CV_ERROR(InvalidArgumentError, "no heading for frame '" + frame.name + "'").Hint("add a row for every frame to the heading CSV");
    }
  }
  if (!lo.prior) {
    out.mode = SearchMode::kFull;
    out.result = locate_(frame.rgb, lo);
  } else {
    std::optional<LocateResult> circle;
    try {
      circle = locate_(frame.rgb, lo);
    } catch (const NotFoundError& e) {
      CV_LOG_DEBUG("frame {}: {}", frame.name, e.what());  // no tile inside the circle
    }
    if (circle && !NeedsRecovery(circle->confidence, options_)) {
      out.mode = SearchMode::kPrior;
      out.result = std::move(*circle);
    } else {
      out.mode = SearchMode::kRecovery;
      lo.prior.reset();
      LocateResult full = locate_(frame.rgb, lo);
      if (circle) out.circle_confidence = circle->confidence;
      out.recovered_from_circle = !circle || full.confidence > circle->confidence;
      out.result = out.recovered_from_circle ? std::move(full) : std::move(*circle);
    }
  }
  ++state_.frames;
  state_.last_fix = out.result.lat_lon;
  state_.last_confidence = out.result.confidence;
  return out;
}

Track LocateSequence(Locator& locator, FrameSource& frames, const LocateOptions& locate_options, const TrackOptions& options, bool progress,
                     const std::function<void(TrackFrame&)>& on_frame) {
  const auto t0 = std::chrono::steady_clock::now();
  Tracker tracker([&locator](const cv::Mat& rgb, const LocateOptions& o) { return locator.Locate(rgb, o); }, locate_options, options);
  Track track;
  track.options = options;
  ProgressBar::Options po;
  po.enabled_auto = progress;
  ProgressBar bar(std::max<int64_t>(0, frames.size_hint()), "tracking", po);
  Frame frame;
  while (frames.Next(&frame)) {
    TrackFrame f = WithContext("frame", frame.name, [&] { return tracker.Step(frame); });
    if (on_frame) on_frame(f);
    track.frames.push_back(std::move(f));
    bar.Add(1);
  }
  bar.Finish();
  if (track.frames.empty()) throw CV_ERROR(InvalidArgumentError, "the sequence has no frames");
  track.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  int recoveries = 0;
  for (const TrackFrame& f : track.frames) recoveries += f.mode == SearchMode::kRecovery;
  CV_LOG_INFO("tracked {} frames in {:.1f} s ({} recoveries)", track.frames.size(), track.seconds, recoveries);
  return track;
}

}  // namespace crossview::pipeline

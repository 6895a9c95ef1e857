#include "crossview/pipeline/retrieval_confidence.h"

#include <cmath>

#include "crossview/geo/distance.h"
#include "crossview/util/errors.h"

namespace crossview::pipeline {

void RetrievalConfidenceOptions::Check() const {
  if (!(temperature > 0.0) || !std::isfinite(temperature)) {
    throw CV_ERROR(InvalidArgumentError, "confidence temperature must be positive").With("temperature", temperature);
  }
  if (!(agreement_radius_m >= 0.0) || !std::isfinite(agreement_radius_m)) {
    throw CV_ERROR(InvalidArgumentError, "agreement_radius_m must be >= 0").With("agreement_radius_m", agreement_radius_m);
  }
}

RetrievalConfidence EstimateRetrievalConfidence(const std::vector<ScoredPosition>& ranked, double tile_size_m, double stride_m,
                                                const RetrievalConfidenceOptions& options) {
  options.Check();
  if (ranked.empty()) throw CV_ERROR(InvalidArgumentError, "no candidates to estimate a confidence from");
  if (!(tile_size_m > 0.0) || !(stride_m > 0.0)) {
    throw CV_ERROR(InvalidArgumentError, "tile size and stride must be positive").With("tile_size_m", tile_size_m).With("stride_m", stride_m);
  }
  const double agree_m = options.agreement_radius_m > 0.0 ? options.agreement_radius_m : tile_size_m;
  const ScoredPosition& best = ranked.front();
  double total = 0.0, agreeing = 0.0, moment = 0.0;
  for (const ScoredPosition& p : ranked) {
    const double w = std::exp((p.score - best.score) / options.temperature);
    const double d = geo::HaversineDistanceM(best.lat_lon, p.lat_lon);
    total += w;
    if (d <= agree_m) agreeing += w;
    moment += w * d * d;
  }
  RetrievalConfidence c;
  c.candidates = static_cast<int>(ranked.size());
  c.confidence = agreeing / total;
  c.score_gap = ranked.size() > 1 ? best.score - ranked[1].score : 0.0;
  c.spread_m = std::sqrt(moment / total);
  c.sampling_m = stride_m / std::sqrt(6.0);
  c.uncertainty_m = std::hypot(c.spread_m, c.sampling_m);
  return c;
}

}  // namespace crossview::pipeline

// How sure a retrieval answer is, from the ranked tiles alone (no ground truth). Definitions, for
// the top-N tiles with cosine scores s_1 ≥ s_2 ≥ … and centres p_i (p_1 is the answer):
//
//   w_i            = exp((s_i − s_1) / T)                      softmax weights, temperature T
//   confidence     = Σ_{d(p_i, p_1) ≤ A} w_i / Σ w_i            the weight of the tiles that agree
//                                                              with the answer (within A metres,
//                                                              default one tile side), in (0, 1]
//   score_gap      = s_1 − s_2                                  (0 with a single tile)
//   spread_m       = sqrt(Σ w_i d(p_i, p_1)² / Σ w_i)           weighted RMS distance of the
//                                                              candidates from the answer
//   sampling_m     = stride / √6                               RMS distance from a uniformly
//                                                              placed point to the nearest tile
//                                                              centre of a square grid of that
//                                                              stride: the gallery's own floor
//   uncertainty_m  = sqrt(spread_m² + sampling_m²)             the reported 1-σ-like radius
//
// Overlapping neighbours of the right tile score high too; counting agreeing tiles together keeps
// them from lowering the confidence. A single candidate carries no evidence either way:
// confidence 1, spread 0. d is the haversine distance (R = 6 378 137 m).
#pragma once

#include <vector>

#include "crossview/geo/coords.h"

namespace crossview::pipeline {

struct RetrievalConfidenceOptions {
  double temperature = 0.05;        // T, in cosine-score units
  double agreement_radius_m = 0.0;  // A; 0 = one tile side
  void Check() const;
};

struct ScoredPosition {
  geo::LatLonDeg lat_lon;
  double score = 0.0;
};

struct RetrievalConfidence {
  double confidence = 0.0;
  double score_gap = 0.0;
  double spread_m = 0.0;
  double sampling_m = 0.0;
  double uncertainty_m = 0.0;
  int candidates = 0;
};

// `ranked` best first (at least one). Throws InvalidArgumentError for an empty list or
// non-positive tile size / stride.
RetrievalConfidence EstimateRetrievalConfidence(const std::vector<ScoredPosition>& ranked, double tile_size_m, double stride_m,
                                                const RetrievalConfidenceOptions& options = {});

}  // namespace crossview::pipeline

// Picking targets without ambiguity (spec data.md §3.7): seeded Poisson-disk candidates, the
// featureless test and the near-duplicate test on satellite-tile thumbnails.
//
// Thumbnail (§3.7 rule 3): the candidate's north-up satellite tile rendered at 64×64 through the
// anti-aliased renderer, luminance Y = 0.299 R + 0.587 G + 0.114 B, minus its Gaussian blur
// (σ = 3 px, reflected border). The standard deviation of that high-passed luminance is the
// featureless measure (rule 2); normalised to zero mean and unit variance it is the thumbnail.
//
// Duplicate score of two thumbnails A and B: the normalised cross-correlation over shifts of up
// to ±s px (s = 8), computed as the best Pearson correlation between A's central (n−2s)² window
// and every (n−2s)² window of B, and the same with A and B swapped; the larger of the two. It is
// symmetric and 1 for identical tiles; a candidate scoring ≥ 0.7 against any accepted thumbnail of
// its split is rejected.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

#include "crossview/data/map_frame.h"
#include "crossview/data/texture_pyramid.h"
#include "crossview/util/random.h"

namespace crossview::data {

struct TileThumbnail {
  cv::Mat normalized;          // CV_32FC1, size × size, zero mean and unit variance
  double highpass_std = 0.0;   // grey levels, before normalisation
};

// From an 8-bit RGB (channel order R, G, B) tile already at thumbnail size.
TileThumbnail MakeTileThumbnail(const cv::Mat& tile_rgb8, double blur_sigma_px = 3.0);

// Renders the north-up tile of side `side_m` centred on `centre_en_m` at size_px² and makes its
// thumbnail. Single-threaded (callers parallelise over candidates).
TileThumbnail RenderTileThumbnail(const TexturePyramid& texture, const MapFrame& map,
                                  const cv::Vec2d& centre_en_m, double side_m, int size_px = 64,
                                  double blur_sigma_px = 3.0);

// The symmetric shifted NCC described above. Both thumbnails must have the same square size
// larger than 2·max_shift_px.
double ShiftedNcc(const cv::Mat& a, const cv::Mat& b, int max_shift_px = 8);

// The accepted thumbnails of one split.
class DuplicateIndex {
 public:
  explicit DuplicateIndex(int max_shift_px = 8) : max_shift_px_(max_shift_px) {}
  // The best score against every accepted thumbnail (0 when there is none). Stops early, and
  // returns that score, as soon as one reaches `stop_at`.
  double BestMatch(const TileThumbnail& thumbnail, double stop_at = 2.0) const;
  void Add(const TileThumbnail& thumbnail) { accepted_.push_back(thumbnail.normalized); }
  size_t size() const { return accepted_.size(); }

 private:
  int max_shift_px_;
  std::vector<cv::Mat> accepted_;
};

// Bridson's Poisson-disk sampling in `region` (any units, e.g. metres): points at least
// `min_spacing` apart, `attempts` tries per active point, seeded by `rng`, then shuffled with it.
// A region of zero width or height yields at most a line of points; an empty (negative) one
// none. Throws InvalidArgumentError for a non-positive spacing.
std::vector<cv::Vec2d> PoissonDiskSamples(const cv::Rect2d& region, double min_spacing,
                                          int attempts, Rng& rng);

}  // namespace crossview::data

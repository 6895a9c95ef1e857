// Synthetic occlusion for robustness test sets (spec data.md §3.10). Off by default: a generator
// writes occluded images as a separate set, never mixed into the clean one, and records the
// coverage of each mask.
//
// - Satellite tiles: clouds, soft-edged blobs from thresholded multi-octave value noise, alpha at
//   most alpha_max, coverage drawn from cloud_coverage.
// - Drone views: one random-erasing rectangle filled with the image's per-channel mean, coverage
//   drawn from erase_coverage. (Propeller / landing-gear shapes are not offered.)
//
// Everything is drawn from the caller's seeded stream in a fixed order.
#pragma once

#include <array>

#include <opencv2/core.hpp>

#include "crossview/data/uniform_range.h"
#include "crossview/util/random.h"

namespace crossview::data {

struct OcclusionOptions {
  // Random erasing (drone views): area fraction and width/height ratio (drawn log-uniformly).
  UniformRange erase_coverage{0.02, 0.20};
  UniformRange erase_aspect{0.3, 3.3};
  // Clouds (satellite tiles).
  UniformRange cloud_coverage{0.0, 0.20};
  double cloud_alpha_max = 0.9;
  int cloud_octaves = 4;
  int cloud_base_cells = 3;           // value-noise cells across the image at the coarsest octave
  double cloud_edge_softness = 0.08;  // noise units over which alpha ramps up at a cloud's edge
  std::array<double, 3> cloud_rgb{245.0, 245.0, 248.0};

  // Throws InvalidArgumentError naming the bad field.
  void Check() const;
};

struct OcclusionResult {
  cv::Mat image;          // CV_8UC3
  cv::Mat alpha;          // CV_32FC1 in [0, 1]: how much of each pixel is occluded
  double coverage = 0.0;  // fraction of pixels with alpha > 0 (record in the manifest)
};

// Multi-octave value noise in [0, 1] (CV_32FC1): octave o has base_cells·2^o cells across the
// larger image side, random values at the cell corners (drawn row-major, octave by octave) and
// smoothstep interpolation; octaves are weighted 1, ½, ¼, …
cv::Mat ValueNoise(cv::Size size_px, int octaves, int base_cells, Rng& rng);

// Drone-view occlusion: one rectangle of the drawn coverage and aspect, at a uniform position,
// filled with the image's per-channel mean (rounded). Coverage is the exact rectangle share.
OcclusionResult ApplyRandomErasing(const cv::Mat& image_rgb8, const OcclusionOptions& options,
                                   Rng& rng);

// Satellite-tile occlusion: clouds whose coverage is the drawn fraction (the noise threshold is
// that quantile), blended over the image with soft edges.
OcclusionResult ApplyClouds(const cv::Mat& image_rgb8, const OcclusionOptions& options, Rng& rng);

}  // namespace crossview::data

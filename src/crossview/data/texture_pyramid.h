// An area-averaged image pyramid of a texture with bilinear and trilinear sampling (spec data.md
// §3.3), the sampler shared by drone views and north-up tiles.
//
// Level 0 is the texture as float. Level k+1 has ⌈w/2⌉ × ⌈h/2⌉ pixels; pixel (i, j) is the mean of
// level-k pixels (2i, 2j), (2i, 2j+1), (2i+1, 2j), (2i+1, 2j+1), an index past the last row or
// column standing for the last one (edge replicate). So level k covers exactly 2^k level-0 pixels
// per pixel and a corner-based level-0 coordinate x is x/2^k at level k, for any size.
//
// Sampling positions are corner-based level-0 map pixels (x = column, y = row). Bilinear sampling
// clamps to the edge (replicate); callers decide what counts as outside the map.
//
// Build one pyramid per texture and share it: it is immutable after construction, so any number of
// threads may sample it at once. Memory is about 16 bytes per texel (float levels, 4/3 overhead):
// 17 MB for a 1024² texture, 67 MB for 2048².
#pragma once

#include <vector>

#include <opencv2/core.hpp>

namespace crossview::data {

class TexturePyramid {
 public:
  // `image_u8c3`: an 8-bit, 3-channel image (any channel order; samples keep it). Throws
  // InvalidArgumentError for an empty image or another type. Builds every level down to 1×1.
  explicit TexturePyramid(const cv::Mat& image_u8c3);

  int width_px() const { return levels_.front().cols; }
  int height_px() const { return levels_.front().rows; }
  int num_levels() const { return static_cast<int>(levels_.size()); }
  // Level k as CV_32FC3.
  const cv::Mat& level(int k) const { return levels_.at(static_cast<size_t>(k)); }

  // Bilinear sample of level k at level-0 position (x_px, y_px); writes 3 floats to `rgb`.
  // k is clamped to [0, num_levels − 1].
  void SampleBilinear(int k, double x_px, double y_px, float* rgb) const;
  // Trilinear sample at continuous level `lod`: bilinear at ⌊lod⌋ and ⌊lod⌋+1, blended linearly.
  // lod ≤ 0 is plain bilinear at level 0; lod past the last level uses the last level.
  void SampleTrilinear(double lod, double x_px, double y_px, float* rgb) const;

 private:
  std::vector<cv::Mat> levels_;
  std::vector<double> inv_scales_;  // 2^-k per level
};

// Area-averaged 2× reduction with edge replicate for odd sizes (the pyramid step), CV_32FC3 in and
// out. Exposed for tests.
cv::Mat DownsampleAreaByTwo(const cv::Mat& level_f32c3);

}  // namespace crossview::data

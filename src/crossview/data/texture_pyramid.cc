#include "crossview/data/texture_pyramid.h"

#include <algorithm>
#include <cmath>

#include "crossview/util/errors.h"

namespace crossview::data {

cv::Mat DownsampleAreaByTwo(const cv::Mat& level_f32c3) {
  CV_CHECK(level_f32c3.type() == CV_32FC3 && !level_f32c3.empty());
  const int w = level_f32c3.cols, h = level_f32c3.rows;
  const int w2 = (w + 1) / 2, h2 = (h + 1) / 2;
  cv::Mat out(h2, w2, CV_32FC3);
  for (int i = 0; i < h2; ++i) {
    const auto* r0 = level_f32c3.ptr<float>(2 * i);
    const auto* r1 = level_f32c3.ptr<float>(std::min(2 * i + 1, h - 1));
    auto* o = out.ptr<float>(i);
    for (int j = 0; j < w2; ++j) {
      const int c0 = 3 * (2 * j), c1 = 3 * std::min(2 * j + 1, w - 1);
      for (int ch = 0; ch < 3; ++ch) {
        o[3 * j + ch] = 0.25f * ((r0[c0 + ch] + r0[c1 + ch]) + (r1[c0 + ch] + r1[c1 + ch]));
      }
    }
  }
  return out;
}

TexturePyramid::TexturePyramid(const cv::Mat& image_u8c3) {
  if (image_u8c3.empty() || image_u8c3.type() != CV_8UC3) {
    throw CV_ERROR(InvalidArgumentError, "texture must be a non-empty 8-bit 3-channel image")
        .With("type", cv::typeToString(image_u8c3.type()))
        .With("size", image_u8c3.size())
        .Hint("load it with LoadImageRgb");
  }
  cv::Mat level0;
  image_u8c3.convertTo(level0, CV_32FC3);
  levels_.push_back(level0);
  while (levels_.back().cols > 1 || levels_.back().rows > 1) {
    levels_.push_back(DownsampleAreaByTwo(levels_.back()));
  }
  for (size_t k = 0; k < levels_.size(); ++k) {
    inv_scales_.push_back(std::ldexp(1.0, -static_cast<int>(k)));
  }
}

void TexturePyramid::SampleBilinear(int k, double x_px, double y_px, float* rgb) const {
  k = std::clamp(k, 0, num_levels() - 1);
  const cv::Mat& lv = levels_[static_cast<size_t>(k)];
  const double inv_scale = inv_scales_[static_cast<size_t>(k)];
  // Centre-based coordinates at level k.
  const double u = x_px * inv_scale - 0.5;
  const double v = y_px * inv_scale - 0.5;
  const double uf = std::floor(u), vf = std::floor(v);
  const float fx = static_cast<float>(u - uf), fy = static_cast<float>(v - vf);
  const int max_c = lv.cols - 1, max_r = lv.rows - 1;
  int c0, c1, r0, r1;
  if (uf >= 0.0 && uf < max_c) {  // interior: no clamping needed
    c0 = static_cast<int>(uf);
    c1 = c0 + 1;
  } else {  // clamp in double first, so far-away positions cannot overflow int
    c0 = static_cast<int>(std::clamp(uf, 0.0, static_cast<double>(max_c)));
    c1 = static_cast<int>(std::clamp(uf + 1.0, 0.0, static_cast<double>(max_c)));
  }
  if (vf >= 0.0 && vf < max_r) {
    r0 = static_cast<int>(vf);
    r1 = r0 + 1;
  } else {
    r0 = static_cast<int>(std::clamp(vf, 0.0, static_cast<double>(max_r)));
    r1 = static_cast<int>(std::clamp(vf + 1.0, 0.0, static_cast<double>(max_r)));
  }
  const float* p0 = lv.ptr<float>(r0);
  const float* p1 = lv.ptr<float>(r1);
  const float* a00 = p0 + 3 * c0;
  const float* a01 = p0 + 3 * c1;
  const float* a10 = p1 + 3 * c0;
  const float* a11 = p1 + 3 * c1;
  for (int ch = 0; ch < 3; ++ch) {
    const float top = a00[ch] + fx * (a01[ch] - a00[ch]);
    const float bottom = a10[ch] + fx * (a11[ch] - a10[ch]);
    rgb[ch] = top + fy * (bottom - top);
  }
}

void TexturePyramid::SampleTrilinear(double lod, double x_px, double y_px, float* rgb) const {
  if (!(lod > 0.0)) {
    SampleBilinear(0, x_px, y_px, rgb);
    return;
  }
  const int last = num_levels() - 1;
  if (lod >= last) {
    SampleBilinear(last, x_px, y_px, rgb);
    return;
  }
  const int k = static_cast<int>(lod);
  const float t = static_cast<float>(lod - k);
  float fine[3], coarse[3];
  SampleBilinear(k, x_px, y_px, fine);
  SampleBilinear(k + 1, x_px, y_px, coarse);
  for (int ch = 0; ch < 3; ++ch) rgb[ch] = fine[ch] + t * (coarse[ch] - fine[ch]);
}

}  // namespace crossview::data

#include "crossview/data/occlusion.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "crossview/util/errors.h"

namespace crossview::data {
namespace {

void CheckRgb8(const cv::Mat& image) {
  if (image.empty() || image.type() != CV_8UC3) {
    throw CV_ERROR(InvalidArgumentError, "occlusion needs a non-empty 8-bit RGB image")
        .With("type", cv::typeToString(image.type()));
  }
}

float Smoothstep(float t) { return t * t * (3.0f - 2.0f * t); }

uint8_t ToU8(float v) { return static_cast<uint8_t>(std::min(255.0f, std::max(0.0f, v)) + 0.5f); }

}  // namespace

void OcclusionOptions::Check() const {
  CheckUniformRange("occlusion.erase_coverage", erase_coverage, 0.0, 1.0);
  CheckUniformRange("occlusion.erase_aspect", erase_aspect, 0.01, 100.0);
  if (!(erase_aspect.lo > 0.0)) {
    throw CV_ERROR(InvalidArgumentError, "occlusion.erase_aspect must be positive")
        .With("lo", erase_aspect.lo);
  }
  CheckUniformRange("occlusion.cloud_coverage", cloud_coverage, 0.0, 1.0);
  if (!(cloud_alpha_max >= 0.0 && cloud_alpha_max <= 1.0)) {
    throw CV_ERROR(InvalidArgumentError, "occlusion.cloud_alpha_max must be in [0, 1]")
        .With("cloud_alpha_max", cloud_alpha_max);
  }
  if (cloud_octaves < 1 || cloud_octaves > 10 || cloud_base_cells < 1 || cloud_base_cells > 64) {
    throw CV_ERROR(InvalidArgumentError, "occlusion cloud noise needs 1..10 octaves, 1..64 cells")
        .With("cloud_octaves", cloud_octaves)
        .With("cloud_base_cells", cloud_base_cells);
  }
  if (!(cloud_edge_softness > 0.0 && cloud_edge_softness <= 1.0)) {
    throw CV_ERROR(InvalidArgumentError, "occlusion.cloud_edge_softness must be in (0, 1]")
        .With("cloud_edge_softness", cloud_edge_softness);
  }
  for (double c : cloud_rgb) {
    if (!(c >= 0.0 && c <= 255.0)) {
      throw CV_ERROR(InvalidArgumentError, "occlusion.cloud_rgb values must be in [0, 255]")
          .With("value", c);
    }
  }
}

cv::Mat ValueNoise(cv::Size size_px, int octaves, int base_cells, Rng& rng) {
  if (size_px.width <= 0 || size_px.height <= 0 || octaves < 1 || base_cells < 1) {
    throw CV_ERROR(InvalidArgumentError, "value noise needs a positive size, octaves and cells")
        .With("size", size_px)
        .With("octaves", octaves)
        .With("base_cells", base_cells);
  }
  cv::Mat noise = cv::Mat::zeros(size_px, CV_32FC1);
  const double side = std::max(size_px.width, size_px.height);
  float amplitude = 1.0f, total = 0.0f;
  for (int o = 0; o < octaves; ++o) {
    const int cells = base_cells << o;
    const int n = cells + 1;
    std::vector<float> grid(static_cast<size_t>(n * n));
    for (float& g : grid) g = static_cast<float>(rng.Uniform01());
    const double px_to_cell = cells / side;
    for (int r = 0; r < size_px.height; ++r) {
      auto* out = noise.ptr<float>(r);
      const double y = (r + 0.5) * px_to_cell;
      const int y0 = std::min(static_cast<int>(y), cells - 1);
      const float ty = Smoothstep(static_cast<float>(y - y0));
      for (int c = 0; c < size_px.width; ++c) {
        const double x = (c + 0.5) * px_to_cell;
        const int x0 = std::min(static_cast<int>(x), cells - 1);
        const float tx = Smoothstep(static_cast<float>(x - x0));
        const float* g0 = &grid[static_cast<size_t>(y0 * n + x0)];
        const float* g1 = g0 + n;
        const float top = g0[0] + tx * (g0[1] - g0[0]);
        const float bottom = g1[0] + tx * (g1[1] - g1[0]);
        out[c] += amplitude * (top + ty * (bottom - top));
      }
    }
    total += amplitude;
    amplitude *= 0.5f;
  }
  noise *= 1.0 / total;
  return noise;
}

OcclusionResult ApplyRandomErasing(const cv::Mat& image_rgb8, const OcclusionOptions& options,
                                   Rng& rng) {
  CheckRgb8(image_rgb8);
  options.Check();
  const int cols = image_rgb8.cols, rows = image_rgb8.rows;
  const double coverage = DrawUniform(rng, options.erase_coverage);
  const double aspect = std::exp(
      DrawUniform(rng, {std::log(options.erase_aspect.lo), std::log(options.erase_aspect.hi)}));
  const double area = coverage * cols * rows;
  int w = static_cast<int>(std::lround(std::sqrt(area * aspect)));
  w = std::clamp(w, area > 0.0 ? 1 : 0, cols);
  int h = w > 0 ? static_cast<int>(std::lround(area / w)) : 0;
  h = std::clamp(h, w > 0 ? 1 : 0, rows);
  const int x0 = static_cast<int>(rng.UniformInt(0, cols - w));
  const int y0 = static_cast<int>(rng.UniformInt(0, rows - h));

  OcclusionResult result;
  result.image = image_rgb8.clone();
  result.alpha = cv::Mat::zeros(image_rgb8.size(), CV_32FC1);
  if (w > 0 && h > 0) {
    const cv::Scalar mean = cv::mean(image_rgb8);
    const cv::Rect rect(x0, y0, w, h);
    result.image(rect).setTo(cv::Scalar(ToU8(static_cast<float>(mean[0])),
                                        ToU8(static_cast<float>(mean[1])),
                                        ToU8(static_cast<float>(mean[2]))));
    result.alpha(rect).setTo(1.0);
  }
  result.coverage = static_cast<double>(w) * h / (static_cast<double>(cols) * rows);
  return result;
}

OcclusionResult ApplyClouds(const cv::Mat& image_rgb8, const OcclusionOptions& options, Rng& rng) {
  CheckRgb8(image_rgb8);
  options.Check();
  const double coverage = DrawUniform(rng, options.cloud_coverage);
  Rng noise_rng = rng.Fork("cloud_noise");
  const cv::Mat noise =
      ValueNoise(image_rgb8.size(), options.cloud_octaves, options.cloud_base_cells, noise_rng);

  OcclusionResult result;
  result.image = image_rgb8.clone();
  result.alpha = cv::Mat::zeros(image_rgb8.size(), CV_32FC1);
  const size_t total = image_rgb8.total();
  const size_t covered = static_cast<size_t>(std::floor(coverage * static_cast<double>(total)));
  if (covered == 0) return result;
  // Threshold at the (1 − coverage) quantile: exactly `covered` pixels lie above it (up to ties).
  std::vector<float> values(noise.begin<float>(), noise.end<float>());
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(total - covered),
                   values.end());
  const float threshold = values[total - covered];
  const float inv_soft = static_cast<float>(1.0 / options.cloud_edge_softness);
  const float alpha_max = static_cast<float>(options.cloud_alpha_max);
  size_t above = 0;
  for (int r = 0; r < image_rgb8.rows; ++r) {
    const float* n = noise.ptr<float>(r);
    float* a = result.alpha.ptr<float>(r);
    auto* px = result.image.ptr<uint8_t>(r);
    for (int c = 0; c < image_rgb8.cols; ++c) {
      if (n[c] < threshold) continue;
      // Ramp from a small positive alpha at the threshold to alpha_max inside the cloud.
      const float t = std::min(1.0f, (n[c] - threshold) * inv_soft);
      a[c] = alpha_max * std::max(0.05f, Smoothstep(t));
      if (a[c] > 0.0f) ++above;
      for (int ch = 0; ch < 3; ++ch) {
        const float v = px[3 * c + ch] * (1.0f - a[c]) +
                        static_cast<float>(options.cloud_rgb[static_cast<size_t>(ch)]) * a[c];
        px[3 * c + ch] = ToU8(v);
      }
    }
  }
  result.coverage = static_cast<double>(above) / static_cast<double>(total);
  return result;
}

}  // namespace crossview::data

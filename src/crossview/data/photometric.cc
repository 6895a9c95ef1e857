#include "crossview/data/photometric.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "crossview/util/errors.h"

namespace crossview::data {
namespace {

constexpr double kDegToRad = M_PI / 180.0;

void CheckRange(const char* name, const UniformRange& r, double min_allowed, double max_allowed) {
  CheckUniformRange(std::string("photometric.") + name, r, min_allowed, max_allowed);
}

// 1-D Gaussian kernel with radius ⌈3σ⌉, normalised to sum 1.
cv::Mat GaussianKernel1d(double sigma_px) {
  const int radius = std::max(1, static_cast<int>(std::ceil(3.0 * sigma_px)));
  cv::Mat k(2 * radius + 1, 1, CV_32FC1);
  double sum = 0.0;
  std::vector<double> w(static_cast<size_t>(2 * radius + 1));
  for (int i = -radius; i <= radius; ++i) {
    w[static_cast<size_t>(i + radius)] = std::exp(-0.5 * (i * i) / (sigma_px * sigma_px));
    sum += w[static_cast<size_t>(i + radius)];
  }
  for (int i = 0; i < 2 * radius + 1; ++i) {
    k.at<float>(i) = static_cast<float>(w[static_cast<size_t>(i)] / sum);
  }
  return k;
}

uint8_t ToU8(float v) { return static_cast<uint8_t>(std::min(255.0f, std::max(0.0f, v)) + 0.5f); }

}  // namespace

void PhotometricOptions::Check() const {
  CheckRange("exposure_ev", exposure_ev, -4.0, 4.0);
  CheckRange("contrast", contrast, 0.0, 4.0);
  CheckRange("gamma", gamma, 0.1, 10.0);
  CheckRange("wb_delta", wb_delta, -0.5, 0.5);
  CheckRange("wb_tau", wb_tau, -0.5, 0.5);
  CheckRange("saturation", saturation, 0.0, 4.0);
  CheckRange("haze_beta_per_m", haze_beta_per_m, 0.0, 1.0);
  CheckRange("blur_sigma_px", blur_sigma_px, 0.0, 20.0);
  CheckRange("motion_length_px", motion_length_px, 0.0, 50.0);
  CheckRange("vignette_corner_gain", vignette_corner_gain, 0.0, 1.0);
  CheckRange("noise_read_sigma", noise_read_sigma, 0.0, 100.0);
  CheckRange("noise_shot_gain", noise_shot_gain, 0.0, 10.0);
  for (double c : haze_rgb) {
    if (!(c >= 0.0 && c <= 255.0)) {
      throw CV_ERROR(InvalidArgumentError, "photometric.haze_rgb values must be in [0, 255]")
          .With("value", c);
    }
  }
  if (jpeg_quality_min < 1 || jpeg_quality_max > 100 || jpeg_quality_min > jpeg_quality_max) {
    throw CV_ERROR(InvalidArgumentError, "photometric JPEG quality range must lie in [1, 100]")
        .With("jpeg_quality_min", jpeg_quality_min)
        .With("jpeg_quality_max", jpeg_quality_max);
  }
}

PhotometricOptions PhotometricOptions::Drone() { return PhotometricOptions(); }

PhotometricOptions PhotometricOptions::Satellite() {
  PhotometricOptions o;
  o.contrast = {0.9, 1.1};
  o.wb_delta = {-0.04, 0.04};
  o.wb_tau = {-0.015, 0.015};
  o.haze_beta_per_m = {0.0, 0.0};
  o.vignette_corner_gain = {1.0, 1.0};
  o.motion_length_px = {0.0, 0.0};
  o.jpeg_quality_min = o.jpeg_quality_max = 90;
  return o;
}

PhotometricOptions PhotometricOptions::Off() {
  PhotometricOptions o;
  o.off = true;
  return o;
}

bool PhotometricParams::IsIdentity() const {
  return exposure_ev == 0.0 && contrast == 1.0 && gamma == 1.0 && wb_delta == 0.0 &&
         wb_tau == 0.0 && saturation == 1.0 && haze_beta_per_m == 0.0 && blur_sigma_px == 0.0 &&
         motion_length_px < 1e-3 && vignette_corner_gain == 1.0 && noise_read_sigma == 0.0 &&
         noise_shot_gain == 0.0;
}

std::vector<std::pair<std::string, double>> PhotometricParamList(const PhotometricParams& p) {
  return {{"ev", p.exposure_ev},
          {"contrast", p.contrast},
          {"gamma", p.gamma},
          {"wb_delta", p.wb_delta},
          {"wb_tau", p.wb_tau},
          {"saturation", p.saturation},
          {"haze_beta", p.haze_beta_per_m},
          {"haze_r", p.haze_rgb[0]},
          {"haze_g", p.haze_rgb[1]},
          {"haze_b", p.haze_rgb[2]},
          {"blur_sigma_px", p.blur_sigma_px},
          {"motion_px", p.motion_length_px},
          {"motion_angle_deg", p.motion_angle_deg},
          {"vignette", p.vignette_corner_gain},
          {"noise_read", p.noise_read_sigma},
          {"noise_shot", p.noise_shot_gain},
          {"jpeg_quality", static_cast<double>(p.jpeg_quality)}};
}

PhotometricParams DrawPhotometricParams(const PhotometricOptions& options, Rng& rng,
                                        bool oblique_view) {
  options.Check();
  PhotometricParams p;
  if (options.off) return p;
  p.exposure_ev = DrawUniform(rng, options.exposure_ev);
  p.contrast = DrawUniform(rng, options.contrast);
  p.gamma = DrawUniform(rng, options.gamma);
  p.wb_delta = DrawUniform(rng, options.wb_delta);
  p.wb_tau = DrawUniform(rng, options.wb_tau);
  p.saturation = DrawUniform(rng, options.saturation);
  p.haze_beta_per_m = DrawUniform(rng, options.haze_beta_per_m);
  if (!oblique_view) p.haze_beta_per_m = 0.0;
  p.haze_rgb = options.haze_rgb;
  p.blur_sigma_px = DrawUniform(rng, options.blur_sigma_px);
  p.motion_length_px = DrawUniform(rng, options.motion_length_px);
  p.motion_angle_deg = DrawUniform(rng, {0.0, 180.0});
  p.vignette_corner_gain = DrawUniform(rng, options.vignette_corner_gain);
  p.noise_read_sigma = DrawUniform(rng, options.noise_read_sigma);
  p.noise_shot_gain = DrawUniform(rng, options.noise_shot_gain);
  p.noise_seed = rng.NextU64();
  p.jpeg_quality =
      static_cast<int>(rng.UniformInt(options.jpeg_quality_min, options.jpeg_quality_max));
  return p;
}

cv::Mat MotionBlurKernel(double length_px, double angle_deg) {
  if (!(length_px >= 1e-3)) return cv::Mat::ones(1, 1, CV_32FC1);
  const int radius = static_cast<int>(std::ceil(0.5 * length_px)) + 1;
  const int size = 2 * radius + 1;
  cv::Mat k = cv::Mat::zeros(size, size, CV_32FC1);
  const double dx = std::cos(angle_deg * kDegToRad), dy = std::sin(angle_deg * kDegToRad);
  // Splat evenly spaced points of the segment bilinearly onto the kernel grid.
  const int n = std::max(2, static_cast<int>(std::ceil(16.0 * length_px))) + 1;
  std::vector<double> acc(static_cast<size_t>(size * size), 0.0);
  for (int i = 0; i < n; ++i) {
    const double t = (static_cast<double>(i) / (n - 1) - 0.5) * length_px;
    const double x = radius + t * dx, y = radius + t * dy;
    const int x0 = static_cast<int>(std::floor(x)), y0 = static_cast<int>(std::floor(y));
    const double fx = x - x0, fy = y - y0;
    const double w[4] = {(1 - fx) * (1 - fy), fx * (1 - fy), (1 - fx) * fy, fx * fy};
    const int xs[4] = {x0, x0 + 1, x0, x0 + 1}, ys[4] = {y0, y0, y0 + 1, y0 + 1};
    for (int j = 0; j < 4; ++j) {
      if (xs[j] < 0 || xs[j] >= size || ys[j] < 0 || ys[j] >= size) continue;
      acc[static_cast<size_t>(ys[j] * size + xs[j])] += w[j];
    }
  }
  double sum = 0.0;
  for (double a : acc) sum += a;
  for (int i = 0; i < size * size; ++i) {
    k.at<float>(i / size, i % size) = static_cast<float>(acc[static_cast<size_t>(i)] / sum);
  }
  return k;
}

cv::Mat ApplyPhotometric(const cv::Mat& image_rgb8, const PhotometricParams& p,
                         const cv::Mat& ground_distance_m) {
  if (image_rgb8.empty() || image_rgb8.type() != CV_8UC3) {
    throw CV_ERROR(InvalidArgumentError, "photometric effects need a non-empty 8-bit RGB image")
        .With("type", cv::typeToString(image_rgb8.type()));
  }
  const bool haze = p.haze_beta_per_m > 0.0;
  if (haze &&
      (ground_distance_m.type() != CV_32FC1 || ground_distance_m.size() != image_rgb8.size())) {
    throw CV_ERROR(InvalidArgumentError, "haze needs a per-pixel ground distance map")
        .With("haze_beta_per_m", p.haze_beta_per_m)
        .With("distance_type", cv::typeToString(ground_distance_m.type()))
        .With("distance_size", ground_distance_m.size())
        .With("image_size", image_rgb8.size())
        .Hint("pass GroundDistanceMapM(camera, pose), or draw with oblique_view = false");
  }
  if (p.IsIdentity()) return image_rgb8.clone();
  const int rows = image_rgb8.rows, cols = image_rgb8.cols;
  cv::Mat v;
  image_rgb8.convertTo(v, CV_32FC3);

  // 1. Exposure.
  const float gain = static_cast<float>(std::exp2(p.exposure_ev));
  // 2. Contrast about the mean of all pixels and channels (after exposure), summed in order.
  double sum = 0.0;
  for (int r = 0; r < rows; ++r) {
    const float* px = v.ptr<float>(r);
    for (int i = 0; i < 3 * cols; ++i) sum += px[i];
  }
  const float mean = static_cast<float>(sum * gain / (3.0 * rows * cols));
  const float c = static_cast<float>(p.contrast);
  const double g = p.gamma;
  const float wb[3] = {static_cast<float>(1.0 + p.wb_delta), static_cast<float>(1.0 + p.wb_tau),
                       static_cast<float>(1.0 - p.wb_delta)};
  const float s = static_cast<float>(p.saturation);
  // Steps 1 to 4 depend only on the 8-bit input value and the channel: a table of the exact
  // per-value results (the same float operations, done once per value).
  std::array<std::array<float, 256>, 3> steps_1_to_4;
  for (int ch = 0; ch < 3; ++ch) {
    for (int value = 0; value < 256; ++value) {
      float x = static_cast<float>(value) * gain;  // 1
      x = mean + c * (x - mean);                   // 2
      if (g != 1.0) {                              // 3
        x = static_cast<float>(255.0 * std::pow(std::max(0.0f, x) / 255.0, g));
      }
      steps_1_to_4[static_cast<size_t>(ch)][static_cast<size_t>(value)] = x * wb[ch];  // 4
    }
  }
  for (int r = 0; r < rows; ++r) {
    float* px = v.ptr<float>(r);
    const uint8_t* in = image_rgb8.ptr<uint8_t>(r);
    const float* dist = haze ? ground_distance_m.ptr<float>(r) : nullptr;
    for (int col = 0; col < cols; ++col) {
      float* q = px + 3 * col;
      for (int ch = 0; ch < 3; ++ch) q[ch] = steps_1_to_4[static_cast<size_t>(ch)][in[3 * col + ch]];
      if (s != 1.0f) {  // 5
        const float y = 0.299f * q[0] + 0.587f * q[1] + 0.114f * q[2];
        for (int ch = 0; ch < 3; ++ch) q[ch] = y + s * (q[ch] - y);
      }
      if (haze) {  // 6
        const float t = static_cast<float>(std::exp(-p.haze_beta_per_m * dist[col]));
        for (int ch = 0; ch < 3; ++ch) {
          q[ch] = q[ch] * t + static_cast<float>(p.haze_rgb[static_cast<size_t>(ch)]) * (1.0f - t);
        }
      }
    }
  }
  // 7. Gaussian blur, then motion blur.
  if (p.blur_sigma_px > 0.0) {
    const cv::Mat k = GaussianKernel1d(p.blur_sigma_px);
    cv::sepFilter2D(v, v, CV_32F, k, k, cv::Point(-1, -1), 0.0, cv::BORDER_REFLECT_101);
  }
  if (p.motion_length_px >= 1e-3) {
    cv::filter2D(v, v, CV_32F, MotionBlurKernel(p.motion_length_px, p.motion_angle_deg),
                 cv::Point(-1, -1), 0.0, cv::BORDER_REFLECT_101);
  }
  // 8. Vignetting, 9. noise, then clamp and round.
  const double half_w = 0.5 * cols, half_h = 0.5 * rows;
  const double inv_corner_sq = 1.0 / (half_w * half_w + half_h * half_h);
  const double falloff = 1.0 - p.vignette_corner_gain;
  const bool noise = p.noise_read_sigma > 0.0 || p.noise_shot_gain > 0.0;
  const double read_var = p.noise_read_sigma * p.noise_read_sigma;
  Rng noise_rng(p.noise_seed);
  cv::Mat out(rows, cols, CV_8UC3);
  for (int r = 0; r < rows; ++r) {
    const float* px = v.ptr<float>(r);
    auto* o = out.ptr<uint8_t>(r);
    const double dy = r + 0.5 - half_h;
    for (int col = 0; col < cols; ++col) {
      const double dx = col + 0.5 - half_w;
      const float vgain =
          falloff > 0.0 ? static_cast<float>(1.0 - falloff * (dx * dx + dy * dy) * inv_corner_sq)
                        : 1.0f;
      for (int ch = 0; ch < 3; ++ch) {
        float x = px[3 * col + ch] * vgain;
        if (noise) {
          const double sigma = std::sqrt(read_var + p.noise_shot_gain * std::max(0.0f, x));
          x += static_cast<float>(noise_rng.Normal(0.0, sigma));
        }
        o[3 * col + ch] = ToU8(x);
      }
    }
  }
  return out;
}

cv::Mat ApplyResolutionGap(const cv::Mat& tile_rgb8, double tile_gsd_m, double effective_gsd_m) {
  if (tile_rgb8.empty() || tile_rgb8.type() != CV_8UC3) {
    throw CV_ERROR(InvalidArgumentError, "resolution gap needs a non-empty 8-bit RGB image")
        .With("type", cv::typeToString(tile_rgb8.type()));
  }
  if (!(tile_gsd_m > 0.0) || !(effective_gsd_m > 0.0) || !std::isfinite(tile_gsd_m) ||
      !std::isfinite(effective_gsd_m)) {
    throw CV_ERROR(InvalidArgumentError, "GSDs must be positive and finite")
        .With("tile_gsd_m", tile_gsd_m)
        .With("effective_gsd_m", effective_gsd_m);
  }
  if (effective_gsd_m <= tile_gsd_m) return tile_rgb8.clone();
  const double ratio = tile_gsd_m / effective_gsd_m;
  const cv::Size small(std::max(1, static_cast<int>(std::lround(tile_rgb8.cols * ratio))),
                       std::max(1, static_cast<int>(std::lround(tile_rgb8.rows * ratio))));
  cv::Mat coarse, out;
  cv::resize(tile_rgb8, coarse, small, 0.0, 0.0, cv::INTER_AREA);
  cv::resize(coarse, out, tile_rgb8.size(), 0.0, 0.0, cv::INTER_LINEAR);
  return out;
}

}  // namespace crossview::data

#include "crossview/data/renderer.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <functional>
#include <thread>
#include <vector>

#include "crossview/util/errors.h"

namespace crossview::data {
namespace {

// Runs fn(row_begin, row_end) over [0, rows) in blocks on `num_threads` threads (0 = all cores).
// Blocks are handed out dynamically; the result must not depend on which thread runs a block.
void ParallelRows(int rows, int num_threads, const std::function<void(int, int)>& fn) {
  constexpr int kBlockRows = 8;
  int threads = num_threads > 0
                    ? num_threads
                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int blocks = (rows + kBlockRows - 1) / kBlockRows;
  threads = std::min(threads, blocks);
  if (threads <= 1) {
    fn(0, rows);
    return;
  }
  std::atomic<int> next{0};
  std::exception_ptr error;
  std::atomic<bool> failed{false};
  auto worker = [&]() {
    try {
      for (int b = next++; b < blocks && !failed; b = next++) {
        fn(b * kBlockRows, std::min(rows, (b + 1) * kBlockRows));
      }
    } catch (...) {
      if (!failed.exchange(true)) error = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(static_cast<size_t>(threads - 1));
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& th : pool) th.join();
  if (error) std::rethrow_exception(error);
}

uint8_t ToU8(float v) {
  // Round half up after clamping; plain arithmetic, identical on every thread.
  return static_cast<uint8_t>(std::min(255.0f, std::max(0.0f, v)) + 0.5f);
}

cv::Matx33d InvertHomography(const cv::Matx33d& image_from_map) {
  const double det = cv::determinant(image_from_map);
  if (!(std::abs(det) > 0.0) || !std::isfinite(det)) {
    throw CV_ERROR(InvalidArgumentError, "map-to-image homography is singular")
        .With("determinant", det);
  }
  return image_from_map.inv();
}

void CheckSize(cv::Size size_px) {
  if (size_px.width <= 0 || size_px.height <= 0) {
    throw CV_ERROR(InvalidArgumentError, "output size must be positive")
        .With("width_px", size_px.width)
        .With("height_px", size_px.height);
  }
}

// Fills pixels with mask 0 and sets the out-of-map fraction. Serial, fixed order.
void FinishOutOfMap(OutOfMapFill fill, RenderResult& result) {
  const int rows = result.image.rows, cols = result.image.cols;
  uint64_t sum[3] = {0, 0, 0};
  uint64_t valid = 0;
  for (int r = 0; r < rows; ++r) {
    const auto* px = result.image.ptr<uint8_t>(r);
    const auto* m = result.valid_mask.ptr<uint8_t>(r);
    for (int c = 0; c < cols; ++c) {
      if (!m[c]) continue;
      ++valid;
      for (int ch = 0; ch < 3; ++ch) sum[ch] += px[3 * c + ch];
    }
  }
  const uint64_t total = static_cast<uint64_t>(rows) * static_cast<uint64_t>(cols);
  result.out_of_map_fraction = static_cast<double>(total - valid) / static_cast<double>(total);
  if (valid == total) return;
  uint8_t fill_rgb[3] = {0, 0, 0};
  if (fill == OutOfMapFill::kValidMean && valid > 0) {
    for (int ch = 0; ch < 3; ++ch) {
      fill_rgb[ch] = static_cast<uint8_t>((sum[ch] + valid / 2) / valid);
    }
  }
  for (int r = 0; r < rows; ++r) {
    auto* px = result.image.ptr<uint8_t>(r);
    const auto* m = result.valid_mask.ptr<uint8_t>(r);
    for (int c = 0; c < cols; ++c) {
      if (m[c]) continue;
      for (int ch = 0; ch < 3; ++ch) px[3 * c + ch] = fill_rgb[ch];
    }
  }
}

// Inverse map of one image point: map position and whether it lies in front of the camera.
struct InverseSample {
  double x_px, y_px, w;
};

inline InverseSample MapFromImage(const cv::Matx33d& g, double u, double v) {
  const double w = g(2, 0) * u + g(2, 1) * v + g(2, 2);
  const double inv_w = 1.0 / w;
  return {(g(0, 0) * u + g(0, 1) * v + g(0, 2)) * inv_w,
          (g(1, 0) * u + g(1, 1) * v + g(1, 2)) * inv_w, w};
}

inline bool InsideMap(const InverseSample& s, double width_px, double height_px) {
  return s.w > 0.0 && s.x_px >= 0.0 && s.x_px <= width_px && s.y_px >= 0.0 && s.y_px <= height_px;
}

// Level of detail for footprint scale s (texture pixels per output pixel): log₂ s + bias, and
// exactly 0 when s ≤ 1 (up to rounding), so a 1:1 view reproduces the texture.
inline double LevelOfDetail(double scale_sq, double lod_bias) {
  if (scale_sq <= 1.0 + 1e-9) return 0.0;
  return 0.5 * std::log2(scale_sq) + lod_bias;
}

// Samples the texture over the footprint of one output pixel whose centre maps to map position q
// and whose inverse-map Jacobian there is J = [[j00, j01], [j10, j11]] (columns d/du, d/dv, in
// map pixels per output pixel).
void SampleFootprint(const TexturePyramid& texture, const InverseSample& q, double j00, double j01,
                     double j10, double j11, const RenderOptions& options, float* rgb) {
  if (options.footprint_scale == FootprintScale::kGeometricMean) {
    const double det = std::abs(j00 * j11 - j01 * j10);
    texture.SampleTrilinear(LevelOfDetail(det, options.lod_bias), q.x_px, q.y_px, rgb);
    return;
  }
  if (options.footprint_scale == FootprintScale::kMaxSingularValue) {
    const double det = std::abs(j00 * j11 - j01 * j10);
    const double e = 0.5 * (j00 * j00 + j01 * j01 + j10 * j10 + j11 * j11);
    const double major_sq = e + std::sqrt(std::max(0.0, e * e - det * det));
    texture.SampleTrilinear(LevelOfDetail(major_sq, options.lod_bias), q.x_px, q.y_px, rgb);
    return;
  }
  // kProbeGrid: n_u × n_v probes at evenly spaced sub-pixel positions, n = ⌈footprint edge length
  // in texture pixels⌉ capped at max_probes_per_axis, each trilinear at the probe spacing.
  const double len_u = std::sqrt(j00 * j00 + j10 * j10);
  const double len_v = std::sqrt(j01 * j01 + j11 * j11);
  const int cap = options.max_probes_per_axis;
  const int n_u = std::clamp(static_cast<int>(std::ceil(len_u - 1e-6)), 1, cap);
  const int n_v = std::clamp(static_cast<int>(std::ceil(len_v - 1e-6)), 1, cap);
  const double spacing = std::max(len_u / n_u, len_v / n_v);
  const double lod = LevelOfDetail(spacing * spacing, options.lod_bias);
  if (n_u == 1 && n_v == 1) {
    texture.SampleTrilinear(lod, q.x_px, q.y_px, rgb);
    return;
  }
  // Probe positions from the local linearisation q + J·(du, dv) of the inverse map; over one
  // pixel it differs from the exact map by far less than a texel on any valid view.
  float acc[3] = {0.0f, 0.0f, 0.0f};
  for (int i = 0; i < n_v; ++i) {
    const double dv = (i + 0.5) / n_v - 0.5;
    for (int j = 0; j < n_u; ++j) {
      const double du = (j + 0.5) / n_u - 0.5;
      float s[3];
      texture.SampleTrilinear(lod, q.x_px + j00 * du + j01 * dv, q.y_px + j10 * du + j11 * dv, s);
      for (int ch = 0; ch < 3; ++ch) acc[ch] += s[ch];
    }
  }
  const float inv = 1.0f / static_cast<float>(n_u * n_v);
  for (int ch = 0; ch < 3; ++ch) rgb[ch] = acc[ch] * inv;
}

}  // namespace

void RenderOptions::Check() const {
  if (!(lod_bias >= -2.0 && lod_bias <= 2.0)) {
    throw CV_ERROR(InvalidArgumentError, "render.lod_bias must be in [-2, 2]")
        .With("lod_bias", lod_bias);
  }
  if (max_probes_per_axis < 1 || max_probes_per_axis > 16) {
    throw CV_ERROR(InvalidArgumentError, "render.max_probes_per_axis must be in [1, 16]")
        .With("max_probes_per_axis", max_probes_per_axis);
  }
  if (num_threads < 0) {
    throw CV_ERROR(InvalidArgumentError, "render.num_threads must be >= 0 (0 = all cores)")
        .With("num_threads", num_threads);
  }
}

RenderResult RenderImageFromMap(const TexturePyramid& texture, const cv::Matx33d& image_from_map,
                                cv::Size size_px, const RenderOptions& options) {
  options.Check();
  CheckSize(size_px);
  const cv::Matx33d g = InvertHomography(image_from_map);
  const double tex_w = texture.width_px(), tex_h = texture.height_px();

  RenderResult result;
  result.image.create(size_px, CV_8UC3);
  result.valid_mask.create(size_px, CV_8UC1);
  ParallelRows(size_px.height, options.num_threads, [&](int row_begin, int row_end) {
    for (int row = row_begin; row < row_end; ++row) {
      auto* out = result.image.ptr<uint8_t>(row);
      auto* mask = result.valid_mask.ptr<uint8_t>(row);
      const double v = row + 0.5;
      for (int col = 0; col < size_px.width; ++col) {
        const double u = col + 0.5;
        const InverseSample q = MapFromImage(g, u, v);
        if (!InsideMap(q, tex_w, tex_h)) {
          mask[col] = 0;
          out[3 * col] = out[3 * col + 1] = out[3 * col + 2] = 0;
          continue;
        }
        mask[col] = 255;
        // Jacobian of (u, v) → (x, y) for x = (g0·p)/(g2·p), y = (g1·p)/(g2·p).
        const double inv_w = 1.0 / q.w;
        const double j00 = (g(0, 0) - q.x_px * g(2, 0)) * inv_w;
        const double j01 = (g(0, 1) - q.x_px * g(2, 1)) * inv_w;
        const double j10 = (g(1, 0) - q.y_px * g(2, 0)) * inv_w;
        const double j11 = (g(1, 1) - q.y_px * g(2, 1)) * inv_w;
        float rgb[3];
        SampleFootprint(texture, q, j00, j01, j10, j11, options, rgb);
        for (int ch = 0; ch < 3; ++ch) out[3 * col + ch] = ToU8(rgb[ch]);
      }
    }
  });
  FinishOutOfMap(options.out_of_map_fill, result);
  return result;
}

RenderResult RenderDroneView(const TexturePyramid& texture, const MapFrame& map,
                             const PinholeCamera& camera, const CameraPose& pose,
                             const RenderOptions& options) {
  map.Check();
  if (map.width_px != texture.width_px() || map.height_px != texture.height_px()) {
    throw CV_ERROR(InvalidArgumentError, "map frame and texture differ in size")
        .With("map_px", cv::Size(map.width_px, map.height_px))
        .With("texture_px", cv::Size(texture.width_px(), texture.height_px()));
  }
  return RenderImageFromMap(texture, ImageFromMap(camera, pose, map),
                            {camera.width_px, camera.height_px}, options);
}

RenderResult RenderNorthUpTile(const TexturePyramid& texture, const MapFrame& map,
                               const cv::Vec2d& centre_en_m, double side_m, int size_px,
                               const RenderOptions& options) {
  map.Check();
  if (map.width_px != texture.width_px() || map.height_px != texture.height_px()) {
    throw CV_ERROR(InvalidArgumentError, "map frame and texture differ in size")
        .With("map_px", cv::Size(map.width_px, map.height_px))
        .With("texture_px", cv::Size(texture.width_px(), texture.height_px()));
  }
  return RenderImageFromMap(texture, NorthUpTileImageFromMap(map, centre_en_m, side_m, size_px),
                            {size_px, size_px}, options);
}

RenderResult RenderSupersampledReference(const cv::Mat& texture_u8c3,
                                         const cv::Matx33d& image_from_map, cv::Size size_px,
                                         int samples_per_axis, OutOfMapFill fill) {
  if (texture_u8c3.empty() || texture_u8c3.type() != CV_8UC3) {
    throw CV_ERROR(InvalidArgumentError, "texture must be a non-empty 8-bit 3-channel image")
        .With("type", cv::typeToString(texture_u8c3.type()));
  }
  if (samples_per_axis < 1) {
    throw CV_ERROR(InvalidArgumentError, "samples_per_axis must be >= 1")
        .With("samples_per_axis", samples_per_axis);
  }
  CheckSize(size_px);
  const cv::Matx33d g = InvertHomography(image_from_map);
  const int tex_w = texture_u8c3.cols, tex_h = texture_u8c3.rows;
  // Plain bilinear with edge clamp, in double, straight from the 8-bit texture.
  auto bilinear = [&](double x_px, double y_px, double* rgb) {
    const double u = x_px - 0.5, v = y_px - 0.5;
    const double uf = std::floor(u), vf = std::floor(v);
    const double fx = u - uf, fy = v - vf;
    const int c0 = std::clamp(static_cast<int>(uf), 0, tex_w - 1);
    const int c1 = std::clamp(static_cast<int>(uf) + 1, 0, tex_w - 1);
    const int r0 = std::clamp(static_cast<int>(vf), 0, tex_h - 1);
    const int r1 = std::clamp(static_cast<int>(vf) + 1, 0, tex_h - 1);
    const auto* p0 = texture_u8c3.ptr<uint8_t>(r0);
    const auto* p1 = texture_u8c3.ptr<uint8_t>(r1);
    for (int ch = 0; ch < 3; ++ch) {
      const double top = (1 - fx) * p0[3 * c0 + ch] + fx * p0[3 * c1 + ch];
      const double bottom = (1 - fx) * p1[3 * c0 + ch] + fx * p1[3 * c1 + ch];
      rgb[ch] = (1 - fy) * top + fy * bottom;
    }
  };

  RenderResult result;
  result.image.create(size_px, CV_8UC3);
  result.valid_mask.create(size_px, CV_8UC1);
  const double step = 1.0 / samples_per_axis;
  for (int row = 0; row < size_px.height; ++row) {
    auto* out = result.image.ptr<uint8_t>(row);
    auto* mask = result.valid_mask.ptr<uint8_t>(row);
    for (int col = 0; col < size_px.width; ++col) {
      mask[col] = InsideMap(MapFromImage(g, col + 0.5, row + 0.5), tex_w, tex_h) ? 255 : 0;
      double sum[3] = {0, 0, 0};
      int n = 0;
      for (int i = 0; i < samples_per_axis; ++i) {
        for (int j = 0; j < samples_per_axis; ++j) {
          const InverseSample q = MapFromImage(g, col + (j + 0.5) * step, row + (i + 0.5) * step);
          if (!InsideMap(q, tex_w, tex_h)) continue;
          double rgb[3];
          bilinear(q.x_px, q.y_px, rgb);
          for (int ch = 0; ch < 3; ++ch) sum[ch] += rgb[ch];
          ++n;
        }
      }
      for (int ch = 0; ch < 3; ++ch) {
        out[3 * col + ch] = n > 0 ? ToU8(static_cast<float>(sum[ch] / n)) : 0;
      }
    }
  }
  FinishOutOfMap(fill, result);
  return result;
}

}  // namespace crossview::data

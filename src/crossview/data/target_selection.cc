#include "crossview/data/target_selection.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "crossview/data/renderer.h"
#include "crossview/util/errors.h"

namespace crossview::data {

TileThumbnail MakeTileThumbnail(const cv::Mat& tile_rgb8, double blur_sigma_px) {
  if (tile_rgb8.type() != CV_8UC3 || tile_rgb8.empty()) {
    throw CV_ERROR(InvalidArgumentError, "thumbnail needs a non-empty 8-bit RGB tile")
        .With("type", tile_rgb8.type());
  }
  cv::Mat luma(tile_rgb8.size(), CV_32FC1);
  for (int r = 0; r < tile_rgb8.rows; ++r) {
    const auto* p = tile_rgb8.ptr<uint8_t>(r);
    auto* q = luma.ptr<float>(r);
    for (int c = 0; c < tile_rgb8.cols; ++c) {
      q[c] = 0.299f * p[3 * c] + 0.587f * p[3 * c + 1] + 0.114f * p[3 * c + 2];
    }
  }
  cv::Mat blurred;
  cv::GaussianBlur(luma, blurred, cv::Size(0, 0), blur_sigma_px, blur_sigma_px, cv::BORDER_REFLECT_101);
  cv::Mat high = luma - blurred;
  cv::Scalar mean, stddev;
  cv::meanStdDev(high, mean, stddev);
  TileThumbnail t;
  t.highpass_std = stddev[0];
  const double scale = stddev[0] > 1e-9 ? 1.0 / stddev[0] : 0.0;
  high.convertTo(t.normalized, CV_32FC1, scale, -mean[0] * scale);
  return t;
}

TileThumbnail RenderTileThumbnail(const TexturePyramid& texture, const MapFrame& map,
                                  const cv::Vec2d& centre_en_m, double side_m, int size_px,
                                  double blur_sigma_px) {
  RenderOptions options;
  options.num_threads = 1;
  RenderResult tile = RenderNorthUpTile(texture, map, centre_en_m, side_m, size_px, options);
  return MakeTileThumbnail(tile.image, blur_sigma_px);
}

double ShiftedNcc(const cv::Mat& a, const cv::Mat& b, int max_shift_px) {
  if (a.type() != CV_32FC1 || b.type() != CV_32FC1 || a.size() != b.size() || a.rows != a.cols ||
      a.rows <= 2 * max_shift_px || max_shift_px < 0) {
    throw CV_ERROR(InvalidArgumentError, "ShiftedNcc needs two float square thumbnails of one size")
        .With("a", a.size())
        .With("b", b.size())
        .With("max_shift_px", max_shift_px);
  }
  const int s = max_shift_px;
  const cv::Rect centre(s, s, a.cols - 2 * s, a.rows - 2 * s);
  double best = -1.0;
  for (int pass = 0; pass < 2; ++pass) {
    const cv::Mat& templ = pass == 0 ? a : b;
    const cv::Mat& image = pass == 0 ? b : a;
    cv::Mat scores;
    cv::matchTemplate(image, templ(centre), scores, cv::TM_CCOEFF_NORMED);
    cv::patchNaNs(scores, 0.0);
    double max_value = 0.0;
    cv::minMaxLoc(scores, nullptr, &max_value);
    best = std::max(best, std::min(1.0, max_value));
  }
  return best;
}

double DuplicateIndex::BestMatch(const TileThumbnail& thumbnail, double stop_at) const {
  double best = 0.0;
  for (const cv::Mat& other : accepted_) {
    best = std::max(best, ShiftedNcc(thumbnail.normalized, other, max_shift_px_));
    if (best >= stop_at) break;
  }
  return best;
}

std::vector<cv::Vec2d> PoissonDiskSamples(const cv::Rect2d& region, double min_spacing,
                                          int attempts, Rng& rng) {
  if (!(min_spacing > 0.0) || !std::isfinite(min_spacing) || attempts < 1) {
    throw CV_ERROR(InvalidArgumentError, "Poisson-disk sampling needs a positive spacing")
        .With("min_spacing", min_spacing)
        .With("attempts", attempts);
  }
  std::vector<cv::Vec2d> points;
  if (!(region.width >= 0.0 && region.height >= 0.0)) return points;
  const double cell = min_spacing / std::sqrt(2.0);
  const int cols = static_cast<int>(std::floor(region.width / cell)) + 1;
  const int rows = static_cast<int>(std::floor(region.height / cell)) + 1;
  std::vector<int> grid(static_cast<size_t>(cols) * static_cast<size_t>(rows), -1);
  auto cell_of = [&](const cv::Vec2d& p, int* gc, int* gr) {
    *gc = std::min(cols - 1, static_cast<int>((p[0] - region.x) / cell));
    *gr = std::min(rows - 1, static_cast<int>((p[1] - region.y) / cell));
  };
  auto fits = [&](const cv::Vec2d& p) {
    if (p[0] < region.x || p[0] > region.x + region.width || p[1] < region.y ||
        p[1] > region.y + region.height) {
      return false;
    }
    int gc, gr;
    cell_of(p, &gc, &gr);
    for (int r = std::max(0, gr - 2); r <= std::min(rows - 1, gr + 2); ++r) {
      for (int c = std::max(0, gc - 2); c <= std::min(cols - 1, gc + 2); ++c) {
        const int idx = grid[static_cast<size_t>(r) * cols + c];
        if (idx >= 0 && cv::norm(points[static_cast<size_t>(idx)] - p) < min_spacing) return false;
      }
    }
    return true;
  };
  auto add = [&](const cv::Vec2d& p) {
    int gc, gr;
    cell_of(p, &gc, &gr);
    grid[static_cast<size_t>(gr) * cols + gc] = static_cast<int>(points.size());
    points.push_back(p);
  };
  add({region.x + rng.Uniform01() * region.width, region.y + rng.Uniform01() * region.height});
  std::vector<int> active{0};
  while (!active.empty()) {
    const auto pick = static_cast<size_t>(rng.UniformInt(0, static_cast<int64_t>(active.size()) - 1));
    const cv::Vec2d base = points[static_cast<size_t>(active[pick])];
    bool placed = false;
    for (int i = 0; i < attempts; ++i) {
      const double radius = min_spacing * (1.0 + rng.Uniform01());
      const double angle = 2.0 * M_PI * rng.Uniform01();
      const cv::Vec2d p(base[0] + radius * std::cos(angle), base[1] + radius * std::sin(angle));
      if (fits(p)) {
        active.push_back(static_cast<int>(points.size()));
        add(p);
        placed = true;
        break;
      }
    }
    if (!placed) {
      active[pick] = active.back();
      active.pop_back();
    }
  }
  rng.Shuffle(points);
  return points;
}

}  // namespace crossview::data

#include "crossview/transforms/drl_augment.h"

#include <cmath>
#include <opencv2/imgproc.hpp>

#include "crossview/util/errors.h"

namespace crossview::transforms {

void RandomScaleCropOptions::Check() const {
  if (scale_type != "rs" && scale_type != "ms" && scale_type != "ss") {
    throw CV_ERROR(InvalidArgumentError, "unknown rsc.scale_type '" + scale_type + "'").Hint("valid: rs, ms, ss");
  }
  if (min_size < 2 || (scale_type == "rs" && max_size <= min_size)) {
    throw CV_ERROR(InvalidArgumentError, "rsc sizes must satisfy 2 <= min < max").With("min", min_size).With("max", max_size);
  }
  if (scale_type == "ms" && choices.empty()) throw CV_ERROR(InvalidArgumentError, "rsc.choices is empty");
  if (cover_rate <= 0 || cover_rate > 1) throw CV_ERROR(InvalidArgumentError, "rsc.cover_rate must be in (0, 1]").With("cover_rate", cover_rate);
}

RandomScaleCropOptions RandomScaleCropOptions::Scaled(double factor) const {
  RandomScaleCropOptions o = *this;
  o.min_size = std::max(2, static_cast<int>(std::lround(min_size * factor)));
  o.max_size = std::max(o.min_size + 1, static_cast<int>(std::lround(max_size * factor)));
  for (int& c : o.choices) c = std::max(2, static_cast<int>(std::lround(c * factor)));
  return o;
}

ScaleCropResult RandomScaleCrop(const cv::Mat& sat, const RandomScaleCropOptions& o, Rng& rng) {
  o.Check();
  if (sat.empty() || sat.type() != CV_8UC3) throw CV_ERROR(InvalidArgumentError, "RSC needs an 8-bit 3-channel satellite image");
  const int h = sat.rows, w = sat.cols;
  ScaleCropResult r;
  int m;
  if (o.scale_type == "rs") {
    m = static_cast<int>(rng.UniformInt(o.min_size, o.max_size - 1));
  } else if (o.scale_type == "ms") {
    m = o.choices[static_cast<size_t>(rng.UniformInt(0, static_cast<int64_t>(o.choices.size()) - 1))];
  } else {
    m = o.min_size;
  }
  if (m % 2 == 1) m -= 1;
  auto centre = [&](int side) {
    int lo = static_cast<int>(std::trunc(0.5 * side - o.cover_rate * m / 2.0));
    int hi = static_cast<int>(std::trunc(0.5 * side + o.cover_rate * m / 2.0)) - 1;
    return static_cast<int>(rng.UniformInt(lo, std::max(lo, hi)));
  };
  r.centre_row = centre(h);
  r.centre_col = centre(w);
  const int top = r.centre_row - m / 2, left = r.centre_col - m / 2;
  r.pad_top = std::max(0, -top);
  r.pad_left = std::max(0, -left);
  r.pad_bottom = std::max(0, top + m - h);
  r.pad_right = std::max(0, left + m - w);
  cv::Rect inside(left + r.pad_left, top + r.pad_top, m - r.pad_left - r.pad_right, m - r.pad_top - r.pad_bottom);
  if (inside.width <= 0 || inside.height <= 0) throw CV_ERROR(InternalError, "RSC crop misses the image entirely");
  cv::Mat part = sat(inside);
  cv::Scalar mean = cv::mean(part);
  cv::Scalar fill(std::round(mean[0]), std::round(mean[1]), std::round(mean[2]));
  cv::copyMakeBorder(part, r.crop, r.pad_top, r.pad_bottom, r.pad_left, r.pad_right, cv::BORDER_CONSTANT, fill);
  if (o.legacy_bgr) cv::cvtColor(r.crop, r.crop, cv::COLOR_RGB2BGR);
  r.map_size = m;
  const int uav_row = h / 2, uav_col = w / 2;
  r.rate_row = 0.5 + static_cast<double>(uav_row - r.centre_row) / m;
  r.rate_col = 0.5 + static_cast<double>(uav_col - r.centre_col) / m;
  return r;
}

bool RandomErasing(cv::Mat& image, const RandomErasingOptions& o, Rng& rng) {
  if (image.empty() || image.type() != CV_8UC3) throw CV_ERROR(InvalidArgumentError, "RandomErasing needs an 8-bit 3-channel image");
  if (!rng.Bernoulli(o.probability)) return false;
  const double area = static_cast<double>(image.rows) * image.cols;
  for (int attempt = 0; attempt < 100; ++attempt) {
    double target = rng.Uniform(o.min_area, o.max_area) * area;
    double ratio = rng.Uniform(o.min_ratio, 1.0 / o.min_ratio);
    int eh = static_cast<int>(std::lround(std::sqrt(target * ratio)));
    int ew = static_cast<int>(std::lround(std::sqrt(target / ratio)));
    if (eh >= image.rows || ew >= image.cols || eh <= 0 || ew <= 0) continue;
    int y = static_cast<int>(rng.UniformInt(0, image.rows - eh));
    int x = static_cast<int>(rng.UniformInt(0, image.cols - ew));
    cv::Scalar fill;
    if (o.legacy_fill) {
      for (int k = 0; k < 3; ++k) {
        cv::Mat grey;
        cv::cvtColor(image.col(std::min(k, image.cols - 1)), grey, cv::COLOR_RGB2GRAY);
        fill[k] = std::round(cv::mean(grey)[0]);
      }
    } else {
      cv::Scalar m = cv::mean(image);
      fill = cv::Scalar(std::round(m[0]), std::round(m[1]), std::round(m[2]));
    }
    image(cv::Rect(x, y, ew, eh)).setTo(fill);
    return true;
  }
  return false;
}

cv::Mat RandomInterpolationResize(const cv::Mat& image, cv::Size size, Rng& rng) {
  static const int kModes[] = {cv::INTER_NEAREST, cv::INTER_LINEAR, cv::INTER_CUBIC, cv::INTER_AREA};
  cv::Mat out;
  cv::resize(image, out, size, 0, 0, kModes[rng.UniformInt(0, 3)]);
  return out;
}

}  // namespace crossview::transforms

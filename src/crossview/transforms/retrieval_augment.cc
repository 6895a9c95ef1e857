#include "crossview/transforms/retrieval_augment.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "crossview/transforms/resize.h"
#include "crossview/util/errors.h"

namespace crossview::transforms {

void RetrievalAugmentOptions::Check() const {
  if (size < 8) throw CV_ERROR(InvalidArgumentError, "augment.size must be >= 8").With("size", size);
  if (pad < 0) throw CV_ERROR(InvalidArgumentError, "augment.pad must be >= 0").With("pad", pad);
  if (color_jitter < 0 || color_jitter >= 1) throw CV_ERROR(InvalidArgumentError, "augment.color_jitter must be in [0, 1)");
  if (erasing_probability < 0 || erasing_probability > 1) throw CV_ERROR(InvalidArgumentError, "augment.erasing_probability must be in [0, 1]");
}

namespace {

cv::Mat Blend(const cv::Mat& a, const cv::Mat& b, double alpha) {  // alpha·a + (1−alpha)·b, clipped
  cv::Mat out;
  cv::addWeighted(a, alpha, b, 1.0 - alpha, 0.0, out);
  return out;
}

cv::Mat Grey3(const cv::Mat& rgb) {
  cv::Mat g, g3;
  cv::cvtColor(rgb, g, cv::COLOR_RGB2GRAY);
  cv::cvtColor(g, g3, cv::COLOR_GRAY2RGB);
  return g3;
}

}  // namespace

cv::Mat ColorJitter(const cv::Mat& rgb, double brightness, double contrast, double saturation, Rng& rng) {
  std::vector<int> order = {0, 1, 2};
  rng.Shuffle(order);
  double fb = rng.Uniform(1 - brightness, 1 + brightness);
  double fc = rng.Uniform(1 - contrast, 1 + contrast);
  double fs = rng.Uniform(1 - saturation, 1 + saturation);
  cv::Mat x = rgb.clone();
  for (int op : order) {
    if (op == 0 && brightness > 0) {
      x = Blend(x, cv::Mat::zeros(x.size(), x.type()), fb);
    } else if (op == 1 && contrast > 0) {
      cv::Mat g;
      cv::cvtColor(x, g, cv::COLOR_RGB2GRAY);
      double mean = cv::mean(g)[0];
      x = Blend(x, cv::Mat(x.size(), x.type(), cv::Scalar::all(std::round(mean))), fc);
    } else if (op == 2 && saturation > 0) {
      x = Blend(x, Grey3(x), fs);
    }
  }
  return x;
}

cv::Mat AugmentForTraining(const cv::Mat& rgb, ImageView view, const RetrievalAugmentOptions& o, Rng& rng) {
  o.Check();
  if (rgb.empty() || rgb.type() != CV_8UC3) throw CV_ERROR(InvalidArgumentError, "augmentation needs an 8-bit RGB image");
  cv::Mat x = rgb;
  if (o.color_jitter > 0) x = ColorJitter(x, o.color_jitter, o.color_jitter, o.color_jitter, rng);
  x = PilResize(x, cv::Size(o.size, o.size), PilFilter::kBicubic);
  if (o.pad > 0) cv::copyMakeBorder(x, x, o.pad, o.pad, o.pad, o.pad, cv::BORDER_REPLICATE);
  if (view == ImageView::kSatellite && o.satellite_affine) {
    double angle = rng.Uniform(-90.0, 90.0);
    cv::Point2f centre((x.cols - 1) / 2.0f, (x.rows - 1) / 2.0f);  // the true centre in pixel-centre coordinates
    cv::Mat rot = cv::getRotationMatrix2D(centre, angle, 1.0);
    cv::warpAffine(x, x, rot, x.size(), cv::INTER_NEAREST, cv::BORDER_CONSTANT, cv::Scalar::all(0));
  }
  int top = static_cast<int>(rng.UniformInt(0, x.rows - o.size));
  int left = static_cast<int>(rng.UniformInt(0, x.cols - o.size));
  x = x(cv::Rect(left, top, o.size, o.size)).clone();
  if (rng.Bernoulli(o.flip_probability)) cv::flip(x, x, 1);
  if (view == ImageView::kDrone && rng.Bernoulli(o.erasing_probability)) {
    const double area = static_cast<double>(o.size) * o.size;
    for (int attempt = 0; attempt < 100; ++attempt) {
      double target = rng.Uniform(0.02, 0.4) * area;
      double ratio = std::exp(rng.Uniform(std::log(0.3), std::log(1 / 0.3)));
      int h = static_cast<int>(std::lround(std::sqrt(target * ratio)));
      int w = static_cast<int>(std::lround(std::sqrt(target / ratio)));
      if (h < o.size && w < o.size && h > 0 && w > 0) {
        int y = static_cast<int>(rng.UniformInt(0, o.size - h)), xx = static_cast<int>(rng.UniformInt(0, o.size - w));
        // Value 0 after ImageNet normalisation = the ImageNet mean colour.
        x(cv::Rect(xx, y, w, h)).setTo(cv::Scalar(std::round(0.485 * 255), std::round(0.456 * 255), std::round(0.406 * 255)));
        break;
      }
    }
  }
  return x;
}

cv::Mat ShiftQuery(const cv::Mat& rgb, int p, ShiftPad pad) {
  if (p < 0 || p > rgb.cols) throw CV_ERROR(InvalidArgumentError, "shift must be in [0, width]").With("p", p).With("width", rgb.cols);
  if (p == 0) return rgb.clone();
  cv::Mat left;
  if (pad == ShiftPad::kBlack) {
    left = cv::Mat::zeros(rgb.rows, p, rgb.type());
  } else {
    cv::flip(rgb(cv::Rect(0, 0, p, rgb.rows)), left, 1);
  }
  cv::Mat wide;
  cv::hconcat(left, rgb, wide);
  return wide(cv::Rect(0, 0, rgb.cols, rgb.rows)).clone();
}

cv::Mat RotateQuery(const cv::Mat& rgb, double degrees) {
  cv::Point2f centre((rgb.cols - 1) / 2.0f, (rgb.rows - 1) / 2.0f);
  cv::Mat rot = cv::getRotationMatrix2D(centre, degrees, 1.0);  // positive = counter-clockwise
  cv::Mat out;
  cv::warpAffine(rgb, out, rot, rgb.size(), cv::INTER_NEAREST, cv::BORDER_CONSTANT, cv::Scalar::all(0));
  return out;
}

}  // namespace crossview::transforms

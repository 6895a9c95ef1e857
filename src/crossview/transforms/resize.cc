#include "crossview/transforms/resize.h"

#include <cmath>
#include <cstdint>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "crossview/util/errors.h"

namespace crossview::transforms {
namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;

double BicubicFilter(double x) {
  const double a = -0.5;
  x = std::fabs(x);
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
  if (x < 2.0) return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
  return 0.0;
}
double BilinearFilter(double x) {
  x = std::fabs(x);
  return x < 1.0 ? 1.0 - x : 0.0;
}

struct Coefficients {
  int kernel_size = 0;
  std::vector<int> start, count;   // per output pixel: first input index and window length
  std::vector<int32_t> weights;    // out_size × kernel_size fixed-point weights
};

Coefficients Compute(int in_size, int out_size, PilFilter filter) {
  const double support_base = filter == PilFilter::kBicubic ? 2.0 : 1.0;
  const double scale = static_cast<double>(in_size) / out_size;
  const double filterscale = std::max(scale, 1.0);
  const double support = support_base * filterscale;
  Coefficients c;
  c.kernel_size = static_cast<int>(std::ceil(support)) * 2 + 1;
  c.start.resize(out_size);
  c.count.resize(out_size);
  c.weights.assign(static_cast<size_t>(out_size) * c.kernel_size, 0);
  std::vector<double> k(c.kernel_size);
  for (int xx = 0; xx < out_size; ++xx) {
    const double center = (xx + 0.5) * scale;
    const double ss = 1.0 / filterscale;
    int xmin = static_cast<int>(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    int xmax = static_cast<int>(center + support + 0.5);
    if (xmax > in_size) xmax = in_size;
    xmax -= xmin;
    double ww = 0.0;
    for (int x = 0; x < xmax; ++x) {
      double w = filter == PilFilter::kBicubic ? BicubicFilter((x + xmin - center + 0.5) * ss)
                                               : BilinearFilter((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (int x = 0; x < xmax; ++x) {
      double w = ww != 0.0 ? k[x] / ww : k[x];
      double f = w * (1 << kPrecisionBits);
      c.weights[static_cast<size_t>(xx) * c.kernel_size + x] =
          static_cast<int32_t>(w < 0 ? std::trunc(-0.5 + f) : std::trunc(0.5 + f));
    }
    c.start[xx] = xmin;
    c.count[xx] = xmax;
  }
  return c;
}

inline uint8_t Clip8(int64_t v) {
  v >>= kPrecisionBits;
  return static_cast<uint8_t>(v < 0 ? 0 : (v > 255 ? 255 : v));
}

cv::Mat Horizontal(const cv::Mat& in, int out_w, PilFilter filter) {
  Coefficients c = Compute(in.cols, out_w, filter);
  const int ch = in.channels();
  cv::Mat out(in.rows, out_w, in.type());
  for (int y = 0; y < in.rows; ++y) {
    const uint8_t* src = in.ptr<uint8_t>(y);
    uint8_t* dst = out.ptr<uint8_t>(y);
    for (int xx = 0; xx < out_w; ++xx) {
      const int32_t* w = &c.weights[static_cast<size_t>(xx) * c.kernel_size];
      for (int k = 0; k < ch; ++k) {
        int64_t ss = int64_t(1) << (kPrecisionBits - 1);
        for (int x = 0; x < c.count[xx]; ++x) ss += int64_t(src[(c.start[xx] + x) * ch + k]) * w[x];
        dst[xx * ch + k] = Clip8(ss);
      }
    }
  }
  return out;
}

cv::Mat Vertical(const cv::Mat& in, int out_h, PilFilter filter) {
  Coefficients c = Compute(in.rows, out_h, filter);
  const int row_len = in.cols * in.channels();
  cv::Mat out(out_h, in.cols, in.type());
  for (int yy = 0; yy < out_h; ++yy) {
    const int32_t* w = &c.weights[static_cast<size_t>(yy) * c.kernel_size];
    uint8_t* dst = out.ptr<uint8_t>(yy);
    for (int i = 0; i < row_len; ++i) {
      int64_t ss = int64_t(1) << (kPrecisionBits - 1);
      for (int y = 0; y < c.count[yy]; ++y) ss += int64_t(in.ptr<uint8_t>(c.start[yy] + y)[i]) * w[y];
      dst[i] = Clip8(ss);
    }
  }
  return out;
}

}  // namespace

cv::Mat PilResize(const cv::Mat& image, cv::Size size, PilFilter filter) {
  if (image.empty() || image.depth() != CV_8U || (image.channels() != 1 && image.channels() != 3)) {
    throw CV_ERROR(InvalidArgumentError, "PilResize needs a non-empty 8-bit 1- or 3-channel image");
  }
  if (size.width <= 0 || size.height <= 0) {
    throw CV_ERROR(InvalidArgumentError, "resize target must be positive").With("width", size.width).With("height", size.height);
  }
  cv::Mat x = image.isContinuous() ? image : image.clone();
  if (x.cols != size.width) x = Horizontal(x, size.width, filter);
  if (x.rows != size.height) x = Vertical(x, size.height, filter);
  return x.data == image.data ? image.clone() : x;
}

int OpenCvInterpolation(const std::string& name) {
  if (name == "nearest") return cv::INTER_NEAREST;
  if (name == "bilinear") return cv::INTER_LINEAR;
  if (name == "bicubic") return cv::INTER_CUBIC;
  if (name == "area") return cv::INTER_AREA;
  throw CV_ERROR(InvalidArgumentError, "unknown interpolation '" + name + "'").Hint("valid: nearest, bilinear, bicubic, area");
}

}  // namespace crossview::transforms

// Image resizing with the exact semantics the reference pipelines use.
//
// PIL-style resampling (torchvision Resize on PIL images, the test-time transform of both tracks):
// separable, horizontal pass then vertical, each output pixel a weighted sum over the input
// window centred at (i + 0.5)·scale with the filter support widened by the scale when
// downsampling (antialiasing), weights normalised then quantised to 22-bit fixed point, 8-bit
// rounding and clipping after each pass. Bicubic uses Keys a = −0.5.
#pragma once

#include <opencv2/core.hpp>

#include <string>

namespace crossview::transforms {

enum class PilFilter { kBilinear, kBicubic };

// Resizes an 8-bit image (1 or 3 channels) to `size` like PIL's Image.resize.
cv::Mat PilResize(const cv::Mat& image_u8, cv::Size size, PilFilter filter = PilFilter::kBicubic);

// OpenCV interpolation by name ("nearest", "bilinear", "bicubic", "area"), for the DRL
// training RandomResize. Throws InvalidArgumentError listing the valid names.
int OpenCvInterpolation(const std::string& name);

}  // namespace crossview::transforms

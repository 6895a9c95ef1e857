#include "crossview/data/image_io.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "crossview/util/errors.h"
#include "crossview/util/file.h"

namespace crossview::data {
namespace {

std::string LowerExtension(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

// Any decoded depth → 8 bit.
cv::Mat To8Bit(const cv::Mat& decoded, const std::string& what) {
  switch (decoded.depth()) {
    case CV_8U:
      return decoded;
    case CV_16U: {
      cv::Mat out;
      decoded.convertTo(out, CV_8U, 255.0 / 65535.0);
      return out;
    }
    case CV_32F: {
      // Float images (e.g. some TIFFs) are taken as [0, 1].
      cv::Mat out;
      decoded.convertTo(out, CV_8U, 255.0);
      return out;
    }
    default:
      throw CV_ERROR(InvalidArgumentError, "unsupported image sample type")
          .With("source", what)
          .With("type", cv::typeToString(decoded.type()))
          .Hint("convert the image to 8 or 16 bit per channel");
  }
}

}  // namespace

cv::Mat DecodeImageRgb(const std::string& bytes, const std::string& what) {
  if (bytes.empty()) {
    throw CV_ERROR(IoError, "image file is empty").With("source", what);
  }
  const cv::Mat buffer(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data()));
  cv::Mat decoded;
  try {
    // IMREAD_UNCHANGED: keep the stored depth and channels (and ignore EXIF orientation); the
    // conversions below are explicit.
    decoded = cv::imdecode(buffer, cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception& e) {
    throw CV_ERROR(IoError, "cannot decode image").With("source", what).With("opencv", e.what());
  }
  if (decoded.empty()) {
    throw CV_ERROR(IoError, "cannot decode image: not a supported format or corrupt")
        .With("source", what)
        .With("bytes", bytes.size())
        .Hint(
            "supported: JPEG, PNG, TIFF, PGM/PPM, BMP, WebP; re-fetch the file if it is truncated");
  }
  if (decoded.cols <= 0 || decoded.rows <= 0) {
    throw CV_ERROR(IoError, "image has zero size").With("source", what);
  }
  cv::Mat image8 = To8Bit(decoded, what);
  cv::Mat rgb;
  switch (image8.channels()) {
    case 1:
      cv::cvtColor(image8, rgb, cv::COLOR_GRAY2RGB);
      break;
    case 2: {
      // Grey + alpha: keep the grey plane only.
      cv::Mat grey;
      cv::extractChannel(image8, grey, 0);
      cv::cvtColor(grey, rgb, cv::COLOR_GRAY2RGB);
      break;
    }
    case 3:
      cv::cvtColor(image8, rgb, cv::COLOR_BGR2RGB);
      break;
    case 4:
      // Drops alpha without compositing.
      cv::cvtColor(image8, rgb, cv::COLOR_BGRA2RGB);
      break;
    default:
      throw CV_ERROR(InvalidArgumentError, "image has no RGB reading")
          .With("source", what)
          .With("channels", image8.channels())
          .Hint("multiband rasters go through geo/ (GDAL); pick three bands there");
  }
  return rgb;
}

cv::Mat LoadImageRgb(const std::filesystem::path& path) {
  const std::string bytes = ReadFile(path);  // NotFoundError / IoError with the path
  return DecodeImageRgb(bytes, path.string());
}

ImageFormat ImageFormatFromPath(const std::filesystem::path& path) {
  const std::string ext = LowerExtension(path);
  if (ext == ".jpg" || ext == ".jpeg") return ImageFormat::kJpeg;
  if (ext == ".png") return ImageFormat::kPng;
  if (ext == ".tif" || ext == ".tiff") return ImageFormat::kTiff;
  throw CV_ERROR(InvalidArgumentError, "unsupported image file extension")
      .With("path", path.string())
      .Hint("use one of .jpg, .jpeg, .png, .tif, .tiff (any case)");
}

void ImageEncodeOptions::Check() const {
  if (jpeg_quality < 0 || jpeg_quality > 100) {
    throw CV_ERROR(InvalidArgumentError, "jpeg_quality must be in [0, 100]")
        .With("jpeg_quality", jpeg_quality);
  }
  if (png_compression < 0 || png_compression > 9) {
    throw CV_ERROR(InvalidArgumentError, "png_compression must be in [0, 9]")
        .With("png_compression", png_compression);
  }
}

std::string EncodeImage(const cv::Mat& image_rgb8, ImageFormat format,
                        const ImageEncodeOptions& options) {
  options.Check();
  if (image_rgb8.empty() || (image_rgb8.type() != CV_8UC3 && image_rgb8.type() != CV_8UC1)) {
    throw CV_ERROR(InvalidArgumentError, "can only encode non-empty 8-bit RGB or grey images")
        .With("type", cv::typeToString(image_rgb8.type()))
        .With("size", image_rgb8.size());
  }
  cv::Mat bgr;
  if (image_rgb8.channels() == 3) {
    cv::cvtColor(image_rgb8, bgr, cv::COLOR_RGB2BGR);
  } else {
    bgr = image_rgb8;
  }
  std::string ext;
  std::vector<int> params;
  switch (format) {
    case ImageFormat::kJpeg:
      ext = ".jpg";
      params = {cv::IMWRITE_JPEG_QUALITY,      options.jpeg_quality,
                cv::IMWRITE_JPEG_PROGRESSIVE,  0,
                cv::IMWRITE_JPEG_OPTIMIZE,     0,
                cv::IMWRITE_JPEG_RST_INTERVAL, 0};
      break;
    case ImageFormat::kPng:
      ext = ".png";
      params = {cv::IMWRITE_PNG_COMPRESSION, options.png_compression, cv::IMWRITE_PNG_STRATEGY,
                cv::IMWRITE_PNG_STRATEGY_DEFAULT};
      break;
    case ImageFormat::kTiff:
      ext = ".tif";
      params = {cv::IMWRITE_TIFF_COMPRESSION, 1};  // uncompressed: no codec-version drift
      break;
  }
  std::vector<uchar> buffer;
  bool ok = false;
  try {
    ok = cv::imencode(ext, bgr, buffer, params);
  } catch (const cv::Exception& e) {
    throw CV_ERROR(IoError, "image encoding failed").With("format", ext).With("opencv", e.what());
  }
  if (!ok) throw CV_ERROR(IoError, "image encoding failed").With("format", ext);
  return std::string(buffer.begin(), buffer.end());
}

void SaveImage(const std::filesystem::path& path, const cv::Mat& image_rgb8,
               const ImageEncodeOptions& options) {
  const std::string bytes = WithContext("path", path.string(), [&] {
    return EncodeImage(image_rgb8, ImageFormatFromPath(path), options);
  });
  if (path.has_parent_path()) EnsureDirectory(path.parent_path());
  WriteFileAtomic(path, bytes);
}

}  // namespace crossview::data

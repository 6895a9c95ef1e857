#include "crossview/data/image_io.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
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

uint64_t Be(const std::string& b, size_t at, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}

uint64_t Le32(const std::string& b, size_t at) {
  uint64_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}

}  // namespace

uint64_t MaxImagePixels() {
  if (const char* env = std::getenv("CROSSVIEW_MAX_IMAGE_PIXELS")) {
    char* end = nullptr;
    const unsigned long long v = std::strtoull(env, &end, 10);
    if (end != env && *end == '\0' && v > 0) return v;
  }
  return uint64_t{1} << 28;
}

std::optional<ImageHeaderSize> PeekImageSize(const std::string& b) {
  // PNG: 8-byte signature, then the IHDR chunk (length, "IHDR", width, height; big-endian).
  if (b.size() >= 24 && b.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0 && b.compare(12, 4, "IHDR") == 0) {
    return ImageHeaderSize{Be(b, 16, 4), Be(b, 20, 4)};
  }
  // BMP: "BM", then the DIB header with a signed 32-bit width and height (negative = top-down).
  if (b.size() >= 26 && b[0] == 'B' && b[1] == 'M') {
    const auto w = static_cast<int32_t>(Le32(b, 18)), h = static_cast<int32_t>(Le32(b, 22));
    return ImageHeaderSize{static_cast<uint64_t>(w < 0 ? -static_cast<int64_t>(w) : w),
                           static_cast<uint64_t>(h < 0 ? -static_cast<int64_t>(h) : h)};
  }
  // JPEG: SOI, then marker segments up to the first start-of-frame (SOF0..SOF15 except DHT C4,
  // JPG C8, DAC CC), whose payload is precision, height, width.
  if (b.size() >= 4 && static_cast<unsigned char>(b[0]) == 0xFF && static_cast<unsigned char>(b[1]) == 0xD8) {
    size_t i = 2;
    while (i + 4 <= b.size()) {
      if (static_cast<unsigned char>(b[i]) != 0xFF) return std::nullopt;
      const unsigned marker = static_cast<unsigned char>(b[i + 1]);
      if (marker == 0xFF) {  // fill byte
        ++i;
        continue;
      }
      if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {  // no length
        i += 2;
        continue;
      }
      if (marker == 0xD9 || marker == 0xDA) return std::nullopt;  // end of image / scan before a frame
      const uint64_t length = Be(b, i + 2, 2);
      if (length < 2) return std::nullopt;
      if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
        if (i + 9 > b.size()) return std::nullopt;
        return ImageHeaderSize{Be(b, i + 7, 2), Be(b, i + 5, 2)};
      }
      i += 2 + length;
    }
  }
  return std::nullopt;
}

cv::Mat DecodeImageRgb(const std::string& bytes, const std::string& what) {
  if (bytes.empty()) {
    throw CV_ERROR(IoError, "image file is empty").With("source", what);
  }
  const uint64_t limit = MaxImagePixels();
  if (const auto size = PeekImageSize(bytes); size && size->width * size->height > limit) {
    throw CV_ERROR(InvalidArgumentError, "image is too large to decode")
        .With("source", what)
        .With("width", size->width)
        .With("height", size->height)
        .With("max_pixels", limit)
        .Hint("downscale the image, or raise CROSSVIEW_MAX_IMAGE_PIXELS if it is genuine");
  }
  // libjpeg decodes a cut-off JPEG with a warning and grey rows; refuse it instead. 0xFF 0xD9 can
  // only be the end-of-image marker (entropy-coded 0xFF bytes are stuffed with 0x00).
  if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0xFF && static_cast<unsigned char>(bytes[1]) == 0xD8 &&
      bytes.rfind("\xFF\xD9") == std::string::npos) {
    throw CV_ERROR(IoError, "JPEG is truncated: no end-of-image marker")
        .With("source", what)
        .With("bytes", bytes.size())
        .Hint("re-fetch or re-export the file; a partial download or an interrupted write cuts JPEGs");
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
  if (static_cast<uint64_t>(decoded.cols) * static_cast<uint64_t>(decoded.rows) > limit) {
    throw CV_ERROR(InvalidArgumentError, "image is too large")
        .With("source", what)
        .With("width", decoded.cols)
        .With("height", decoded.rows)
        .With("max_pixels", limit)
        .Hint("downscale the image, or raise CROSSVIEW_MAX_IMAGE_PIXELS if it is genuine");
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

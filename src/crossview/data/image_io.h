// Image files in and out: every image crossview reads becomes 8-bit, 3-channel RGB (channel order
// R, G, B in memory), and every image it writes goes through fixed encoder settings and an atomic
// rename (spec data.md §1.3, §3.12).
//
// Loading decodes by content, never by extension (the leaflet photo is PNG data named .jpg):
// - grey → R = G = B;
// - RGBA → RGB with the alpha channel dropped, never composited (FlightGear alpha is a shader
// mask);
// - 16-bit → 8-bit by v·255/65535, rounded;
// - EXIF orientation is ignored (pixels as stored), so texture coordinates stay exact.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <opencv2/core.hpp>

namespace crossview::data {

// Loads `path` as CV_8UC3 RGB. Throws NotFoundError if the file does not exist, IoError if it is
// empty, unreadable, not a decodable image, or zero-sized after decoding, and
// InvalidArgumentError for a layout that has no RGB reading (e.g. 5+ bands: use geo/ for those).
cv::Mat LoadImageRgb(const std::filesystem::path& path);

// The same from encoded bytes in memory; `what` names the source in error messages.
// Before decoding, the width and height stored in a PNG, JPEG or BMP header are checked against
// MaxImagePixels(): a few bytes claiming a 30000 x 30000 image are refused with
// InvalidArgumentError instead of allocating gigabytes (other formats are checked after decoding,
// within OpenCV's own limit).
cv::Mat DecodeImageRgb(const std::string& bytes, const std::string& what = "<memory>");

// The largest width x height crossview decodes: CROSSVIEW_MAX_IMAGE_PIXELS when set to a positive
// integer, else 2^28 (268 M pixels, e.g. 16384 x 16384; drone frames and map tiles are far
// smaller; large maps are read through GDAL by window, never decoded whole here).
uint64_t MaxImagePixels();

struct ImageHeaderSize {
  uint64_t width = 0, height = 0;
};
// Width and height from a PNG (IHDR), JPEG (first SOFn) or BMP header without decoding; nullopt
// for other formats or a header too short or malformed to say.
std::optional<ImageHeaderSize> PeekImageSize(const std::string& bytes);

enum class ImageFormat { kJpeg, kPng, kTiff };

// The format for a file name's extension (case-insensitive): .jpg/.jpeg → JPEG, .png → PNG,
// .tif/.tiff → TIFF. Throws InvalidArgumentError for anything else, listing the valid ones.
ImageFormat ImageFormatFromPath(const std::filesystem::path& path);

struct ImageEncodeOptions {
  int jpeg_quality = 95;    // 0..100; baseline, not progressive, no Huffman optimisation, 4:2:0
  int png_compression = 3;  // zlib level 0..9, default strategy

  // Throws InvalidArgumentError for out-of-range values.
  void Check() const;
};

// Encodes an 8-bit RGB (CV_8UC3) or grey (CV_8UC1) image. The same pixels and options give the
// same bytes on the same build.
std::string EncodeImage(const cv::Mat& image_rgb8, ImageFormat format,
                        const ImageEncodeOptions& options = {});

// Encodes by the path's extension and writes atomically (temp file + rename): on failure the
// previous file, if any, is left untouched. Creates missing parent directories.
void SaveImage(const std::filesystem::path& path, const cv::Mat& image_rgb8,
               const ImageEncodeOptions& options = {});

}  // namespace crossview::data

// Checking and decoding an uploaded image before it reaches the pipeline.
//
// The format is read from the bytes (magic numbers), never from Content-Type or a file name, and
// the size from the header (PNG IHDR, JPEG SOFn) before anything is decoded, so a small file
// that claims a huge raster is refused without allocating it:
//
//   empty body                                   400
//   not JPEG (FF D8 FF) or PNG (89 'PNG' ...)    415
//   header cut short, no frame size             400
//   width x height > max_image_pixels            413
//   truncated: a JPEG without its end-of-image marker after the scan, a PNG whose chunks run
//   past the end or that has no IEND chunk       400
//   decoder failure, or a size that differs from the header   400
#pragma once

#include <cstdint>
#include <opencv2/core.hpp>
#include <string>

namespace crossview::service {

enum class UploadFormat { kJpeg, kPng };

// "jpeg" / "png".
const char* UploadFormatName(UploadFormat format);
// "image/jpeg" / "image/png".
const char* UploadMimeType(UploadFormat format);

struct ImageHeader {
  UploadFormat format = UploadFormat::kJpeg;
  int width_px = 0;
  int height_px = 0;
};

// Format and size from the first bytes (throws HttpError 400 / 415 as above).
ImageHeader ReadImageHeader(const std::string& bytes);

struct DecodedUpload {
  ImageHeader header;
  cv::Mat rgb;  // CV_8UC3, R, G, B (data::DecodeImageRgb: grey, alpha and 16 bit handled there)
};

// Every check above, then the decode. Throws HttpError with the status of the table.
DecodedUpload DecodeUpload(const std::string& bytes, int64_t max_image_pixels);

}  // namespace crossview::service

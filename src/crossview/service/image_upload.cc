#include "crossview/service/image_upload.h"

#include <cstring>

#include "crossview/data/image_io.h"
#include "crossview/service/http_error.h"

namespace crossview::service {
namespace {

constexpr unsigned char kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
const char* const kSendJpegOrPng = "send a JPEG or PNG image";

uint32_t Byte(const std::string& b, size_t i) { return static_cast<unsigned char>(b[i]); }
uint32_t BigEndian16(const std::string& b, size_t i) { return Byte(b, i) << 8 | Byte(b, i + 1); }
uint32_t BigEndian32(const std::string& b, size_t i) { return BigEndian16(b, i) << 16 | BigEndian16(b, i + 2); }

bool IsPng(const std::string& b) { return b.size() >= 8 && std::memcmp(b.data(), kPngSignature, 8) == 0; }
bool IsJpeg(const std::string& b) { return b.size() >= 3 && Byte(b, 0) == 0xFF && Byte(b, 1) == 0xD8 && Byte(b, 2) == 0xFF; }

HttpError Truncated(const char* format, const std::string& what, size_t bytes) {
  return CV_HTTP_ERROR(400, std::string("the ") + format + " image is truncated or corrupt: " + what)
      .With("bytes", bytes)
      .Hint("send the complete file");
}

// SOF0..SOF15 carry the frame size; C4 (DHT), C8 (JPG extension) and CC (DAC) share the range.
bool IsStartOfFrame(uint32_t marker) { return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC; }

// Walks the marker segments up to the first scan (SOS). Returns the header and, in *scan_end, the
// offset just after the SOS segment.
ImageHeader ReadJpegHeader(const std::string& b, size_t* scan_end) {
  ImageHeader h;
  h.format = UploadFormat::kJpeg;
  bool have_frame = false;
  size_t pos = 2;
  while (true) {
    if (pos >= b.size()) throw Truncated("JPEG", "the file ends inside its header", b.size());
    if (Byte(b, pos) != 0xFF) throw Truncated("JPEG", "a marker was expected in the header", b.size());
    while (pos < b.size() && Byte(b, pos) == 0xFF) ++pos;  // fill bytes
    if (pos >= b.size()) throw Truncated("JPEG", "the file ends inside its header", b.size());
    const uint32_t marker = Byte(b, pos++);
    if ((marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) continue;  // standalone markers
    if (marker == 0xD8 || marker == 0xD9) throw Truncated("JPEG", "no image scan before the end marker", b.size());
    if (pos + 2 > b.size()) throw Truncated("JPEG", "the file ends inside its header", b.size());
    const size_t length = BigEndian16(b, pos);
    if (length < 2 || pos + length > b.size()) throw Truncated("JPEG", "a header segment runs past the end of the file", b.size());
    if (IsStartOfFrame(marker)) {
      if (length < 7) throw Truncated("JPEG", "the frame header is too short", b.size());
      h.height_px = static_cast<int>(BigEndian16(b, pos + 3));
      h.width_px = static_cast<int>(BigEndian16(b, pos + 5));
      have_frame = true;
    }
    pos += length;
    if (marker == 0xDA) break;
  }
  if (!have_frame) throw Truncated("JPEG", "no frame header before the image scan", b.size());
  *scan_end = pos;
  return h;
}

ImageHeader ReadPngHeader(const std::string& b) {
  // Signature, then the IHDR chunk: length 13, "IHDR", width, height (big-endian).
  if (b.size() < 8 + 8 + 8 || std::memcmp(b.data() + 12, "IHDR", 4) != 0) {
    throw Truncated("PNG", "no IHDR chunk after the signature", b.size());
  }
  ImageHeader h;
  h.format = UploadFormat::kPng;
  const uint32_t w = BigEndian32(b, 16), hgt = BigEndian32(b, 20);
  if (w > 0x7FFFFFFFu || hgt > 0x7FFFFFFFu) throw CV_HTTP_ERROR(400, "the PNG header declares an invalid size").With("width", w).With("height", hgt);
  h.width_px = static_cast<int>(w);
  h.height_px = static_cast<int>(hgt);
  return h;
}

// Every chunk must lie inside the file and the last one be IEND.
void CheckPngChunks(const std::string& b) {
  size_t pos = 8;
  while (true) {
    if (pos + 8 > b.size()) throw Truncated("PNG", "the file ends before its IEND chunk", b.size());
    const size_t length = BigEndian32(b, pos);
    const bool iend = std::memcmp(b.data() + pos + 4, "IEND", 4) == 0;
    if (length > b.size() || pos + 12 + length > b.size()) throw Truncated("PNG", "a chunk runs past the end of the file", b.size());
    pos += 12 + length;
    if (iend) return;
  }
}

// In entropy-coded data 0xFF is followed by 0x00 (stuffing) or a restart marker, so FF D9 after
// the first scan header is the end-of-image marker.
void CheckJpegEnd(const std::string& b, size_t scan_end) {
  for (size_t i = scan_end; i + 1 < b.size(); ++i) {
    if (Byte(b, i) == 0xFF && Byte(b, i + 1) == 0xD9) return;
  }
  throw Truncated("JPEG", "no end-of-image marker after the image data", b.size());
}

}  // namespace

const char* UploadFormatName(UploadFormat format) { return format == UploadFormat::kJpeg ? "jpeg" : "png"; }
const char* UploadMimeType(UploadFormat format) { return format == UploadFormat::kJpeg ? "image/jpeg" : "image/png"; }

ImageHeader ReadImageHeader(const std::string& bytes) {
  if (bytes.empty()) throw CV_HTTP_ERROR(400, "the request has no image (empty body)").Hint(kSendJpegOrPng);
  size_t scan_end = 0;
  if (IsJpeg(bytes)) return ReadJpegHeader(bytes, &scan_end);
  if (IsPng(bytes)) return ReadPngHeader(bytes);
  throw CV_HTTP_ERROR(415, "the body is not a JPEG or PNG image").With("bytes", bytes.size()).Hint(kSendJpegOrPng + std::string(" (other formats are not accepted)"));
}

DecodedUpload DecodeUpload(const std::string& bytes, int64_t max_image_pixels) {
  DecodedUpload d;
  d.header = ReadImageHeader(bytes);
  const ImageHeader& h = d.header;
  if (h.width_px <= 0 || h.height_px <= 0) {
    throw CV_HTTP_ERROR(400, "the image header declares an empty image").With("width", h.width_px).With("height", h.height_px);
  }
  const int64_t pixels = static_cast<int64_t>(h.width_px) * h.height_px;
  if (pixels > max_image_pixels) {
    throw CV_HTTP_ERROR(413, "the image has too many pixels").With("width", h.width_px).With("height", h.height_px)
        .With("pixels", pixels).With("max_image_pixels", max_image_pixels)
        .Hint("downscale the image (the model looks at a few hundred pixels anyway)");
  }
  if (h.format == UploadFormat::kPng) {
    CheckPngChunks(bytes);
  } else {
    size_t scan_end = 0;
    ReadJpegHeader(bytes, &scan_end);
    CheckJpegEnd(bytes, scan_end);
  }
  try {
    d.rgb = data::DecodeImageRgb(bytes, std::string("uploaded ") + UploadFormatName(h.format));
  } catch (const Error& e) {
    throw CV_HTTP_ERROR(400, std::string("the ") + UploadFormatName(h.format) + " image cannot be decoded: " + e.message())
        .With("bytes", bytes.size()).Hint("the file is corrupt; send the original file");
  }
  if (d.rgb.cols != h.width_px || d.rgb.rows != h.height_px) {
    throw CV_HTTP_ERROR(400, "the decoded image size differs from its header").With("header", std::to_string(h.width_px) + "x" + std::to_string(h.height_px))
        .With("decoded", std::to_string(d.rgb.cols) + "x" + std::to_string(d.rgb.rows));
  }
  return d;
}

}  // namespace crossview::service

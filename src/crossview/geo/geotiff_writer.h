// Writes 8-bit RGB images as GeoTIFFs (GDAL GTiff driver), atomically: the file appears under
// its final name only once it is complete, and a failed write leaves an existing file untouched.
#pragma once

#include <filesystem>
#include <string>

#include "crossview/geo/crs.h"
#include "crossview/geo/geotransform.h"
#include "crossview/geo/image.h"

namespace crossview::geo {

struct GeoTiffWriteOptions {
  // GTiff COMPRESS creation option: "DEFLATE", "LZW", "NONE", ...
  std::string compression = "DEFLATE";
  // Write 256×256 tiles instead of strips (better for large maps read in windows).
  bool tiled = false;
};

// Writes `image` to `path` with the given georeference (`geotransform` maps the image's own
// corner-based pixel coordinates into `crs`). Throws InvalidArgumentError for an empty image or a
// pixel buffer of the wrong size, IoError if GDAL cannot write.
void WriteGeoTiffRgb(const std::filesystem::path& path, const RgbImage& image, const GeoTransform& geotransform,
                     const Crs& crs, const GeoTiffWriteOptions& options = {});

}  // namespace crossview::geo

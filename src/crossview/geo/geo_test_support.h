// Helpers shared by geo/ tests: reference values computed with plain GDAL calls (independent of
// geo/'s own code path), in-memory test rasters, and DMS parsing.
#pragma once

#include <filesystem>
#include <string>

#include "crossview/geo/coords.h"
#include "crossview/geo/raster.h"

namespace crossview::geo::testing {

// Latitude/longitude of a corner-based pixel position as gdalinfo computes it: GDAL's
// geotransform, then an OGRCoordinateTransformation from the file's CRS to its own geographic
// CRS (CloneGeogCS), traditional axis order.
LatLonDeg GdalReferenceLatLonOwnDatum(const std::filesystem::path& path, PixelColRow pixel);

// The same to WGS 84 with GDAL's default operation choice for the raster's area.
LatLonDeg GdalReferenceLatLonWgs84(const std::filesystem::path& path, PixelColRow pixel);

// An in-memory (MEM) copy of `raster`'s pixels and CRS with the given geotransform.
GeoRaster MemCopyWithGeotransform(const GeoRaster& raster, const GeoTransform& geotransform, const std::string& name);

// 87°39'59.59" → 87.66655277…; sign is the caller's.
double DmsToDeg(int degrees, int minutes, double seconds);

}  // namespace crossview::geo::testing

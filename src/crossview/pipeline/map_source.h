// Opening the map an index is built from (and refined against): any GDAL raster with a
// georeference, in any CRS. A rotated geotransform is warped north-up in memory (or rejected with
// the fix); a map without georeference is rejected, or georeferenced from explicit corners:
//
//   --corners TOP_LAT,LEFT_LON --assume-gsd-m G
//       north-up, square pixels of G metres, the outer corner of pixel (0, 0) at (TOP_LAT, LEFT_LON)
//       (WGS 84). The map becomes a local plate carrée on the sphere R = 6 378 137 m anchored at its
//       centre, exactly like the synthetic texture georeference (geo/texture_georef.h).
//   --corners TOP_LAT,LEFT_LON,BOTTOM_LAT,RIGHT_LON [--assume-gsd-m G]
//       north-up, EPSG:4326, the outer corners of the top-left and bottom-right pixels. With G the
//       GSD the corners imply must agree with G within 5 % (a guard against swapped or mistyped
//       corners).
#pragma once

#include <array>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crossview/geo/coords.h"
#include "crossview/geo/raster.h"

namespace crossview::pipeline {

struct MapGeorefOptions {
  // Metres per pixel of a map without georeference (with corners_lat_lon_deg).
  double assume_gsd_m = 0.0;
  // Empty, {top lat, left lon} or {top lat, left lon, bottom lat, right lon}, WGS 84 degrees.
  std::vector<double> corners_lat_lon_deg;
  // A rotated geotransform: warp north-up in memory (true) or reject it with the fix (false).
  bool warp_rotated = true;

  // Throws InvalidArgumentError naming the bad field.
  void Check() const;
  bool assumes_georeference() const { return assume_gsd_m > 0.0 || !corners_lat_lon_deg.empty(); }
  nlohmann::json ToJson() const;
  static MapGeorefOptions FromJson(const nlohmann::json& j);
};

struct MapSource {
  // North-up and georeferenced: the pixel space of the tile windows.
  geo::GeoRaster raster;
  std::string path;
  std::string georeference_source;  // "file" or "assumed"
  bool warped_north_up = false;
  // The four outer corners of the map as given (before any warp): top-left, top-right,
  // bottom-right, bottom-left, in WGS 84 and in the CRS's own geographic CRS (what gdalinfo
  // prints as "Corner Coordinates").
  std::array<geo::LatLonDeg, 4> corners_wgs84;
  std::array<geo::LatLonDeg, 4> corners_own_datum;

  // {"path", "georeference_source", "warped_north_up", "crs_name", "crs_wkt", "geotransform",
  //  "width_px", "height_px", "gsd_m", "lat_lon_operation", "corners_wgs84", "corners_own_datum"}
  // ("geotransform" and the size are those of `raster`, i.e. after the warp).
  nlohmann::json Describe() const;
};

// Opens `path` as described above. Throws NotFoundError / IoError for unreadable files and
// InvalidArgumentError for a map without georeference (naming --assume-gsd-m and --corners), a
// georeferenced map given corners anyway, inconsistent corners, or a rotated map with
// warp_rotated off.
MapSource OpenMapSource(const std::filesystem::path& path, const MapGeorefOptions& options = {});

// The georeference assumed for a width × height map (EPSG:4326 geotransform), as described above.
geo::GeoTransform AssumedGeotransform(int width_px, int height_px, const MapGeorefOptions& options);

// [[lat, lon], …] for JSON.
nlohmann::json LatLonListJson(const std::array<geo::LatLonDeg, 4>& corners);

}  // namespace crossview::pipeline

// Small value types for the coordinate frames geo/ works in. Each type names its frame and units,
// so a pair of doubles never crosses an API boundary without saying what it is.
//
// Pixel conventions (data.md §2.1): pixels are area cells with corner-based continuous
// coordinates. Pixel (row i, col j) covers [j, j+1) × [i, i+1); its centre is (j+0.5, i+0.5);
// (0, 0) is the outer corner of the top-left pixel.
#pragma once

#include <ostream>

namespace crossview::geo {

// A continuous, corner-based pixel position: col = x (to the right), row = y (down).
struct PixelColRow {
  double col = 0.0;
  double row = 0.0;
};

// A position in a CRS's own units, in traditional GIS order: x = easting (or longitude for a
// geographic CRS), y = northing (or latitude). The units are the CRS's (metres, US survey feet,
// degrees); see Crs::linear_unit_m().
struct CrsXY {
  double x = 0.0;
  double y = 0.0;
};

// Geographic latitude and longitude in decimal degrees (north and east positive).
struct LatLonDeg {
  double lat_deg = 0.0;
  double lon_deg = 0.0;
};

// A local metric frame: east and north in metres from some origin.
struct EnM {
  double e_m = 0.0;
  double n_m = 0.0;
};

// An axis-aligned window of whole pixels: columns [col_off, col_off + width) and rows
// [row_off, row_off + height).
struct PixelWindow {
  int col_off = 0;
  int row_off = 0;
  int width_px = 0;
  int height_px = 0;
};

// A geographic bounding box in degrees (west <= east; no antimeridian wrap).
struct LatLonBox {
  double west_lon_deg = 0.0;
  double south_lat_deg = 0.0;
  double east_lon_deg = 0.0;
  double north_lat_deg = 0.0;
};

inline std::ostream& operator<<(std::ostream& os, const PixelColRow& p) {
  return os << "(col " << p.col << ", row " << p.row << ")";
}
inline std::ostream& operator<<(std::ostream& os, const CrsXY& p) {
  return os << "(x " << p.x << ", y " << p.y << ")";
}
inline std::ostream& operator<<(std::ostream& os, const LatLonDeg& p) {
  return os << "(lat " << p.lat_deg << "°, lon " << p.lon_deg << "°)";
}
inline std::ostream& operator<<(std::ostream& os, const EnM& p) {
  return os << "(e " << p.e_m << " m, n " << p.n_m << " m)";
}
inline std::ostream& operator<<(std::ostream& os, const PixelWindow& w) {
  return os << "(col " << w.col_off << ", row " << w.row_off << ", " << w.width_px << "x" << w.height_px << " px)";
}

}  // namespace crossview::geo

// An affine georeference in GDAL's six-coefficient form.
//
//   X = GT[0] + col·GT[1] + row·GT[2]
//   Y = GT[3] + col·GT[4] + row·GT[5]
//
// (col, row) are corner-based continuous pixel coordinates (coords.h): (0, 0) is the outer corner
// of pixel (0, 0), whatever the file's AREA_OR_POINT says (GDAL already shifts PixelIsPoint
// rasters). (X, Y) are CRS coordinates in traditional GIS order (easting/longitude first).
// GT[2] and GT[4] may be non-zero (a rotated or sheared grid).
#pragma once

#include <array>
#include <string>

#include "crossview/geo/coords.h"

namespace crossview::geo {

class GeoTransform {
 public:
  // The identity (pixel coordinates are CRS coordinates, rows pointing up), the default state.
  GeoTransform() : GeoTransform(std::array<double, 6>{0.0, 1.0, 0.0, 0.0, 0.0, 1.0}) {}

  // From GDAL's coefficients. Throws InvalidArgumentError if a coefficient is not finite or the
  // 2×2 part is singular (zero-area pixels).
  explicit GeoTransform(const std::array<double, 6>& gdal_coefficients);

  // A north-up grid: the outer corner of pixel (0, 0) at `top_left`, pixels `pixel_width` CRS
  // units wide and `pixel_height` tall (both > 0; rows go south).
  static GeoTransform NorthUp(CrsXY top_left, double pixel_width, double pixel_height);

  const std::array<double, 6>& gdal() const { return gt_; }

  CrsXY CrsFromPixel(PixelColRow pixel) const;
  PixelColRow PixelFromCrs(CrsXY crs) const;

  // GT[2] == GT[4] == 0, GT[1] > 0 and GT[5] < 0: columns go east and rows go south.
  bool is_north_up() const;

  // Length, in CRS units, of one step along a row (+1 col) and along a column (+1 row).
  double pixel_width() const;
  double pixel_height() const;
  // |det|: the area of one pixel in CRS units squared.
  double pixel_area() const;

  // The grid bearing of the image's "up" direction (decreasing row), in degrees clockwise from
  // the CRS's +Y axis (grid north). 0 for a north-up raster; -30 for one rotated 30°
  // counter-clockwise (its up direction points north-west).
  double up_grid_bearing_deg() const;

  // The same grid rotated by `angle_deg` counter-clockwise (seen with +Y up) about `pivot`:
  // every pixel lands where the old one was, rotated about `pivot`.
  GeoTransform RotatedAbout(CrsXY pivot, double angle_deg) const;

  // The georeference of a sub-window whose pixel (0, 0) is this grid's (col_off, row_off).
  GeoTransform ForWindow(double col_off, double row_off) const;

  // The georeference of the same footprint resampled by `factor` (2 = twice as many pixels per
  // side).
  GeoTransform Resampled(double factor) const;

  std::string ToString() const;

 private:
  std::array<double, 6> gt_;
  std::array<double, 6> inv_;
};

}  // namespace crossview::geo

// UL14 search-map georeference (data.md §4.3, drl.md §6.3): the GPS_info.json corner fields,
// the linear lat/lon ↔ pixel interpolation the reference code assumes, and labels.json labels.
//
// For a stored S×S search map (S = 768):
//   E(col) = tl_E + (br_E − tl_E)·col/S        N(row) = tl_N − (tl_N − br_N)·row/S
// where (tl_E, tl_N) is the lon/lat of the top-left corner of pixel (0, 0) and (br_E, br_N) that
// of the bottom-right corner of pixel (S−1, S−1); col/row are corner-based.
#pragma once

#include "crossview/geo/coords.h"
#include "crossview/geo/texture_georef.h"

namespace crossview::geo {

inline constexpr int kUl14MapSizePx = 768;

// One "Satellite" entry of GPS_info.json.
struct Ul14SearchMapGps {
  double tl_e_deg = 0.0;  // tl_E: longitude of the map's top-left corner
  double tl_n_deg = 0.0;  // tl_N: latitude of the map's top-left corner
  double br_e_deg = 0.0;  // br_E: longitude of the map's bottom-right corner
  double br_n_deg = 0.0;  // br_N: latitude of the map's bottom-right corner
  double center_distribute_x = 0.0;  // (crop-centre row − UAV row) / (map side / 2)
  double center_distribute_y = 0.0;  // (crop-centre col − UAV col) / (map side / 2)
  int map_size = 0;                  // map side in source texture pixels, rounded
};

// A labels.json entry: integer pixel of the UAV in the stored map, row first.
struct Ul14Label {
  int row = 0;
  int col = 0;
};

// The linear interpolation above, and its inverse. `stored_size_px` is S.
LatLonDeg Ul14LatLonFromPixel(const Ul14SearchMapGps& map, PixelColRow pixel, int stored_size_px = kUl14MapSizePx);
PixelColRow Ul14PixelFromLatLon(const Ul14SearchMapGps& map, LatLonDeg lat_lon, int stored_size_px = kUl14MapSizePx);

// row = ⌊S·y_rel⌋, col = ⌊S·x_rel⌋, from the UAV's position relative to the map's top-left
// corner (x_rel along columns, y_rel along rows, both in [0, 1)).
Ul14Label Ul14LabelFromRelative(double x_rel, double y_rel, int stored_size_px = kUl14MapSizePx);

// A square search map cut from a georeferenced texture.
struct Ul14SearchMap {
  Ul14SearchMapGps gps;
  Ul14Label label;
  double x_rel = 0.0;  // UAV position relative to the map's top-left corner, along columns
  double y_rel = 0.0;  // ... along rows
};

// Builds the GPS_info.json entry and label for a square crop of side `map_side_px` texture
// pixels centred at `crop_centre` (texture pixel coordinates), with the UAV at `uav`. Throws
// InvalidArgumentError if the UAV lies outside the crop or the side is not positive.
Ul14SearchMap MakeUl14SearchMap(const TextureGeoref& georef, PixelColRow uav, PixelColRow crop_centre, double map_side_px,
                                int stored_size_px = kUl14MapSizePx);

}  // namespace crossview::geo

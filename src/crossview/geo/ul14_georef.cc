#include "crossview/geo/ul14_georef.h"

#include <cmath>

#include "crossview/util/errors.h"

namespace crossview::geo {
namespace {
void CheckStoredSize(int stored_size_px) {
  if (stored_size_px <= 0) {
    throw CV_ERROR(InvalidArgumentError, "stored map size must be positive").With("stored_size_px", stored_size_px);
  }
}
}  // namespace

LatLonDeg Ul14LatLonFromPixel(const Ul14SearchMapGps& map, PixelColRow pixel, int stored_size_px) {
  CheckStoredSize(stored_size_px);
  const double s = stored_size_px;
  return {map.tl_n_deg - (map.tl_n_deg - map.br_n_deg) * pixel.row / s,
          map.tl_e_deg + (map.br_e_deg - map.tl_e_deg) * pixel.col / s};
}

PixelColRow Ul14PixelFromLatLon(const Ul14SearchMapGps& map, LatLonDeg lat_lon, int stored_size_px) {
  CheckStoredSize(stored_size_px);
  const double span_e = map.br_e_deg - map.tl_e_deg;
  const double span_n = map.tl_n_deg - map.br_n_deg;
  if (span_e == 0.0 || span_n == 0.0) {
    throw CV_ERROR(InvalidArgumentError, "search map corners span no area")
        .With("tl", LatLonDeg{map.tl_n_deg, map.tl_e_deg})
        .With("br", LatLonDeg{map.br_n_deg, map.br_e_deg});
  }
  const double s = stored_size_px;
  return {(lat_lon.lon_deg - map.tl_e_deg) / span_e * s, (map.tl_n_deg - lat_lon.lat_deg) / span_n * s};
}

Ul14Label Ul14LabelFromRelative(double x_rel, double y_rel, int stored_size_px) {
  CheckStoredSize(stored_size_px);
  if (!(x_rel >= 0.0 && x_rel < 1.0 && y_rel >= 0.0 && y_rel < 1.0)) {
    throw CV_ERROR(InvalidArgumentError, "UAV position must lie inside the search map").With("x_rel", x_rel).With("y_rel", y_rel);
  }
  return {static_cast<int>(std::floor(stored_size_px * y_rel)), static_cast<int>(std::floor(stored_size_px * x_rel))};
}

Ul14SearchMap MakeUl14SearchMap(const TextureGeoref& georef, PixelColRow uav, PixelColRow crop_centre, double map_side_px,
                                int stored_size_px) {
  if (!(map_side_px > 0.0)) throw CV_ERROR(InvalidArgumentError, "map side must be positive").With("map_side_px", map_side_px);
  const double half = map_side_px / 2.0;
  const PixelColRow top_left{crop_centre.col - half, crop_centre.row - half};
  const PixelColRow bottom_right{crop_centre.col + half, crop_centre.row + half};
  Ul14SearchMap out;
  out.x_rel = (uav.col - top_left.col) / map_side_px;
  out.y_rel = (uav.row - top_left.row) / map_side_px;
  out.label = WithContext("uav", uav, [&] { return Ul14LabelFromRelative(out.x_rel, out.y_rel, stored_size_px); });
  const LatLonDeg tl = georef.lat_lon_from_pixel(top_left);
  const LatLonDeg br = georef.lat_lon_from_pixel(bottom_right);
  out.gps.tl_e_deg = tl.lon_deg;
  out.gps.tl_n_deg = tl.lat_deg;
  out.gps.br_e_deg = br.lon_deg;
  out.gps.br_n_deg = br.lat_deg;
  out.gps.center_distribute_x = (crop_centre.row - uav.row) / half;
  out.gps.center_distribute_y = (crop_centre.col - uav.col) / half;
  out.gps.map_size = static_cast<int>(std::lround(map_side_px));
  return out;
}

}  // namespace crossview::geo

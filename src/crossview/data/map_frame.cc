#include "crossview/data/map_frame.h"

#include <cmath>

#include "crossview/util/errors.h"

namespace crossview::data {

void MapFrame::Check() const {
  if (width_px <= 0 || height_px <= 0) {
    throw CV_ERROR(InvalidArgumentError, "map size must be positive")
        .With("width_px", width_px)
        .With("height_px", height_px);
  }
  if (!(gsd_m > 0.0) || !std::isfinite(gsd_m)) {
    throw CV_ERROR(InvalidArgumentError, "map GSD must be positive and finite")
        .With("gsd_m", gsd_m)
        .Hint("take gsd_m from flightgear/textures.tsv or the raster's geotransform");
  }
}

cv::Matx33d MapFrame::GroundFromMap() const {
  const double e0 = -0.5 * width_px * gsd_m;
  const double n0 = 0.5 * height_px * gsd_m;
  return {gsd_m, 0.0,    e0,  //
          0.0,   -gsd_m, n0,  //
          0.0,   0.0,    1.0};
}

cv::Matx33d MapFrame::MapFromGround() const {
  // x = (e − e0)/g = e/g + W/2;  y = (n0 − n)/g = −n/g + H/2.
  const double inv_g = 1.0 / gsd_m;
  return {inv_g, 0.0,    0.5 * width_px,   //
          0.0,   -inv_g, 0.5 * height_px,  //
          0.0,   0.0,    1.0};
}

cv::Vec2d MapFrame::EnFromXy(const cv::Vec2d& xy_px) const {
  return {(xy_px[0] - 0.5 * width_px) * gsd_m, (0.5 * height_px - xy_px[1]) * gsd_m};
}

cv::Vec2d MapFrame::XyFromEn(const cv::Vec2d& en_m) const {
  return {en_m[0] / gsd_m + 0.5 * width_px, 0.5 * height_px - en_m[1] / gsd_m};
}

cv::Matx33d Translation2d(double d_px) {
  return {1.0, 0.0, d_px,  //
          0.0, 1.0, d_px,  //
          0.0, 0.0, 1.0};
}

cv::Matx33d CentreBasedFromCornerBased(const cv::Matx33d& h_corner) {
  return Translation2d(-0.5) * h_corner * Translation2d(0.5);
}

cv::Matx33d CornerBasedFromCentreBased(const cv::Matx33d& h_cv) {
  return Translation2d(0.5) * h_cv * Translation2d(-0.5);
}

cv::Vec2d ApplyHomography(const cv::Matx33d& h, const cv::Vec2d& xy) {
  const cv::Vec3d p = h * cv::Vec3d(xy[0], xy[1], 1.0);
  if (p[2] == 0.0 || !std::isfinite(p[2])) {
    throw CV_ERROR(InvalidArgumentError, "point maps to infinity under the homography")
        .With("x", xy[0])
        .With("y", xy[1]);
  }
  return {p[0] / p[2], p[1] / p[2]};
}

cv::Matx33d NorthUpTileImageFromMap(const MapFrame& map, const cv::Vec2d& centre_en_m,
                                    double side_m, int size_px) {
  map.Check();
  if (!(side_m > 0.0) || !std::isfinite(side_m)) {
    throw CV_ERROR(InvalidArgumentError, "tile side must be positive").With("side_m", side_m);
  }
  if (size_px <= 0) {
    throw CV_ERROR(InvalidArgumentError, "tile size must be positive").With("size_px", size_px);
  }
  // Top-left corner of the tile in map pixels, and output pixels per map pixel.
  const cv::Vec2d corner_xy_px =
      map.XyFromEn({centre_en_m[0] - 0.5 * side_m, centre_en_m[1] + 0.5 * side_m});
  const double scale = size_px * map.gsd_m / side_m;
  return {scale, 0.0,   -scale * corner_xy_px[0],  //
          0.0,   scale, -scale * corner_xy_px[1],  //
          0.0,   0.0,   1.0};
}

}  // namespace crossview::data

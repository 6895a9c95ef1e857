#include "crossview/geo/geotransform.h"

#include <cmath>
#include <sstream>

#include "crossview/util/errors.h"

namespace crossview::geo {

GeoTransform::GeoTransform(const std::array<double, 6>& gdal_coefficients) : gt_(gdal_coefficients) {
  for (double v : gt_) {
    if (!std::isfinite(v)) {
      throw CV_ERROR(InvalidArgumentError, "geotransform has a non-finite coefficient").With("geotransform", ToString());
    }
  }
  const double det = gt_[1] * gt_[5] - gt_[2] * gt_[4];
  const double scale = std::abs(gt_[1] * gt_[5]) + std::abs(gt_[2] * gt_[4]);
  if (det == 0.0 || std::abs(det) <= 1e-15 * scale) {
    throw CV_ERROR(InvalidArgumentError, "geotransform is singular: its pixels have zero area")
        .With("geotransform", ToString())
        .Hint("check the raster's georeference (pixel size must be non-zero)");
  }
  // Inverse: [col; row] = M^-1 ([X; Y] - [GT0; GT3]) with M = [[GT1, GT2], [GT4, GT5]].
  const double a = gt_[5] / det, b = -gt_[2] / det, c = -gt_[4] / det, d = gt_[1] / det;
  inv_ = {-(a * gt_[0] + b * gt_[3]), a, b, -(c * gt_[0] + d * gt_[3]), c, d};
}

GeoTransform GeoTransform::NorthUp(CrsXY top_left, double pixel_width, double pixel_height) {
  if (!(pixel_width > 0.0) || !(pixel_height > 0.0)) {
    throw CV_ERROR(InvalidArgumentError, "pixel size must be positive")
        .With("pixel_width", pixel_width)
        .With("pixel_height", pixel_height);
  }
  return GeoTransform({top_left.x, pixel_width, 0.0, top_left.y, 0.0, -pixel_height});
}

CrsXY GeoTransform::CrsFromPixel(PixelColRow p) const {
  return {gt_[0] + p.col * gt_[1] + p.row * gt_[2], gt_[3] + p.col * gt_[4] + p.row * gt_[5]};
}

PixelColRow GeoTransform::PixelFromCrs(CrsXY c) const {
  // Subtract the origin first: it keeps full precision for large coordinates (UTM northings).
  const double dx = c.x - gt_[0], dy = c.y - gt_[3];
  return {inv_[1] * dx + inv_[2] * dy, inv_[4] * dx + inv_[5] * dy};
}

bool GeoTransform::is_north_up() const { return gt_[2] == 0.0 && gt_[4] == 0.0 && gt_[1] > 0.0 && gt_[5] < 0.0; }

double GeoTransform::pixel_width() const { return std::hypot(gt_[1], gt_[4]); }
double GeoTransform::pixel_height() const { return std::hypot(gt_[2], gt_[5]); }
double GeoTransform::pixel_area() const { return std::abs(gt_[1] * gt_[5] - gt_[2] * gt_[4]); }

double GeoTransform::up_grid_bearing_deg() const {
  // Up = decreasing row: the CRS step is (-GT[2], -GT[5]).
  return std::atan2(-gt_[2], -gt_[5]) * 180.0 / M_PI;
}

GeoTransform GeoTransform::RotatedAbout(CrsXY pivot, double angle_deg) const {
  const double t = angle_deg * M_PI / 180.0;
  const double c = std::cos(t), s = std::sin(t);
  // New forward map: R·(F(p) − pivot) + pivot, with R the counter-clockwise rotation.
  const double ox = gt_[0] - pivot.x, oy = gt_[3] - pivot.y;
  return GeoTransform({pivot.x + c * ox - s * oy, c * gt_[1] - s * gt_[4], c * gt_[2] - s * gt_[5],
                       pivot.y + s * ox + c * oy, s * gt_[1] + c * gt_[4], s * gt_[2] + c * gt_[5]});
}

GeoTransform GeoTransform::ForWindow(double col_off, double row_off) const {
  const CrsXY origin = CrsFromPixel({col_off, row_off});
  return GeoTransform({origin.x, gt_[1], gt_[2], origin.y, gt_[4], gt_[5]});
}

GeoTransform GeoTransform::Resampled(double factor) const {
  if (!(factor > 0.0)) throw CV_ERROR(InvalidArgumentError, "resampling factor must be positive").With("factor", factor);
  return GeoTransform({gt_[0], gt_[1] / factor, gt_[2] / factor, gt_[3], gt_[4] / factor, gt_[5] / factor});
}

std::string GeoTransform::ToString() const {
  std::ostringstream os;
  os.precision(17);
  os << "[" << gt_[0] << ", " << gt_[1] << ", " << gt_[2] << ", " << gt_[3] << ", " << gt_[4] << ", " << gt_[5] << "]";
  return os.str();
}

}  // namespace crossview::geo

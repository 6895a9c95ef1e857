#include "crossview/data/validity.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "crossview/util/errors.h"

namespace crossview::data {
namespace {

const char* const kCornerNames[4] = {"(0, 0)", "(W, 0)", "(W, H)", "(0, H)"};

bool InsideMap(const MapFrame& map, const cv::Vec2d& xy_px) {
  return xy_px[0] >= 0.0 && xy_px[0] <= map.width_px && xy_px[1] >= 0.0 &&
         xy_px[1] <= map.height_px;
}

// Fills the verdict for corners already mapped to the map (all on the ground).
void CheckCornersInside(const MapFrame& map, ViewValidity& v) {
  for (int i = 0; i < 4; ++i) {
    if (InsideMap(map, v.corners_xy_px[i])) continue;
    std::ostringstream os;
    os << "corner " << i << " " << kCornerNames[i] << " maps to map pixel ("
       << v.corners_xy_px[i][0] << ", " << v.corners_xy_px[i][1] << "), outside " << map.width_px
       << " x " << map.height_px;
    v.valid = false;
    v.reason = ViewInvalidReason::kOutsideMap;
    v.detail = os.str();
    return;
  }
  v.valid = true;
  v.reason = ViewInvalidReason::kNone;
  v.detail.clear();
}

}  // namespace

void ViewValidityOptions::Check() const {
  if (!(max_far_edge_off_nadir_deg > 0.0 && max_far_edge_off_nadir_deg < 90.0)) {
    throw CV_ERROR(InvalidArgumentError, "validity.max_far_edge_off_nadir_deg must be in (0, 90)")
        .With("max_far_edge_off_nadir_deg", max_far_edge_off_nadir_deg);
  }
}

const char* ViewInvalidReasonName(ViewInvalidReason reason) {
  switch (reason) {
    case ViewInvalidReason::kNone:
      return "none";
    case ViewInvalidReason::kTooOblique:
      return "too_oblique";
    case ViewInvalidReason::kCornerOffGround:
      return "corner_off_ground";
    case ViewInvalidReason::kOutsideMap:
      return "outside_map";
  }
  return "unknown";
}

ViewValidity CheckDroneView(const MapFrame& map, const PinholeCamera& camera,
                            const CameraPose& pose, const ViewValidityOptions& options) {
  options.Check();
  ViewValidity v;
  // Map the image corners through H⁻¹; a non-positive third coordinate means the corner's ray
  // does not reach the ground in front of the camera.
  const cv::Matx33d map_from_image = ImageFromMap(camera, pose, map).inv();
  const double w = camera.width_px, h = camera.height_px;
  const cv::Vec2d corners_image[4] = {{0.0, 0.0}, {w, 0.0}, {w, h}, {0.0, h}};
  int first_off_ground = -1;
  for (int i = 0; i < 4; ++i) {
    const cv::Vec3d q = map_from_image * cv::Vec3d(corners_image[i][0], corners_image[i][1], 1.0);
    v.corner_on_ground[i] = q[2] > 0.0;
    if (v.corner_on_ground[i]) {
      v.corners_xy_px[i] = {q[0] / q[2], q[1] / q[2]};
    } else if (first_off_ground < 0) {
      first_off_ground = i;
    }
  }
  const double far_edge_deg = pose.tilt_deg + 0.5 * camera.VfovDeg();
  if (pose.tilt_deg > 0.0 && far_edge_deg > options.max_far_edge_off_nadir_deg) {
    std::ostringstream os;
    os << "tilt + VFOV/2 = " << far_edge_deg << " deg exceeds "
       << options.max_far_edge_off_nadir_deg << " deg";
    v.reason = ViewInvalidReason::kTooOblique;
    v.detail = os.str();
    return v;
  }
  if (first_off_ground >= 0) {
    std::ostringstream os;
    os << "corner " << first_off_ground << " " << kCornerNames[first_off_ground]
       << " does not see the ground in front of the camera";
    v.reason = ViewInvalidReason::kCornerOffGround;
    v.detail = os.str();
    return v;
  }
  CheckCornersInside(map, v);
  return v;
}

ViewValidity CheckNorthUpTile(const MapFrame& map, const cv::Vec2d& centre_en_m, double side_m) {
  map.Check();
  if (!(side_m > 0.0) || !std::isfinite(side_m)) {
    throw CV_ERROR(InvalidArgumentError, "tile side must be positive").With("side_m", side_m);
  }
  ViewValidity v;
  const double half = 0.5 * side_m;
  const cv::Vec2d corners_en_m[4] = {{centre_en_m[0] - half, centre_en_m[1] + half},
                                     {centre_en_m[0] + half, centre_en_m[1] + half},
                                     {centre_en_m[0] + half, centre_en_m[1] - half},
                                     {centre_en_m[0] - half, centre_en_m[1] - half}};
  for (int i = 0; i < 4; ++i) {
    v.corners_xy_px[i] = map.XyFromEn(corners_en_m[i]);
    v.corner_on_ground[i] = true;
  }
  CheckCornersInside(map, v);
  return v;
}

std::optional<cv::Rect2d> TargetCentreRegionXyPx(const MapFrame& map, double reach_m,
                                                 bool left_half_only) {
  map.Check();
  if (!(reach_m >= 0.0) || !std::isfinite(reach_m)) {
    throw CV_ERROR(InvalidArgumentError, "reach must be a finite non-negative distance")
        .With("reach_m", reach_m);
  }
  const double margin_px = reach_m / map.gsd_m;
  const double x0 = margin_px, y0 = margin_px;
  double x1 = map.width_px - margin_px;
  const double y1 = map.height_px - margin_px;
  if (left_half_only) x1 = std::min(x1, 0.5 * map.width_px);
  if (x1 < x0 || y1 < y0) return std::nullopt;
  return cv::Rect2d(x0, y0, x1 - x0, y1 - y0);
}

}  // namespace crossview::data

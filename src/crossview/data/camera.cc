#include "crossview/data/camera.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "crossview/util/errors.h"

namespace crossview::data {
namespace {

constexpr double kDegToRad = M_PI / 180.0;

bool AllFinite(std::initializer_list<double> values) {
  return std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
}

cv::Vec3d Row(const cv::Matx33d& m, int i) { return {m(i, 0), m(i, 1), m(i, 2)}; }

// The viewing ray through image point xy_px, in the ground frame (not normalised).
cv::Vec3d RayEnu(const PinholeCamera& camera, const CameraPose& pose, const cv::Vec2d& xy_px) {
  const double f = camera.FocalPx();
  const cv::Vec3d ray_cam((xy_px[0] - 0.5 * camera.width_px) / f,
                          (xy_px[1] - 0.5 * camera.height_px) / f, 1.0);
  return pose.RCamFromWorld().t() * ray_cam;
}

}  // namespace

void PinholeCamera::Check() const {
  if (width_px <= 0 || height_px <= 0) {
    throw CV_ERROR(InvalidArgumentError, "camera image size must be positive")
        .With("width_px", width_px)
        .With("height_px", height_px);
  }
  if (!(hfov_deg > 0.0 && hfov_deg < 180.0)) {
    throw CV_ERROR(InvalidArgumentError, "camera horizontal field of view must be in (0, 180) deg")
        .With("hfov_deg", hfov_deg)
        .Hint("typical drone cameras have 65 to 85 deg; the presets use 40 to 60");
  }
}

double PinholeCamera::FocalPx() const {
  return 0.5 * width_px / std::tan(0.5 * hfov_deg * kDegToRad);
}

double PinholeCamera::VfovDeg() const {
  return 2.0 * std::atan(0.5 * height_px / FocalPx()) / kDegToRad;
}

cv::Matx33d PinholeCamera::K() const {
  const double f = FocalPx();
  return {f,   0.0, 0.5 * width_px,   //
          0.0, f,   0.5 * height_px,  //
          0.0, 0.0, 1.0};
}

void CameraPose::Check() const {
  if (!AllFinite({centre_en_m[0], centre_en_m[1], height_m, yaw_deg, tilt_deg, roll_deg})) {
    throw CV_ERROR(InvalidArgumentError, "camera pose has a non-finite value")
        .With("centre_en_m", centre_en_m)
        .With("height_m", height_m)
        .With("yaw_deg", yaw_deg)
        .With("tilt_deg", tilt_deg)
        .With("roll_deg", roll_deg);
  }
  if (!(height_m > 0.0)) {
    throw CV_ERROR(InvalidArgumentError, "camera height above ground must be positive")
        .With("height_m", height_m);
  }
  if (!(tilt_deg >= 0.0 && tilt_deg < 90.0)) {
    throw CV_ERROR(InvalidArgumentError, "camera tilt must be in [0, 90) deg (0 = nadir)")
        .With("tilt_deg", tilt_deg)
        .Hint("express a backward tilt as a yaw change of 180 deg");
  }
}

cv::Vec3d CameraPose::CentreEnuM() const { return {centre_en_m[0], centre_en_m[1], height_m}; }

cv::Matx33d CameraPose::RCamFromWorld() const {
  const double psi = yaw_deg * kDegToRad;
  const double theta = tilt_deg * kDegToRad;
  const double st = std::sin(theta), ct = std::cos(theta);
  const double sp = std::sin(psi), cp = std::cos(psi);
  const cv::Matx33d r0(cp, -sp, 0.0,             // r
                       -ct * sp, -ct * cp, -st,  // −u
                       st * sp, st * cp, -ct);   // f
  if (roll_deg == 0.0) return r0;
  const double rho = roll_deg * kDegToRad;
  const double sr = std::sin(rho), cr = std::cos(rho);
  const cv::Matx33d rz(cr, -sr, 0.0,  //
                       sr, cr, 0.0,   //
                       0.0, 0.0, 1.0);
  return rz * r0;
}

cv::Vec3d CameraPose::ForwardEnu() const { return Row(RCamFromWorld(), 2); }
cv::Vec3d CameraPose::UpEnu() const { return -Row(RCamFromWorld(), 1); }
cv::Vec3d CameraPose::RightEnu() const { return Row(RCamFromWorld(), 0); }

CameraPose LookAtPose(const cv::Vec2d& target_en_m, double height_m, double tilt_deg,
                      double bearing_deg, double roll_deg) {
  CameraPose pose;
  pose.height_m = height_m;
  pose.tilt_deg = tilt_deg;
  pose.roll_deg = roll_deg;
  pose.yaw_deg = std::fmod(bearing_deg + 180.0, 360.0);
  if (pose.yaw_deg < 0.0) pose.yaw_deg += 360.0;
  const double d_m = height_m * std::tan(tilt_deg * kDegToRad);
  const double beta = bearing_deg * kDegToRad;
  pose.centre_en_m = {target_en_m[0] + d_m * std::sin(beta), target_en_m[1] + d_m * std::cos(beta)};
  pose.Check();
  return pose;
}

cv::Matx33d ImageFromGround(const PinholeCamera& camera, const CameraPose& pose) {
  camera.Check();
  pose.Check();
  const cv::Matx33d r = pose.RCamFromWorld();
  const cv::Vec3d t = -(r * pose.CentreEnuM());
  const cv::Matx33d r1r2t(r(0, 0), r(0, 1), t[0],  //
                          r(1, 0), r(1, 1), t[1],  //
                          r(2, 0), r(2, 1), t[2]);
  return camera.K() * r1r2t;
}

cv::Matx33d ImageFromMap(const PinholeCamera& camera, const CameraPose& pose, const MapFrame& map) {
  map.Check();
  return ImageFromGround(camera, pose) * map.GroundFromMap();
}

std::optional<cv::Vec2d> ProjectGroundToImage(const PinholeCamera& camera, const CameraPose& pose,
                                              const cv::Vec2d& en_m) {
  const cv::Vec3d p = ImageFromGround(camera, pose) * cv::Vec3d(en_m[0], en_m[1], 1.0);
  if (!(p[2] > 0.0)) return std::nullopt;
  return cv::Vec2d(p[0] / p[2], p[1] / p[2]);
}

std::optional<cv::Vec2d> GroundFromImage(const PinholeCamera& camera, const CameraPose& pose,
                                         const cv::Vec2d& xy_px) {
  camera.Check();
  pose.Check();
  const cv::Vec3d ray = RayEnu(camera, pose, xy_px);
  if (!(ray[2] < 0.0)) return std::nullopt;  // parallel to or rising away from the ground
  const double t = -pose.height_m / ray[2];
  return cv::Vec2d(pose.centre_en_m[0] + t * ray[0], pose.centre_en_m[1] + t * ray[1]);
}

std::optional<std::array<cv::Vec2d, 4>> FootprintCornersEnM(const PinholeCamera& camera,
                                                            const CameraPose& pose) {
  const double w = camera.width_px, h = camera.height_px;
  const std::array<cv::Vec2d, 4> corners_xy_px = {cv::Vec2d(0.0, 0.0), cv::Vec2d(w, 0.0),
                                                  cv::Vec2d(w, h), cv::Vec2d(0.0, h)};
  std::array<cv::Vec2d, 4> out;
  for (int i = 0; i < 4; ++i) {
    auto en = GroundFromImage(camera, pose, corners_xy_px[i]);
    if (!en) return std::nullopt;
    out[i] = *en;
  }
  return out;
}

cv::Vec2d ImageCentreGroundEnM(const PinholeCamera& camera, const CameraPose& pose) {
  auto en = GroundFromImage(camera, pose, {0.5 * camera.width_px, 0.5 * camera.height_px});
  if (!en) {
    throw CV_ERROR(InvalidArgumentError, "the optical axis does not reach the ground")
        .With("tilt_deg", pose.tilt_deg)
        .With("roll_deg", pose.roll_deg);
  }
  return *en;
}

double GsdAtCentreAcrossM(const PinholeCamera& camera, const CameraPose& pose) {
  camera.Check();
  pose.Check();
  const double slant_m = pose.height_m / std::cos(pose.tilt_deg * kDegToRad);
  return slant_m / camera.FocalPx();
}

double GsdAtCentreAlongM(const PinholeCamera& camera, const CameraPose& pose) {
  return GsdAtCentreAcrossM(camera, pose) / std::cos(pose.tilt_deg * kDegToRad);
}

double FootprintReachM(const PinholeCamera& camera, const CameraPose& pose,
                       const cv::Vec2d& target_en_m) {
  auto corners = FootprintCornersEnM(camera, pose);
  if (!corners) {
    throw CV_ERROR(InvalidArgumentError, "the footprint is unbounded: a corner sees the horizon")
        .With("tilt_deg", pose.tilt_deg)
        .With("vfov_deg", camera.VfovDeg())
        .Hint("lower the tilt or the field of view (tilt + VFOV/2 must stay below 90 deg)");
  }
  double reach_m = 0.0;
  for (const cv::Vec2d& c : *corners) reach_m = std::max(reach_m, cv::norm(c - target_en_m));
  return reach_m;
}

double FootprintReachM(const PinholeCamera& camera, const CameraPose& pose) {
  return FootprintReachM(camera, pose, ImageCentreGroundEnM(camera, pose));
}

cv::Mat GroundDistanceMapM(const PinholeCamera& camera, const CameraPose& pose) {
  camera.Check();
  pose.Check();
  cv::Mat distance_m(camera.height_px, camera.width_px, CV_32FC1);
  const cv::Matx33d rt = pose.RCamFromWorld().t();
  const double f = camera.FocalPx();
  for (int row = 0; row < camera.height_px; ++row) {
    auto* out = distance_m.ptr<float>(row);
    const double y_cam = (row + 0.5 - 0.5 * camera.height_px) / f;
    for (int col = 0; col < camera.width_px; ++col) {
      const double x_cam = (col + 0.5 - 0.5 * camera.width_px) / f;
      const cv::Vec3d ray = rt * cv::Vec3d(x_cam, y_cam, 1.0);
      if (ray[2] < 0.0) {
        out[col] = static_cast<float>(-pose.height_m / ray[2] * cv::norm(ray));
      } else {
        out[col] = std::numeric_limits<float>::infinity();
      }
    }
  }
  return distance_m;
}

}  // namespace crossview::data

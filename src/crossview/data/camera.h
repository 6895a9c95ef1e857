// The drone camera (spec data.md §3.2): a pinhole with square pixels and no distortion, placed
// above flat ground, and the ground-plane homographies it induces (§3.3).
//
// Frames:
// - ground: the texture's local (east, north, up) in metres (map_frame.h), ground at z = 0;
// - camera: OpenCV convention, x right, y down, z forward (optical axis);
// - image: corner-based continuous pixels (x = column, y = row); pixel (row i, col j) covers
//   [j, j+1) × [i, i+1); the principal point is (W/2, H/2).
//
// Angles (degrees):
// - yaw ψ: compass heading of the optical axis's ground projection, clockwise from north; for a
//   nadir view the heading of image-up;
// - tilt θ: off-nadir angle of the optical axis, 0 = nadir, in [0, 90);
// - roll ρ: about the optical axis, R = Rz(ρ)·R0 with Rz(ρ) = [[cos ρ, −sin ρ, 0],
//   [sin ρ, cos ρ, 0], [0, 0, 1]]; positive roll turns the image content clockwise on screen.
//
// With ρ = 0:
//   forward f = ( sinθ·sinψ,  sinθ·cosψ, −cosθ )
//   up      u = ( cosθ·sinψ,  cosθ·cosψ,  sinθ )     (image-up)
//   right   r = ( cosψ,       −sinψ,      0    )     (= f × u)
//   R_cam_from_world = rows [ r ; −u ; f ],  X_cam = R·(X_world − C).
#pragma once

#include <array>
#include <optional>

#include <opencv2/core.hpp>

#include "crossview/data/map_frame.h"

namespace crossview::data {

// Intrinsics: W × H pixels and a horizontal field of view; f = (W/2)/tan(α/2).
struct PinholeCamera {
  int width_px = 256;
  int height_px = 256;
  double hfov_deg = 50.0;

  // Throws InvalidArgumentError unless the size is positive and 0 < hfov_deg < 180.
  void Check() const;

  double FocalPx() const;
  // Vertical field of view 2·atan((H/2)/f), degrees.
  double VfovDeg() const;
  // K = [[f, 0, W/2], [0, f, H/2], [0, 0, 1]].
  cv::Matx33d K() const;
};

// Extrinsics: the camera centre C = (e, n, height) and its orientation.
struct CameraPose {
  cv::Vec2d centre_en_m{0.0, 0.0};
  double height_m = 100.0;  // above the flat ground
  double yaw_deg = 0.0;
  double tilt_deg = 0.0;
  double roll_deg = 0.0;

  // Throws InvalidArgumentError unless height_m > 0, 0 ≤ tilt_deg < 90 and all values finite.
  void Check() const;

  // C = (e, n, h) in the ground frame.
  cv::Vec3d CentreEnuM() const;
  // Unit vectors in the ground frame (roll applied): optical axis, image-up, image-right.
  cv::Vec3d ForwardEnu() const;
  cv::Vec3d UpEnu() const;
  cv::Vec3d RightEnu() const;
  // R_cam_from_world = Rz(ρ)·rows[r; −u; f] (with the roll-free r, u, f).
  cv::Matx33d RCamFromWorld() const;
};

// Look-at placement (§3.2): the camera at height h, horizontal distance d = h·tanθ from the target
// on bearing β (clockwise from north, seen from the target), looking back at it: ψ = β + 180°,
// C = (e_t + d·sinβ, n_t + d·cosβ, h). The target then projects to the image centre. yaw_deg is
// normalised to [0, 360).
CameraPose LookAtPose(const cv::Vec2d& target_en_m, double height_m, double tilt_deg,
                      double bearing_deg, double roll_deg = 0.0);

// H_ground→image = K·[r1 r2 t] (t = −R·C): ground (e, n, 1) → homogeneous image pixel whose third
// coordinate is the depth X_cam.z in metres (positive in front of the camera).
cv::Matx33d ImageFromGround(const PinholeCamera& camera, const CameraPose& pose);
// H_map→image = K·[r1 r2 t]·A: map pixel (x, y, 1) → homogeneous image pixel, same depth rule.
cv::Matx33d ImageFromMap(const PinholeCamera& camera, const CameraPose& pose, const MapFrame& map);

// Projects the ground point (e, n, 0) to the image: xy_px (col, row), corner-based. Returns
// nullopt when the point is not in front of the camera (X_cam.z ≤ 0). The pixel may lie outside
// the image rectangle.
std::optional<cv::Vec2d> ProjectGroundToImage(const PinholeCamera& camera, const CameraPose& pose,
                                              const cv::Vec2d& en_m);

// Intersects the viewing ray through image point xy_px (col, row; corner-based) with the ground:
// returns (e, n), or nullopt when the ray does not reach the ground ahead of the camera (at or
// above the horizon).
std::optional<cv::Vec2d> GroundFromImage(const PinholeCamera& camera, const CameraPose& pose,
                                         const cv::Vec2d& xy_px);

// Ground points of the four image corners, in the order top-left (0, 0), top-right (W, 0),
// bottom-right (W, H), bottom-left (0, H); nullopt when any corner ray misses the ground.
std::optional<std::array<cv::Vec2d, 4>> FootprintCornersEnM(const PinholeCamera& camera,
                                                            const CameraPose& pose);

// The ground point at the image centre (W/2, H/2): the look-at target. Throws
// InvalidArgumentError if the optical axis misses the ground (cannot happen for a checked pose).
cv::Vec2d ImageCentreGroundEnM(const PinholeCamera& camera, const CameraPose& pose);

// Ground sampling distance at the image centre, metres per pixel, with slant distance s = h/cosθ:
// across the image (horizontal) s/f, along it (vertical, foreshortened) s/(f·cosθ).
double GsdAtCentreAcrossM(const PinholeCamera& camera, const CameraPose& pose);
double GsdAtCentreAlongM(const PinholeCamera& camera, const CameraPose& pose);

// "Reach" (§3.4): the largest distance from `target_en_m` to a footprint corner. Throws
// InvalidArgumentError when the footprint is unbounded (a corner ray misses the ground).
double FootprintReachM(const PinholeCamera& camera, const CameraPose& pose,
                       const cv::Vec2d& target_en_m);
// The same with the target at the image centre's ground point (look-at views, nadir views).
double FootprintReachM(const PinholeCamera& camera, const CameraPose& pose);

// Per-pixel slant distance (metres) from the camera centre to the ground point seen at each pixel
// centre, as a W × H CV_32FC1 image; +infinity where the ray misses the ground. Used for haze.
cv::Mat GroundDistanceMapM(const PinholeCamera& camera, const CameraPose& pose);

}  // namespace crossview::data

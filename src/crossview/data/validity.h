// Staying inside the map (spec data.md §3.6): whether a rendered view or tile may be used, and
// where targets can be placed so that a whole footprint fits.
//
// Rule (normative): map the image's four corners into texture pixels (through H⁻¹ for drone views;
// tiles are axis-aligned squares). The image is valid only if all four lie inside the texture
// rectangle [0, W] × [0, H] (footprints are convex, so this suffices) and, for an oblique view,
// tilt + VFOV/2 ≤ 80°. A corner whose ray does not reach the ground in front of the camera (behind
// it, or at or above the horizon) makes the view invalid.
#pragma once

#include <array>
#include <optional>
#include <string>

#include <opencv2/core.hpp>

#include "crossview/data/camera.h"
#include "crossview/data/map_frame.h"

namespace crossview::data {

struct ViewValidityOptions {
  // An oblique view needs tilt + VFOV/2 ≤ this, in degrees.
  double max_far_edge_off_nadir_deg = 80.0;

  // Throws InvalidArgumentError unless 0 < max_far_edge_off_nadir_deg < 90.
  void Check() const;
};

enum class ViewInvalidReason {
  kNone,             // valid
  kTooOblique,       // tilt + VFOV/2 over the limit
  kCornerOffGround,  // a corner ray misses the ground ahead (behind the camera / above horizon)
  kOutsideMap,       // a corner lands outside the texture rectangle
};

const char* ViewInvalidReasonName(ViewInvalidReason reason);

struct ViewValidity {
  bool valid = false;
  ViewInvalidReason reason = ViewInvalidReason::kNone;
  // Human-readable explanation (empty when valid), e.g. "corner 2 (W, H) maps to map pixel
  // (1030.2, 511.0), outside 1024 x 1024".
  std::string detail;
  // The image corners top-left, top-right, bottom-right, bottom-left in map pixels (col, row);
  // set only for the corners whose ray reaches the ground (corner_on_ground[i]).
  std::array<cv::Vec2d, 4> corners_xy_px{};
  std::array<bool, 4> corner_on_ground{};
};

// Applies the rule to a drone view of `map` seen by `camera` at `pose`.
ViewValidity CheckDroneView(const MapFrame& map, const PinholeCamera& camera,
                            const CameraPose& pose, const ViewValidityOptions& options = {});

// Applies the rule to a north-up square tile of side `side_m` centred on `centre_en_m`.
ViewValidity CheckNorthUpTile(const MapFrame& map, const cv::Vec2d& centre_en_m, double side_m);

// Capacity planning: the region of map pixels (x, y, width, height; corner-based) where a target
// can sit so that every point within `reach_m` of it (any bearing) stays inside the map. With
// `left_half_only` (periodic textures, §1.3) centres are further limited to columns [0, W/2).
// Returns nullopt when no target fits, e.g. a 502 m texture and a 288 m reach.
std::optional<cv::Rect2d> TargetCentreRegionXyPx(const MapFrame& map, double reach_m,
                                                 bool left_half_only = false);

}  // namespace crossview::data

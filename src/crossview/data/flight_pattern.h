// Drone flight patterns around a target (spec data.md §3.4) and the map they need (§3.6).
//
// Every pattern is a list of look-at views: the camera at height h and tilt θ on bearing
// β = β₀ + offset from the target (clockwise from north), looking back at it, so the target
// projects to the image centre (camera.h, LookAtPose). β₀ is drawn per target by the generator.
#pragma once

#include <string>
#include <vector>

#include "crossview/data/camera.h"
#include "crossview/data/ir_options.h"

namespace crossview::data {

struct DroneViewSpec {
  std::string name;  // file stem: "image-13" (spiral) or "07" (SUES)
  int index = 0;     // spiral position k (0-based) or SUES view j
  int group_height_m = 0;  // SUES: the height folder; 0 for the spiral
  double height_m = 0.0;
  double tilt_deg = 0.0;
  double hfov_deg = 0.0;
  double bearing_offset_deg = 0.0;  // β = β₀ + offset

  // The look-at pose for target `target_en_m` and per-target bearing `beta0_deg`.
  CameraPose Pose(const cv::Vec2d& target_en_m, double beta0_deg) const;
  PinholeCamera Camera(int size_px) const;
};

// The preset's subset of spiral positions: k_i = round(i·(total−1)/(n−1)), i = 0 … n−1
// (all of them when n == total). E.g. (54, 4) → {0, 18, 35, 53}: image-01, -19, -36, -54.
std::vector<int> SpiralSubsetIndices(int total_views, int num_views);

// The spiral views the preset writes, in k order, named image-NN with NN = k + 1 (two digits).
std::vector<DroneViewSpec> SpiralViews(const SpiralPattern& pattern);

// SUES views at one height: j = 0 … v−1, bearing offset 360°·j/v, named 01 … v.
std::vector<DroneViewSpec> SuesViews(const SuesPattern& pattern, int height_m);
// Every height's views, heights in the pattern's order.
std::vector<DroneViewSpec> AllSuesViews(const SuesPattern& pattern);

// The largest footprint reach (§3.4: target to the farthest footprint corner) over `views` at
// `size_px` square images. The reach does not depend on the bearing. Throws InvalidArgumentError
// naming the view when a footprint is unbounded (a corner ray misses the ground).
double MaxLookAtReachM(const std::vector<DroneViewSpec>& views, int size_px);

}  // namespace crossview::data

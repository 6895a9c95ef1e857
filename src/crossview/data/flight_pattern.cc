#include "crossview/data/flight_pattern.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "crossview/util/errors.h"

namespace crossview::data {
namespace {

std::string TwoDigits(int n) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%02d", n);
  return buf;
}

}  // namespace

CameraPose DroneViewSpec::Pose(const cv::Vec2d& target_en_m, double beta0_deg) const {
  double bearing = std::fmod(beta0_deg + bearing_offset_deg, 360.0);
  if (bearing < 0.0) bearing += 360.0;
  return LookAtPose(target_en_m, height_m, tilt_deg, bearing);
}

PinholeCamera DroneViewSpec::Camera(int size_px) const {
  PinholeCamera camera;
  camera.width_px = camera.height_px = size_px;
  camera.hfov_deg = hfov_deg;
  return camera;
}

std::vector<int> SpiralSubsetIndices(int total_views, int num_views) {
  if (total_views < 1 || num_views < 1 || num_views > total_views) {
    throw CV_ERROR(InvalidArgumentError, "spiral subset needs 1 <= num_views <= total_views")
        .With("total_views", total_views)
        .With("num_views", num_views);
  }
  std::vector<int> k;
  if (num_views == 1) return {0};
  for (int i = 0; i < num_views; ++i) {
    k.push_back(static_cast<int>(std::lround(static_cast<double>(i) * (total_views - 1) / (num_views - 1))));
  }
  return k;
}

std::vector<DroneViewSpec> SpiralViews(const SpiralPattern& p) {
  p.Check();
  std::vector<DroneViewSpec> views;
  const double last = std::max(1, p.total_views - 1);
  for (int k : SpiralSubsetIndices(p.total_views, p.num_views)) {
    DroneViewSpec v;
    v.name = "image-" + TwoDigits(k + 1);
    v.index = k;
    v.height_m = p.height_first_m + (p.height_last_m - p.height_first_m) * k / last;
    v.tilt_deg = p.tilt_first_deg + (p.tilt_last_deg - p.tilt_first_deg) * k / last;
    v.hfov_deg = p.hfov_deg;
    v.bearing_offset_deg = p.bearing_step_deg * k;
    views.push_back(v);
  }
  return views;
}

std::vector<DroneViewSpec> SuesViews(const SuesPattern& p, int height_m) {
  p.Check();
  std::vector<DroneViewSpec> views;
  for (int j = 0; j < p.views_per_height; ++j) {
    DroneViewSpec v;
    v.name = TwoDigits(j + 1);
    v.index = j;
    v.group_height_m = height_m;
    v.height_m = height_m;
    v.tilt_deg = p.tilt_deg;
    v.hfov_deg = p.hfov_deg;
    v.bearing_offset_deg = 360.0 * j / p.views_per_height;
    views.push_back(v);
  }
  return views;
}

std::vector<DroneViewSpec> AllSuesViews(const SuesPattern& p) {
  std::vector<DroneViewSpec> all;
  for (int h : p.heights_m) {
    std::vector<DroneViewSpec> v = SuesViews(p, h);
    all.insert(all.end(), v.begin(), v.end());
  }
  return all;
}

double MaxLookAtReachM(const std::vector<DroneViewSpec>& views, int size_px) {
  double reach = 0.0;
  for (const DroneViewSpec& v : views) {
    const CameraPose pose = v.Pose({0.0, 0.0}, 0.0);
    reach = std::max(reach, WithContext("view", v.name, [&] {
                       return FootprintReachM(v.Camera(size_px), pose, {0.0, 0.0});
                     }));
  }
  return reach;
}

}  // namespace crossview::data

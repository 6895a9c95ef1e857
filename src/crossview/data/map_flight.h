// A simulated drone flight over a map (the `synth map --flight` output): a smooth path of camera
// poses, the frames rendered from the map, and their ground truth, in the form
// `crossview locate --sequence DIR --truth DIR/truth.csv` reads.
//
// Path: a tour of `waypoints` points around the map centre (stream "flight/waypoints/<attempt>"):
// waypoint k at bearing θ0 ± 360°·(k + u_k)/K (u_k uniform in ±0.3, one turning direction) and
// at a uniform 45 to 100 % of the half-extent of the part of the map where a whole footprint fits
// around the camera's nadir point; joined by a uniform Catmull-Rom spline (C¹-smooth, through
// every waypoint) and resampled at `frames` equal arc-length steps. Each frame's camera is at height_m above that point, heading along the path
// (yaw = direction of travel + yaw_offset_deg, clockwise from north), tilted forward by tilt_deg
// (0 = nadir). A draw whose spline leaves the map is redrawn (up to max_redraws times).
//
// Files in the flight folder:
//   frame-NNNN.jpg   the frames (JPEG quality drawn per frame with the photometric effects)
//   truth.csv        frame,lat,lon,height_m,yaw_deg — lat/lon of the ground point at the image
//                    centre (the nadir point for nadir frames), frame = the file name
//   flight.json      schema crossview.flight/1: the map's georeference, the camera, every
//                    frame's pose (position_en_m, yaw, tilt, R_cam_from_world, H_map_to_image in
//                    map pixels), nadir and centre lat/lon, footprint, photometric draws, SHA-256
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "crossview/data/camera.h"
#include "crossview/data/map_mosaic.h"
#include "crossview/data/photometric.h"

namespace crossview::data {

struct FlightOptions {
  int frames = 60;
  double height_m = 100.0;
  double tilt_deg = 0.0;
  double hfov_deg = 60.0;
  int size_px = 256;
  int waypoints = 5;
  double yaw_offset_deg = 0.0;  // camera heading relative to the direction of travel
  PhotometricOptions photometric = PhotometricOptions::Drone();
  int max_redraws = 20;

  // Throws InvalidArgumentError naming the bad field.
  void Check() const;
  PinholeCamera Camera() const;
};

struct FlightFrame {
  std::string name;  // frame-NNNN.jpg
  int index = 0;
  CameraPose pose;
  double heading_deg = 0.0;     // direction of travel, clockwise from north
  cv::Vec2d centre_en_m{0, 0};  // ground point at the image centre (the truth)
};

struct FlightPath {
  std::vector<cv::Vec2d> waypoints_en_m;
  double length_m = 0.0;
  int redraws = 0;
  std::vector<FlightFrame> frames;
};

// The path over `map` (see above). Throws InvalidArgumentError when the map is too small for a
// footprint at this height, or no draw stays inside it.
FlightPath PlanFlightPath(const FlightOptions& options, const MapFrame& map, uint64_t seed);

// Renders the path's frames from the mosaic into `dir` (which must exist) and writes truth.csv
// and flight.json. `map_file` / `map_sha256` name the GeoTIFF in flight.json. Deterministic for a
// given seed whatever `jobs`.
void WriteFlight(const FlightOptions& options, uint64_t seed, const FlightPath& path, const MapMosaic& mosaic,
                 const std::string& map_file, const std::string& map_sha256, const std::filesystem::path& dir, int jobs);

}  // namespace crossview::data

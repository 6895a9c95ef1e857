// Pictures the service sends to the map page: a small overview of the index's map (made once at
// start-up) and the DRL heatmap of a refined answer.
#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <string>

#include "crossview/geo/coords.h"
#include "crossview/geo/raster.h"
#include "crossview/pipeline/drl_refiner.h"

namespace crossview::service {

struct Overview {
  std::string png;
  int width_px = 0;
  int height_px = 0;
  // Outer corners of the (north-up) map: top-left, top-right, bottom-right, bottom-left.
  std::array<geo::LatLonDeg, 4> corners;
  geo::LatLonBox bounds;  // their bounding box (what a Leaflet imageOverlay is placed on)

  // {"url", "width_px", "height_px", "corners": [[lat, lon] x4],
  //  "bounds": [[south, west], [north, east]]}
  nlohmann::json ToJson(const std::string& url) const;
};

// The whole map, area-averaged down so its longer side is at most `max_side_px` (never
// enlarged), read in row strips so a large map never sits in memory at full resolution. Colours
// as the tiles were read (`read`: the index's bands, the same 8-bit stretch).
Overview RenderOverview(const geo::GeoRaster& map, const geo::ReadRgbOptions& read, int max_side_px);

// The refined heatmap as an RGBA PNG the size of the network's search input (S x S): the
// min-max normalised probability in a jet colour map, transparent where it is low, opaque at the
// peak. It covers the search window exactly (RefineResult::window_top_left / bottom_right).
std::string HeatmapPng(const pipeline::RefineResult& refined);

// Standard base64 (RFC 4648, with padding).
std::string Base64(const std::string& bytes);

}  // namespace crossview::service

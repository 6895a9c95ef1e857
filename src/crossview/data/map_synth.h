// `crossview synth map`: the georeferenced mosaic of real textures (map_mosaic.h) and, on
// request, a simulated flight over it (map_flight.h).
//
//   MapSynthOptions options;               // 2 × 2 km of four test-family textures at 1 m/px
//   MapRunOptions run;
//   run.out_file = "map.tif";
//   run.flight_dir = "flight";             // optional
//   MapSynthSummary s = GenerateMap(options, run);
//
// Outputs appear only when complete (the GeoTIFF and its .json beside it, the flight folder
// renamed from a hidden staging folder); existing ones are refused unless run.overwrite.
// Same options and seed → the same bytes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "crossview/data/map_flight.h"
#include "crossview/data/map_mosaic.h"

namespace crossview::data {

struct MapSynthOptions {
  MapMosaicOptions mosaic;
  FlightOptions flight;
  uint64_t seed = 0;  // the flight's path and photometric draws

  void Check() const;
};

struct MapRunOptions {
  std::filesystem::path out_file;    // the GeoTIFF, e.g. map.tif
  std::filesystem::path flight_dir;  // empty = no flight
  std::filesystem::path cache_dir;   // empty = AerialCacheDir()
  int jobs = 0;
  bool overwrite = false;
};

struct MapSynthSummary {
  std::string out_file;
  std::string sidecar;
  std::string sha256;
  int width_px = 0;
  int height_px = 0;
  double gsd_m = 0.0;
  geo::LatLonDeg anchor;
  int tiles = 0;
  std::string flight_dir;  // "" without a flight
  int frames = 0;
  double path_length_m = 0.0;
  double seconds = 0.0;
  int jobs = 1;

  // "synth map: 2000 x 2000 px at 1.00 m/px (2.0 x 2.0 km, 4 textures) centred on 40.25, -30.5
  // -> map.tif; flight: 30 frames over 3.1 km -> flight/ (4.2 s)"
  std::string OneLine() const;
  std::string ToJson() const;
};

MapSynthSummary GenerateMap(const MapSynthOptions& options, const MapRunOptions& run);

}  // namespace crossview::data

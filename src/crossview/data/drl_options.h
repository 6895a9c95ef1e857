// Options of `crossview synth drl` (spec data.md §3.4, §3.5, §3.7, §4.3, §5.2): a UL14-like drone
// referring localisation dataset. Defaults live here and nowhere else; the presets tiny, ci and
// full are named functions of this struct, and the manifest records every field.
//
// Geometry per place of height h (one of heights_m, cycled over the places of each split in ID
// order):
//   UAV view       nadir (θ = 0), α = hfov_deg, yaw drawn in yaw_deg, uav_size_px², footprint
//                  width w = 2h·tan(α/2);
//   search maps    search_maps north-up squares of side s_i = w·(min + (max − min)·i/(n − 1)),
//                  i = 0 … n−1 (1.5w to 3w by default), stored at search_map_size_px²; the crop
//                  centre is offset from the UAV by a uniform draw in ±offset_fraction·s/2 per
//                  axis, intersected with the offsets that keep the map inside the texture;
//   training tile  north-up, centred on the UAV, side train_satellite_side_factor × s_(n−1),
//                  train_satellite_size_px².
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crossview/data/ir_options.h"
#include "crossview/data/photometric.h"
#include "crossview/data/uniform_range.h"

namespace crossview::data {

// The §3.7 selection defaults with d_min = 80 m (UL14).
TargetSelectionOptions DrlDefaultSelection();

struct DrlSynthOptions {
  std::string preset = "custom";
  uint64_t seed = 0;

  // Families (textures.tsv) per split; empty = every family of that table split (§5.1). Train and
  // test families are always disjoint.
  std::vector<std::string> train_families;
  std::vector<std::string> test_families;
  // Draw this many families per split from those lists with the seed; 0 = use them all. With
  // --source every half of every file is used.
  int train_family_draws = 0;
  int test_family_draws = 0;
  // Caps (§3.7 rule 4): places per family, and in total per split (0 = no total cap). Families
  // take turns, one place each per turn, so a total cap spreads over the families.
  int train_places_per_family = 2;
  int test_places_per_family = 2;
  int train_places = 0;
  int test_places = 0;

  std::vector<int> heights_m{80, 90, 100};
  double hfov_deg = 60.0;
  UniformRange yaw_deg{-5.0, 5.0};  // of image-up, clockwise from north
  int uav_size_px = 128;

  int search_maps = 12;
  int search_map_size_px = 768;
  double search_map_min_factor = 1.5;  // s_0 = 1.5·w
  double search_map_max_factor = 3.0;  // s_(n−1) = 3·w
  double search_offset_fraction = 0.9;

  int train_satellite_size_px = 320;
  double train_satellite_side_factor = 1.28;  // × the largest search-map side
  // §3.5 resolution gap for every satellite image (training tiles and search maps); 0 = off.
  double satellite_effective_gsd_m = 0.0;

  // §3.7 with d_min = 80 m. The featureless and duplicate tests run on the UAV footprint at the
  // largest height (a w_max-wide north-up thumbnail): what the UAV sees must be distinctive.
  TargetSelectionOptions selection = DrlDefaultSelection();
  PhotometricOptions uav_photometric = PhotometricOptions::Drone();
  PhotometricOptions satellite_photometric = PhotometricOptions::Satellite();

  int contact_sheet_places = 4;  // test places shown (plus half as many training places)
  int contact_sheet_maps = 4;    // search maps per test place, evenly spaced over the sizes

  OrthophotoSourceOptions source;

  // Throws InvalidArgumentError naming the bad field.
  void Check() const;

  // UAV footprint width at height h: 2h·tan(α/2).
  double FootprintWidthM(double height_m) const;
  // s_i at height h.
  double SearchMapSideM(double height_m, int index) const;
  // The training tile's side at height h.
  double TrainSatelliteSideM(double height_m) const;
  int MaxHeightM() const;

};

// tiny (unit tests), ci, full (§5.2). Throws InvalidArgumentError listing the valid names.
DrlSynthOptions DrlPreset(const std::string& name);
const std::vector<std::string>& DrlPresetNames();

}  // namespace crossview::data

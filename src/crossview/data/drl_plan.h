// Place planning for `synth drl` (spec data.md §3.4 to §3.7, §4.3): which families, where the
// UAVs are, their heights and yaws, the search maps of every test UAV and the training tiles.
// Pure geometry plus thumbnails; nothing is written.
//
// 1. Families: the split's families (table order), or `*_family_draws` of them drawn with the
//    seed (stream "families/<split>"), skipping families where no place fits.
// 2. Capacity margins (largest height): train places keep max(UAV reach, half the training tile)
//    of map on every side; test places keep max(UAV reach, (1 − f)·s_max/2), the least that lets
//    every search map size fit somewhere around the UAV.
// 3. Selection (site_selection.h): Poisson candidates (d_min 80 m), featureless and duplicate
//    tests on the UAV footprint thumbnail, the yaw drawn (stream "yaw/<family>/<cand>/<attempt>")
//    and redrawn while the view touches no-data; per-family and total caps, families taking turns
//    in a seeded order (stream "turns/<split>").
// 4. IDs (4 digits from 0001) by (split: train, test; family; candidate); heights cycle over the
//    places of each split in ID order; folder <Place>_<H>_<ID>.
// 5. Search maps of test places: offsets drawn per axis (stream "map/<id>/<i>/<attempt>") in
//    [−f·S/2, f·S/2] ∩ {offsets keeping the map inside the texture, or its half}; a size with no
//    such offset, or whose draws keep touching no-data, is dropped and the drop recorded.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>

#include "crossview/data/camera.h"
#include "crossview/data/drl_options.h"
#include "crossview/data/site_selection.h"
#include "crossview/data/synth_sources.h"
#include "crossview/geo/ul14_georef.h"

namespace crossview::data {

struct DrlSearchMap {
  int index = 0;               // i: the file <i>.jpg
  double side_m = 0.0;         // s_i
  double side_px = 0.0;        // s_i in base texture pixels
  bool dropped = false;
  std::string drop_reason;     // "" unless dropped
  int redraws = 0;             // rejected offset draws
  cv::Vec2d centre_xy_px{0.0, 0.0};  // crop centre, base pixels (corner-based col, row)
  cv::Vec2d centre_en_m{0.0, 0.0};
  geo::Ul14SearchMap ul14;     // GPS_info.json entry, labels.json label, relative UAV position
};

struct DrlPlace {
  std::string id;      // 4 digits
  std::string folder;  // <Place>_<H>_<ID>
  std::string split;   // train or test
  int family = -1;     // index into SynthCatalog::families
  int source = -1;     // the family's base texture
  int candidate_index = 0;
  cv::Vec2d centre_en_m{0.0, 0.0};   // the UAV's nadir point
  cv::Vec2d centre_xy_px{0.0, 0.0};  // the same in base pixels
  geo::LatLonDeg lat_lon;            // GPS_info.json "UAV"
  int height_m = 0;
  double yaw_deg = 0.0;
  int redraws = 0;
  double highpass_std = 0.0;
  double duplicate_score = 0.0;
  double train_satellite_side_m = 0.0;  // train places
  std::vector<DrlSearchMap> maps;       // test places, one per size (dropped ones included)

  CameraPose UavPose() const;
};

struct DrlPlan {
  std::vector<DrlPlace> places;       // sorted by id
  std::vector<FamilyPlan> families;   // parallel to SynthCatalog::families
  double uav_reach_m = 0.0;           // at the largest height
  double train_margin_m = 0.0;
  double test_margin_m = 0.0;
  double thumbnail_side_m = 0.0;      // the UAV footprint width at the largest height

  int Count(const std::string& split) const;
  int MapCount() const;    // search maps written
  int DroppedMaps() const;
};

// The UAV camera of a preset (square, hfov_deg).
PinholeCamera DrlUavCamera(const DrlSynthOptions& options);

// Step 1: keeps the drawn families of `catalog` (the others are removed and their textures marked
// unused with the reason). No pixels are needed.
void SelectDrlFamilies(const DrlSynthOptions& options, SynthCatalog* catalog);

// Steps 2 to 5. `maps[i]` must hold the pixels of every family's base texture.
DrlPlan PlanDrlPlaces(const DrlSynthOptions& options, const SynthCatalog& catalog, const std::vector<LoadedMap>& maps,
                      int jobs);

// A family name as UL14's <Place> field: every character other than A-Z a-z 0-9 '.' '-' becomes
// '-' (the underscore separates the fields), e.g. "australia_suburbs" → "australia-suburbs".
std::string Ul14PlaceName(const std::string& family);

// The crop-centre offsets (pixels) along one axis for a UAV at `uav_px` and a map `side_px` wide:
// [−f·side/2, f·side/2] intersected with the offsets keeping the map inside [lo_px, hi_px]. The
// interval is empty (first > second) when none fits.
std::pair<double, double> SearchMapOffsetInterval(double uav_px, double side_px, double fraction, double lo_px,
                                                  double hi_px);

// The GPS_info.json entry and label of a map of `side_px` base pixels centred at `centre_xy_px`,
// for a UAV at `uav_xy_px` (geo::MakeUl14SearchMap on the source's plate carrée; a GeoTIFF
// source's corners come from its own CRS through PROJ).
geo::Ul14SearchMap Ul14MapFor(const MapSource& source, const cv::Vec2d& uav_xy_px, const cv::Vec2d& centre_xy_px,
                              double side_px, int stored_size_px);

// One rendered file of the UL14 layout (data.md §4.3), paths relative to the dataset root:
//   train/<folder>/UAV/0.JPG            kUav (train places)
//   train/<folder>/Satellite/0.tif      kTrainSatellite: GeoTIFF, UAV at pixel (⌊h/2⌋, ⌊w/2⌋)
//   test/<folder>/UAV/0.JPG             kUav (test places)
//   test/<folder>/Satellite/<i>.jpg     kSearchMap, i = the size index (dropped sizes are absent)
// labels.json and GPS_info.json sit beside UAV/ in every test folder.
enum class DrlImageKind { kUav, kTrainSatellite, kSearchMap };

struct DrlJob {
  DrlImageKind kind = DrlImageKind::kUav;
  int place = -1;    // index into DrlPlan::places
  int map = -1;      // index into DrlPlace::maps (kSearchMap)
  std::string key;   // seed stream key: "uav/<folder>", "satellite/<folder>", "map/<folder>/<i>"
  std::string path;
};

// Every file to render, in place order (UAV first, then the satellite images by size index).
std::vector<DrlJob> BuildDrlJobs(const DrlPlan& plan);

}  // namespace crossview::data

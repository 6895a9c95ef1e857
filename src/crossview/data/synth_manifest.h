// JSON building blocks shared by the manifests of `crossview synth ir`, `synth drl` and
// `synth map` (spec data.md §4.4, §3.12): number formatting, the one-element-per-line array form,
// the options and photometric records, the families/sources entries, and the ground-truth fields
// of drone views and north-up tiles.
//
// Determinism: ground-truth positions keep every digit (shortest round-trip text); derived values
// (camera matrices, footprints, GSDs, photometric draws) are rounded to 10 significant digits.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "crossview/data/camera.h"
#include "crossview/data/ir_options.h"
#include "crossview/data/photometric.h"
#include "crossview/data/site_selection.h"
#include "crossview/data/synth_sources.h"
#include "crossview/data/uniform_range.h"
#include "crossview/geo/coords.h"

namespace crossview::data::manifest {

using Json = nlohmann::ordered_json;

// `v` rounded to 10 significant digits ("%.10g").
double G10(double v);
Json Vec2(const cv::Vec2d& v);
Json Vec2G10(const cv::Vec2d& v);
Json LatLon(const geo::LatLonDeg& ll);  // [lat, lon]
Json Range(const UniformRange& r);      // [lo, hi]
Json Rect(const cv::Rect2d& r);         // [x, y, width, height]
Json Mat33(const cv::Matx33d& m);       // rows, 10 significant digits
Json NullIfEmpty(const std::string& s);

// "[\n    item,\n    item\n  ]": one element per line, so a manifest can be grepped and diffed.
std::string Lines(const std::vector<Json>& items);

Json PhotometricOptionsJson(const PhotometricOptions& p);
// Every drawn value, the JPEG quality and the stream ("photometric/<key>").
Json PhotometricJson(const PhotometricParams& p, const std::string& key);
Json RejectionsJson(const TargetRejections& r);
Json SelectionOptionsJson(const TargetSelectionOptions& s);
Json SourceOptionsJson(const OrthophotoSourceOptions& s);  // file names only

// The `sources[]` entry of source `si` and the `families[]` entry of family `fi`;
// `family_plans` is parallel to catalog.families. Lat/lon go through the source georeference
// (call from one thread).
Json SourceEntry(const SynthCatalog& catalog, const std::vector<LoadedMap>& maps,
                 const std::vector<FamilyPlan>& family_plans, size_t si);
Json FamilyEntry(const SynthCatalog& catalog, const std::vector<FamilyPlan>& family_plans, size_t fi);

// The ground truth of a drone view of `src` (§4.4): camera (position_en_m, height, yaw, tilt,
// roll, hfov, K, R_cam_from_world, H_map_to_image in src's pixels), target_xy_px, target_en_m,
// target_lat_lon_deg, nadir_lat_lon_deg, footprint_xy_px (image corners TL, TR, BR, BL on the
// map), gsd_centre_m and gsd_centre_along_m.
void AddDroneViewFields(Json& e, const PinholeCamera& camera, const CameraPose& pose, const MapSource& src,
                        const cv::Vec2d& target_en_m);
// The ground truth of a north-up tile of side `side_m` centred on `centre_en_m` at size_px²:
// centre_xy_px, centre_en_m, target_lat_lon_deg (the centre), side_m, gsd_m, map_size (side in
// source pixels, rounded), corners_lat_lon_deg and footprint_xy_px (TL, TR, BR, BL),
// H_map_to_image.
void AddNorthUpTileFields(Json& e, const MapSource& src, const cv::Vec2d& centre_en_m, double side_m, int size_px);

}  // namespace crossview::data::manifest

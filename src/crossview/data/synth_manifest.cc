#include "crossview/data/synth_manifest.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "crossview/data/map_frame.h"
#include "crossview/util/errors.h"

namespace crossview::data::manifest {
namespace {

// A base-pixel region expressed in the pixels of a member covering the same ground.
cv::Rect2d RegionInMember(const cv::Rect2d& r, const MapFrame& base, const MapFrame& member) {
  const cv::Vec2d a = member.XyFromEn(base.EnFromXy({r.x, r.y}));
  const cv::Vec2d b = member.XyFromEn(base.EnFromXy({r.x + r.width, r.y + r.height}));
  return {a[0], a[1], b[0] - a[0], b[1] - a[1]};
}

}  // namespace

// Derived geometry is written with 10 significant digits (§3.12 allows "%.10g"): far below any
// pixel or metre that matters, and it keeps the full presets' manifests a third smaller.
double G10(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.10g", v);
  return std::strtod(buf, nullptr);
}

Json Vec2(const cv::Vec2d& v) { return Json::array({v[0], v[1]}); }
Json Vec2G10(const cv::Vec2d& v) { return Json::array({G10(v[0]), G10(v[1])}); }
Json LatLon(const geo::LatLonDeg& ll) { return Json::array({ll.lat_deg, ll.lon_deg}); }
Json Range(const UniformRange& r) { return Json::array({r.lo, r.hi}); }
Json Rect(const cv::Rect2d& r) { return Json::array({r.x, r.y, r.width, r.height}); }

Json Mat33(const cv::Matx33d& m) {
  Json out = Json::array();
  for (int r = 0; r < 3; ++r) out.push_back(Json::array({G10(m(r, 0)), G10(m(r, 1)), G10(m(r, 2))}));
  return out;
}

Json NullIfEmpty(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

std::string Lines(const std::vector<Json>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i == 0 ? "\n    " : ",\n    ") + items[i].dump();
  return out + (items.empty() ? "]" : "\n  ]");
}

Json PhotometricOptionsJson(const PhotometricOptions& p) {
  return Json{{"off", p.off},
              {"exposure_ev", Range(p.exposure_ev)},
              {"contrast", Range(p.contrast)},
              {"gamma", Range(p.gamma)},
              {"wb_delta", Range(p.wb_delta)},
              {"wb_tau", Range(p.wb_tau)},
              {"saturation", Range(p.saturation)},
              {"haze_beta_per_m", Range(p.haze_beta_per_m)},
              {"haze_rgb", Json::array({p.haze_rgb[0], p.haze_rgb[1], p.haze_rgb[2]})},
              {"blur_sigma_px", Range(p.blur_sigma_px)},
              {"motion_length_px", Range(p.motion_length_px)},
              {"vignette_corner_gain", Range(p.vignette_corner_gain)},
              {"noise_read_sigma", Range(p.noise_read_sigma)},
              {"noise_shot_gain", Range(p.noise_shot_gain)},
              {"jpeg_quality", Json::array({p.jpeg_quality_min, p.jpeg_quality_max})}};
}

Json PhotometricJson(const PhotometricParams& p, const std::string& key) {
  Json out = Json::object();
  for (const auto& [name, value] : PhotometricParamList(p)) out[name] = G10(value);
  out["jpeg_quality"] = p.jpeg_quality;
  out["noise_stream"] = "photometric/" + key;
  return out;
}

Json RejectionsJson(const TargetRejections& r) {
  return Json{{"featureless", r.featureless}, {"duplicate", r.duplicate}, {"out_of_map", r.out_of_map},
              {"redraws", r.redraws}};
}

Json SelectionOptionsJson(const TargetSelectionOptions& s) {
  return Json{{"min_spacing_m", s.min_spacing_m},
              {"poisson_attempts", s.poisson_attempts},
              {"featureless_highpass_std", s.featureless_highpass_std},
              {"thumbnail_size_px", s.thumbnail_size_px},
              {"thumbnail_blur_sigma_px", s.thumbnail_blur_sigma_px},
              {"thumbnail_max_shift_px", s.thumbnail_max_shift_px},
              {"duplicate_ncc", s.duplicate_ncc},
              {"max_redraws", s.max_redraws}};
}

Json SourceOptionsJson(const OrthophotoSourceOptions& s) {
  Json files = Json::array();
  for (const auto& f : s.files) files.push_back(f.filename().string());
  return Json{{"files", files},
              {"gsd_m", s.gsd_m},
              {"anchor_lat_lon_deg", s.anchor ? LatLon(*s.anchor) : Json(nullptr)},
              {"max_megapixels", s.max_megapixels}};
}

Json SourceEntry(const SynthCatalog& catalog, const std::vector<LoadedMap>& maps,
                 const std::vector<FamilyPlan>& family_plans, size_t si) {
  const MapSource& s = catalog.sources[si];
  Json e = Json::object();
  e["texture"] = s.name;
  e["file"] = s.file;
  e["sha256"] = maps[si].sha256.empty() ? s.pinned_sha256 : maps[si].sha256;
  e["loaded"] = maps[si].pyramid != nullptr;
  e["family"] = s.family;
  e["split"] = s.table_split;
  e["size_px"] = Json::array({s.frame.width_px, s.frame.height_px});
  e["gsd_m"] = s.frame.gsd_m;
  e["alignment_roll_px"] = Json::array({s.alignment_roll_rc[0], s.alignment_roll_rc[1]});
  e["anchor_lat_lon_deg"] = LatLon(s.anchor);
  e["crs"] = s.crs;
  e["geotransform"] = Json::array();
  for (double g : s.geotransform) e["geotransform"].push_back(g);
  e["georeference"] = s.georef_note;
  e["periodic_half"] = s.periodic_half;
  Json regions = Json::array();
  TargetRejections rej;
  int placed = 0, distractors = 0;
  std::string skipped = catalog.unused_reason[si];
  for (size_t fi = 0; fi < catalog.families.size(); ++fi) {
    const SynthFamily& f = catalog.families[fi];
    const FamilyPlan& fp = family_plans[fi];
    if (std::find(f.members.begin(), f.members.end(), static_cast<int>(si)) == f.members.end()) continue;
    const MapSource& base = catalog.sources[static_cast<size_t>(f.members[0])];
    if (fp.centre_region_xy_px) regions.push_back(Rect(RegionInMember(*fp.centre_region_xy_px, base.frame, s.frame)));
    if (f.members[0] != static_cast<int>(si)) continue;  // family statistics go to the base texture
    placed += fp.targets_placed;
    distractors += fp.distractors_placed;
    rej.featureless += fp.rejections.featureless;
    rej.duplicate += fp.rejections.duplicate;
    rej.out_of_map += fp.rejections.out_of_map;
    rej.redraws += fp.rejections.redraws;
    if (!fp.skipped_reason.empty()) skipped = f.name + ": " + fp.skipped_reason;
  }
  e["centre_region_px"] = regions.size() == 1 ? regions[0] : (regions.empty() ? Json(nullptr) : regions);
  e["targets_placed"] = placed;
  e["distractors_placed"] = distractors;
  e["rejections"] = RejectionsJson(rej);
  e["skipped_reason"] = NullIfEmpty(skipped);
  return e;
}

Json FamilyEntry(const SynthCatalog& catalog, const std::vector<FamilyPlan>& family_plans, size_t fi) {
  const SynthFamily& f = catalog.families[fi];
  const FamilyPlan& fp = family_plans[fi];
  Json members = Json::array();
  for (int m : f.members) members.push_back(catalog.sources[static_cast<size_t>(m)].name);
  return Json{{"family", f.name},
              {"split", f.split},
              {"base_texture", members[0]},
              {"members", members},
              {"half_px", f.half_xy_px ? Rect(*f.half_xy_px) : Json(nullptr)},
              {"centre_region_px", fp.centre_region_xy_px ? Rect(*fp.centre_region_xy_px) : Json(nullptr)},
              {"candidates", fp.candidates},
              {"targets_placed", fp.targets_placed},
              {"distractors_placed", fp.distractors_placed},
              {"rejections", RejectionsJson(fp.rejections)},
              {"skipped_reason", NullIfEmpty(fp.skipped_reason)}};
}

void AddDroneViewFields(Json& e, const PinholeCamera& camera, const CameraPose& pose, const MapSource& src,
                        const cv::Vec2d& target_en_m) {
  const MapFrame& frame = src.frame;
  const cv::Vec3d c = pose.CentreEnuM();
  const auto corners = FootprintCornersEnM(camera, pose);
  Json footprint = Json::array();
  if (corners) {
    for (const cv::Vec2d& g : *corners) footprint.push_back(Vec2G10(frame.XyFromEn(g)));
  }
  const cv::Vec2d target_xy = frame.XyFromEn(target_en_m);
  e["camera"] = Json{{"position_en_m", Json::array({G10(c[0]), G10(c[1]), G10(c[2])})},
                     {"height_m", G10(pose.height_m)},
                     {"yaw_deg", G10(pose.yaw_deg)},
                     {"tilt_deg", G10(pose.tilt_deg)},
                     {"roll_deg", pose.roll_deg},
                     {"hfov_deg", camera.hfov_deg},
                     {"K", Mat33(camera.K())},
                     {"R_cam_from_world", Mat33(pose.RCamFromWorld())},
                     {"H_map_to_image", Mat33(ImageFromMap(camera, pose, frame))}};
  e["target_xy_px"] = Vec2(target_xy);
  e["target_en_m"] = Vec2(target_en_m);
  e["target_lat_lon_deg"] = LatLon(SourceLatLon(src, target_xy));
  e["nadir_lat_lon_deg"] = LatLon(SourceLatLon(src, frame.XyFromEn({c[0], c[1]})));
  e["footprint_xy_px"] = footprint;
  e["gsd_centre_m"] = G10(GsdAtCentreAcrossM(camera, pose));
  e["gsd_centre_along_m"] = G10(GsdAtCentreAlongM(camera, pose));
}

void AddNorthUpTileFields(Json& e, const MapSource& src, const cv::Vec2d& centre_en_m, double side_m, int size_px) {
  const MapFrame& frame = src.frame;
  const double half = 0.5 * side_m;
  Json corners_ll = Json::array(), footprint = Json::array();
  for (const cv::Vec2d& d : {cv::Vec2d(-half, half), cv::Vec2d(half, half), cv::Vec2d(half, -half), cv::Vec2d(-half, -half)}) {
    const cv::Vec2d xy = frame.XyFromEn(centre_en_m + d);
    footprint.push_back(Vec2G10(xy));
    corners_ll.push_back(LatLon(SourceLatLon(src, xy)));
  }
  const cv::Vec2d centre_xy = frame.XyFromEn(centre_en_m);
  e["centre_xy_px"] = Vec2(centre_xy);
  e["centre_en_m"] = Vec2(centre_en_m);
  e["target_lat_lon_deg"] = LatLon(SourceLatLon(src, centre_xy));
  e["side_m"] = side_m;
  e["gsd_m"] = side_m / size_px;
  e["map_size"] = std::lround(side_m / frame.gsd_m);
  e["corners_lat_lon_deg"] = corners_ll;
  e["footprint_xy_px"] = footprint;
  e["H_map_to_image"] = Mat33(NorthUpTileImageFromMap(frame, centre_en_m, side_m, size_px));
}

}  // namespace crossview::data::manifest

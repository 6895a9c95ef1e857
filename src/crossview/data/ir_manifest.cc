#include "crossview/data/ir_manifest.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "crossview/data/map_frame.h"
#include "crossview/util/errors.h"

namespace crossview::data {
namespace {

using Json = nlohmann::ordered_json;

// Derived geometry (cameras, footprints, GSDs, photometric draws) is written with 10 significant
// digits (§3.12 allows "%.10g"): far below any pixel or metre that matters, and it keeps the full
// preset's manifest a third smaller. Positions that are ground truth (target and tile centres,
// lat/lon) keep every digit.
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

// A base-pixel region expressed in the pixels of a member covering the same ground.
cv::Rect2d RegionInMember(const cv::Rect2d& r, const MapFrame& base, const MapFrame& member) {
  const cv::Vec2d a = member.XyFromEn(base.EnFromXy({r.x, r.y}));
  const cv::Vec2d b = member.XyFromEn(base.EnFromXy({r.x + r.width, r.y + r.height}));
  return {a[0], a[1], b[0] - a[0], b[1] - a[1]};
}

std::string Lines(const std::vector<Json>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i == 0 ? "\n    " : ",\n    ") + items[i].dump();
  return out + (items.empty() ? "]" : "\n  ]");
}

Json SourcesEntry(const IrManifestInputs& in, size_t si) {
  const MapSource& s = in.catalog.sources[si];
  Json e = Json::object();
  e["texture"] = s.name;
  e["file"] = s.file;
  e["sha256"] = in.maps[si].sha256.empty() ? s.pinned_sha256 : in.maps[si].sha256;
  e["loaded"] = in.maps[si].pyramid != nullptr;
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
  std::string skipped = in.catalog.unused_reason[si];
  for (size_t fi = 0; fi < in.catalog.families.size(); ++fi) {
    const SynthFamily& f = in.catalog.families[fi];
    const FamilyPlan& fp = in.plan.families[fi];
    if (std::find(f.members.begin(), f.members.end(), static_cast<int>(si)) == f.members.end()) continue;
    const MapSource& base = in.catalog.sources[static_cast<size_t>(f.members[0])];
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

Json FamilyEntry(const IrManifestInputs& in, size_t fi) {
  const SynthFamily& f = in.catalog.families[fi];
  const FamilyPlan& fp = in.plan.families[fi];
  Json members = Json::array();
  for (int m : f.members) members.push_back(in.catalog.sources[static_cast<size_t>(m)].name);
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

Json TargetEntry(const IrManifestInputs& in, const PlannedTarget& t) {
  const MapSource& base = in.catalog.sources[static_cast<size_t>(t.source)];
  Json e{{"id", t.id},
         {"split", t.split},
         {"family", in.catalog.families[static_cast<size_t>(t.family)].name},
         {"role", t.split == "distractor" ? "distractor" : "target"},
         {"texture", base.name},
         {"centre_xy_px", Vec2(t.centre_xy_px)},
         {"centre_en_m", Vec2(t.centre_en_m)},
         {"centre_lat_lon_deg", LatLon(SourceLatLon(base, t.centre_xy_px))},
         {"gallery_texture", in.catalog.sources[static_cast<size_t>(t.gallery_source)].name},
         {"highpass_std", t.highpass_std},
         {"duplicate_ncc", t.duplicate_score}};
  if (t.split != "distractor") {
    e["beta0_deg"] = t.beta0_deg;
    e["redraws"] = t.redraws;
  }
  return e;
}

// The image record shared by every path of one job (path, sha256 and occlusion filled per path).
Json ImageBody(const IrManifestInputs& in, const ImageJob& job) {
  const IrSynthOptions& o = in.options;
  const PlannedTarget& t = in.plan.targets[static_cast<size_t>(job.target)];
  const MapSource& src = in.catalog.sources[static_cast<size_t>(job.source)];
  const MapFrame& frame = src.frame;
  const cv::Vec2d target_xy = frame.XyFromEn(t.centre_en_m);
  Json e{{"view", job.drone ? "drone" : "satellite"}, {"id", t.id}, {"split", t.split}, {"texture", src.name}};
  if (job.drone) {
    const DroneViewSpec& spec = in.plan.views[static_cast<size_t>(job.view)];
    const PinholeCamera camera = spec.Camera(o.drone_size_px);
    const CameraPose pose = spec.Pose(t.centre_en_m, t.beta0_deg);
    const cv::Vec3d c = pose.CentreEnuM();
    const auto corners = FootprintCornersEnM(camera, pose);
    Json footprint = Json::array();
    if (corners) {
      for (const cv::Vec2d& g : *corners) footprint.push_back(Vec2G10(frame.XyFromEn(g)));
    }
    e["size_px"] = Json::array({camera.width_px, camera.height_px});
    e["pattern"] = Json{{"name", spec.name}, {"index", spec.index}, {"height_group_m", spec.group_height_m},
                        {"bearing_deg", G10(std::fmod(t.beta0_deg + spec.bearing_offset_deg, 360.0))}};
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
    e["target_en_m"] = Vec2(t.centre_en_m);
    e["target_lat_lon_deg"] = LatLon(SourceLatLon(src, target_xy));
    e["nadir_lat_lon_deg"] = LatLon(SourceLatLon(src, frame.XyFromEn({c[0], c[1]})));
    e["footprint_xy_px"] = footprint;
    e["gsd_centre_m"] = G10(GsdAtCentreAcrossM(camera, pose));
    e["gsd_centre_along_m"] = G10(GsdAtCentreAlongM(camera, pose));
  } else {
    const double side = o.satellite_side_m, half = 0.5 * side;
    const cv::Vec2d en = t.centre_en_m;
    Json corners_ll = Json::array(), footprint = Json::array();
    for (const cv::Vec2d& d : {cv::Vec2d(-half, half), cv::Vec2d(half, half), cv::Vec2d(half, -half), cv::Vec2d(-half, -half)}) {
      const cv::Vec2d xy = frame.XyFromEn(en + d);
      footprint.push_back(Vec2G10(xy));
      corners_ll.push_back(LatLon(SourceLatLon(src, xy)));
    }
    e["size_px"] = Json::array({o.satellite_size_px, o.satellite_size_px});
    e["centre_xy_px"] = Vec2(target_xy);
    e["centre_en_m"] = Vec2(en);
    e["target_lat_lon_deg"] = LatLon(SourceLatLon(src, target_xy));
    e["side_m"] = side;
    e["gsd_m"] = side / o.satellite_size_px;
    e["map_size"] = std::lround(side / frame.gsd_m);
    e["corners_lat_lon_deg"] = corners_ll;
    e["footprint_xy_px"] = footprint;
    e["H_map_to_image"] = Mat33(NorthUpTileImageFromMap(frame, en, side, o.satellite_size_px));
    e["effective_gsd_m"] = o.satellite_effective_gsd_m > 0.0 ? Json(o.satellite_effective_gsd_m) : Json(nullptr);
  }
  return e;
}

}  // namespace

nlohmann::ordered_json IrOptionsJson(const IrSynthOptions& o) {
  Json sources = Json::array();
  for (const auto& f : o.source.files) sources.push_back(f.filename().string());
  const TargetSelectionOptions& s = o.selection;
  const OcclusionOptions& occ = o.occlusion;
  return Json{
      {"preset", o.preset},
      {"seed", o.seed},
      {"layout", IrLayoutName(o.layout)},
      {"temporal", TemporalModeName(o.temporal)},
      {"train_families", o.train_families},
      {"validation_families", o.validation_families},
      {"test_families", o.test_families},
      {"train_targets_per_family", o.train_targets_per_family},
      {"test_targets_per_family", o.test_targets_per_family},
      {"distractors", o.distractors},
      {"distractor_min_fraction", o.distractor_min_fraction},
      {"distractor_min_spacing_m", o.distractor_min_spacing_m},
      {"drone_size_px", o.drone_size_px},
      {"satellite_size_px", o.satellite_size_px},
      {"satellite_side_m", o.satellite_side_m},
      {"satellite_effective_gsd_m", o.satellite_effective_gsd_m},
      {"spiral", Json{{"total_views", o.spiral.total_views}, {"num_views", o.spiral.num_views},
                      {"height_first_m", o.spiral.height_first_m}, {"height_last_m", o.spiral.height_last_m},
                      {"tilt_first_deg", o.spiral.tilt_first_deg}, {"tilt_last_deg", o.spiral.tilt_last_deg},
                      {"bearing_step_deg", o.spiral.bearing_step_deg}, {"hfov_deg", o.spiral.hfov_deg}}},
      {"sues", Json{{"heights_m", o.sues.heights_m}, {"views_per_height", o.sues.views_per_height},
                    {"tilt_deg", o.sues.tilt_deg}, {"hfov_deg", o.sues.hfov_deg}}},
      {"selection", Json{{"min_spacing_m", s.min_spacing_m}, {"poisson_attempts", s.poisson_attempts},
                         {"featureless_highpass_std", s.featureless_highpass_std},
                         {"thumbnail_size_px", s.thumbnail_size_px}, {"thumbnail_blur_sigma_px", s.thumbnail_blur_sigma_px},
                         {"thumbnail_max_shift_px", s.thumbnail_max_shift_px}, {"duplicate_ncc", s.duplicate_ncc},
                         {"max_redraws", s.max_redraws}}},
      {"drone_photometric", PhotometricOptionsJson(o.drone_photometric)},
      {"satellite_photometric", PhotometricOptionsJson(o.satellite_photometric)},
      {"cross_test_set", o.cross_test_set},
      {"occlusion_test_set", o.occlusion_test_set},
      {"occlusion", Json{{"erase_coverage", Range(occ.erase_coverage)}, {"erase_aspect", Range(occ.erase_aspect)},
                         {"cloud_coverage", Range(occ.cloud_coverage)}, {"cloud_alpha_max", occ.cloud_alpha_max},
                         {"cloud_octaves", occ.cloud_octaves}, {"cloud_base_cells", occ.cloud_base_cells},
                         {"cloud_edge_softness", occ.cloud_edge_softness},
                         {"cloud_rgb", Json::array({occ.cloud_rgb[0], occ.cloud_rgb[1], occ.cloud_rgb[2]})}}},
      {"contact_sheet_targets", o.contact_sheet_targets},
      {"contact_sheet_views", o.contact_sheet_views},
      {"source", Json{{"files", sources}, {"gsd_m", o.source.gsd_m},
                      {"anchor_lat_lon_deg", o.source.anchor ? LatLon(*o.source.anchor) : Json(nullptr)},
                      {"max_megapixels", o.source.max_megapixels}}}};
}

std::string IrManifestText(const IrManifestInputs& in) {
  const IrSynthOptions& o = in.options;
  const IrPlan& plan = in.plan;
  CV_CHECK(in.jobs.size() == in.rendered.size());
  Json views = Json::array();
  for (const DroneViewSpec& v : plan.views) {
    views.push_back(Json{{"name", v.name}, {"index", v.index}, {"height_group_m", v.group_height_m},
                         {"height_m", v.height_m}, {"tilt_deg", v.tilt_deg}, {"hfov_deg", v.hfov_deg},
                         {"bearing_offset_deg", v.bearing_offset_deg}});
  }
  std::vector<Json> families, sources, targets;
  for (size_t fi = 0; fi < in.catalog.families.size(); ++fi) families.push_back(FamilyEntry(in, fi));
  for (size_t si = 0; si < in.catalog.sources.size(); ++si) sources.push_back(SourcesEntry(in, si));
  for (const PlannedTarget& t : plan.targets) targets.push_back(TargetEntry(in, t));

  std::vector<std::pair<std::string, Json>> images;
  int64_t files = 0;
  for (size_t j = 0; j < in.jobs.size(); ++j) {
    const ImageJob& job = in.jobs[j];
    const RenderedJob& r = in.rendered[j];
    Json body = ImageBody(in, job);
    for (int variant = 0; variant < 2; ++variant) {
      const std::vector<std::string>& paths = variant == 0 ? job.clean_paths : job.occluded_paths;
      for (const std::string& path : paths) {
        Json e{{"path", path}};
        for (const auto& [k, v] : body.items()) e[k] = v;
        e["sha256"] = variant == 0 ? r.clean_sha256 : r.occluded_sha256;
        e["out_of_map_fraction"] = G10(r.out_of_map_fraction);
        e["photometric"] = PhotometricJson(r.photometric, job.key);
        e["occlusion"] = variant == 0 ? Json(nullptr)
                                      : Json{{"kind", job.drone ? "random_erasing" : "clouds"},
                                             {"coverage", G10(r.occlusion_coverage)},
                                             {"stream", "occlusion/" + job.key}};
        images.emplace_back(path, std::move(e));
        ++files;
      }
    }
  }
  std::sort(images.begin(), images.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Json> image_lines;
  image_lines.reserve(images.size());
  for (auto& [path, e] : images) image_lines.push_back(std::move(e));

  Json summary{{"targets", Json{{"train", plan.Count("train")}, {"validation", plan.Count("validation")},
                                {"test", plan.Count("test")}}},
               {"distractors", plan.Count("distractor")},
               {"distractors_requested", plan.distractors_requested},
               {"renders", static_cast<int64_t>(in.jobs.size())},
               {"files", files}};
  std::vector<std::pair<std::string, Json>> head = {
      {"schema", kSynthManifestSchema},
      {"generator", Json{{"name", "crossview"}, {"version", in.generator_version}}},
      {"kind", "ir"},
      {"layout", IrLayoutName(o.layout)},
      {"preset", o.preset},
      {"seed", o.seed},
      {"temporal", TemporalModeName(o.temporal)},
      {"claim", kSynthHonestClaim},
      {"options", IrOptionsJson(o)},
      {"summary", summary},
      {"pattern", Json{{"drone_reach_m", plan.drone_reach_m}, {"capacity_margin_m", plan.reach_m}, {"views", views}}}};
  std::string text = "{\n";
  for (const auto& [key, value] : head) text += "  \"" + key + "\": " + value.dump() + ",\n";
  text += "  \"families\": " + Lines(families) + ",\n";
  text += "  \"sources\": " + Lines(sources) + ",\n";
  text += "  \"targets\": " + Lines(targets) + ",\n";
  text += "  \"images\": " + Lines(image_lines) + "\n}\n";
  return text;
}

}  // namespace crossview::data

#include "crossview/data/ir_manifest.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "crossview/data/map_frame.h"
#include "crossview/data/synth_manifest.h"
#include "crossview/util/errors.h"

namespace crossview::data {
namespace {

using namespace manifest;  // NOLINT: the shared manifest building blocks

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
  Json e{{"view", job.drone ? "drone" : "satellite"}, {"id", t.id}, {"split", t.split}, {"texture", src.name}};
  if (job.drone) {
    const DroneViewSpec& spec = in.plan.views[static_cast<size_t>(job.view)];
    const PinholeCamera camera = spec.Camera(o.drone_size_px);
    const CameraPose pose = spec.Pose(t.centre_en_m, t.beta0_deg);
    e["size_px"] = Json::array({camera.width_px, camera.height_px});
    e["pattern"] = Json{{"name", spec.name}, {"index", spec.index}, {"height_group_m", spec.group_height_m},
                        {"bearing_deg", G10(std::fmod(t.beta0_deg + spec.bearing_offset_deg, 360.0))}};
    AddDroneViewFields(e, camera, pose, src, t.centre_en_m);
  } else {
    e["size_px"] = Json::array({o.satellite_size_px, o.satellite_size_px});
    AddNorthUpTileFields(e, src, t.centre_en_m, o.satellite_side_m, o.satellite_size_px);
    e["effective_gsd_m"] = o.satellite_effective_gsd_m > 0.0 ? Json(o.satellite_effective_gsd_m) : Json(nullptr);
  }
  return e;
}

}  // namespace

nlohmann::ordered_json IrOptionsJson(const IrSynthOptions& o) {
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
      {"selection", SelectionOptionsJson(o.selection)},
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
      {"source", SourceOptionsJson(o.source)}};
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
  for (size_t fi = 0; fi < in.catalog.families.size(); ++fi) families.push_back(FamilyEntry(in.catalog, plan.families, fi));
  for (size_t si = 0; si < in.catalog.sources.size(); ++si) sources.push_back(SourceEntry(in.catalog, in.maps, plan.families, si));
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

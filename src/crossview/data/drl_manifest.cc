#include "crossview/data/drl_manifest.h"

#include <algorithm>

#include "crossview/data/ir_manifest.h"
#include "crossview/data/synth_manifest.h"
#include "crossview/util/errors.h"

namespace crossview::data {
namespace {

using namespace manifest;  // NOLINT: the shared manifest building blocks

Json Ul14GpsJson(const geo::Ul14SearchMapGps& g) {
  return Json{{"tl_E", g.tl_e_deg},
              {"tl_N", g.tl_n_deg},
              {"br_E", g.br_e_deg},
              {"br_N", g.br_n_deg},
              {"center_distribute_X", g.center_distribute_x},
              {"center_distribute_Y", g.center_distribute_y},
              {"map_size", g.map_size}};
}

std::string MapName(const DrlSearchMap& m) { return std::to_string(m.index) + ".jpg"; }

Json PlaceEntry(const DrlManifestInputs& in, const DrlPlace& p) {
  const MapSource& base = in.catalog.sources[static_cast<size_t>(p.source)];
  Json e{{"id", p.id},
         {"folder", p.folder},
         {"split", p.split},
         {"family", in.catalog.families[static_cast<size_t>(p.family)].name},
         {"role", "target"},
         {"texture", base.name},
         {"height_m", p.height_m},
         {"yaw_deg", p.yaw_deg},
         {"centre_xy_px", Vec2(p.centre_xy_px)},
         {"centre_en_m", Vec2(p.centre_en_m)},
         {"centre_lat_lon_deg", LatLon(p.lat_lon)},
         {"highpass_std", p.highpass_std},
         {"duplicate_ncc", p.duplicate_score},
         {"redraws", p.redraws}};
  if (p.split == "train") {
    e["train_satellite_side_m"] = p.train_satellite_side_m;
    return e;
  }
  Json maps = Json::array();
  for (const DrlSearchMap& m : p.maps) {
    Json r{{"index", m.index}, {"name", MapName(m)}, {"side_m", m.side_m}, {"side_px", m.side_px}};
    if (m.dropped) {
      r["dropped"] = m.drop_reason;
    } else {
      r["centre_xy_px"] = Vec2(m.centre_xy_px);
      r["uav_rel_xy"] = Json::array({m.ul14.x_rel, m.ul14.y_rel});
      r["label"] = Json::array({m.ul14.label.row, m.ul14.label.col});
      r["gps"] = Ul14GpsJson(m.ul14.gps);
      r["redraws"] = m.redraws;
    }
    maps.push_back(r);
  }
  e["search_maps"] = maps;
  return e;
}

Json ImageEntry(const DrlManifestInputs& in, const DrlJob& job, const DrlRenderedJob& r) {
  const DrlSynthOptions& o = in.options;
  const DrlPlace& p = in.plan.places[static_cast<size_t>(job.place)];
  const MapSource& src = in.catalog.sources[static_cast<size_t>(p.source)];
  Json e{{"path", job.path}, {"id", p.id}, {"split", p.split}, {"texture", src.name}, {"sha256", r.sha256}};
  switch (job.kind) {
    case DrlImageKind::kUav: {
      const PinholeCamera camera = DrlUavCamera(o);
      e["view"] = "drone";
      e["size_px"] = Json::array({camera.width_px, camera.height_px});
      AddDroneViewFields(e, camera, p.UavPose(), src, p.centre_en_m);
      break;
    }
    case DrlImageKind::kTrainSatellite: {
      const int n = o.train_satellite_size_px;
      e["view"] = "satellite";
      e["size_px"] = Json::array({n, n});
      AddNorthUpTileFields(e, src, p.centre_en_m, p.train_satellite_side_m, n);
      e["uav_xy_px"] = Json::array({0.5 * n, 0.5 * n});
      e["uav_pixel_row_col"] = Json::array({n / 2, n / 2});
      e["crs"] = r.crs;
      e["geotransform"] = Json::array();
      for (double g : r.geotransform) e["geotransform"].push_back(g);
      e["effective_gsd_m"] = o.satellite_effective_gsd_m > 0.0 ? Json(o.satellite_effective_gsd_m) : Json(nullptr);
      break;
    }
    case DrlImageKind::kSearchMap: {
      const DrlSearchMap& m = p.maps[static_cast<size_t>(job.map)];
      const int n = o.search_map_size_px;
      e["view"] = "map";
      e["size_px"] = Json::array({n, n});
      e["map_index"] = m.index;
      AddNorthUpTileFields(e, src, m.centre_en_m, m.side_m, n);
      e["uav_lat_lon_deg"] = LatLon(p.lat_lon);
      e["uav_xy_px"] = Json::array({m.ul14.x_rel * n, m.ul14.y_rel * n});
      e["label"] = Json::array({m.ul14.label.row, m.ul14.label.col});
      e["center_distribute"] = Json::array({m.ul14.gps.center_distribute_x, m.ul14.gps.center_distribute_y});
      e["effective_gsd_m"] = o.satellite_effective_gsd_m > 0.0 ? Json(o.satellite_effective_gsd_m) : Json(nullptr);
      break;
    }
  }
  e["out_of_map_fraction"] = G10(r.out_of_map_fraction);
  e["photometric"] = PhotometricJson(r.photometric, job.key);
  return e;
}

Json GeometryJson(const DrlSynthOptions& o, const DrlPlan& plan) {
  Json heights = Json::object();
  for (int h : o.heights_m) {
    Json sides = Json::array();
    for (int i = 0; i < o.search_maps; ++i) sides.push_back(G10(o.SearchMapSideM(h, i)));
    heights[std::to_string(h)] = Json{{"uav_footprint_width_m", G10(o.FootprintWidthM(h))},
                                      {"search_map_sides_m", sides},
                                      {"train_satellite_side_m", G10(o.TrainSatelliteSideM(h))}};
  }
  return Json{{"uav_reach_m", G10(plan.uav_reach_m)},
              {"train_margin_m", G10(plan.train_margin_m)},
              {"test_margin_m", G10(plan.test_margin_m)},
              {"thumbnail_side_m", G10(plan.thumbnail_side_m)},
              {"heights", heights}};
}

}  // namespace

nlohmann::ordered_json DrlOptionsJson(const DrlSynthOptions& o) {
  return Json{{"preset", o.preset},
              {"seed", o.seed},
              {"train_families", o.train_families},
              {"test_families", o.test_families},
              {"train_family_draws", o.train_family_draws},
              {"test_family_draws", o.test_family_draws},
              {"train_places_per_family", o.train_places_per_family},
              {"test_places_per_family", o.test_places_per_family},
              {"train_places", o.train_places},
              {"test_places", o.test_places},
              {"heights_m", o.heights_m},
              {"hfov_deg", o.hfov_deg},
              {"yaw_deg", Range(o.yaw_deg)},
              {"uav_size_px", o.uav_size_px},
              {"search_maps", o.search_maps},
              {"search_map_size_px", o.search_map_size_px},
              {"search_map_min_factor", o.search_map_min_factor},
              {"search_map_max_factor", o.search_map_max_factor},
              {"search_offset_fraction", o.search_offset_fraction},
              {"train_satellite_size_px", o.train_satellite_size_px},
              {"train_satellite_side_factor", o.train_satellite_side_factor},
              {"satellite_effective_gsd_m", o.satellite_effective_gsd_m},
              {"selection", SelectionOptionsJson(o.selection)},
              {"uav_photometric", PhotometricOptionsJson(o.uav_photometric)},
              {"satellite_photometric", PhotometricOptionsJson(o.satellite_photometric)},
              {"contact_sheet_places", o.contact_sheet_places},
              {"contact_sheet_maps", o.contact_sheet_maps},
              {"source", SourceOptionsJson(o.source)}};
}

std::string Ul14LabelsJsonText(const DrlPlace& place) {
  Json j = Json::object();
  for (const DrlSearchMap& m : place.maps) {
    if (!m.dropped) j[MapName(m)] = Json::array({m.ul14.label.row, m.ul14.label.col});
  }
  return j.dump() + "\n";
}

std::string Ul14GpsInfoJsonText(const DrlPlace& place) {
  Json sat = Json::object();
  for (const DrlSearchMap& m : place.maps) {
    if (!m.dropped) sat[MapName(m)] = Ul14GpsJson(m.ul14.gps);
  }
  const Json j{{"UAV", Json{{"E", place.lat_lon.lon_deg}, {"N", place.lat_lon.lat_deg}}}, {"Satellite", sat}};
  return j.dump() + "\n";
}

std::string DrlManifestText(const DrlManifestInputs& in) {
  const DrlSynthOptions& o = in.options;
  const DrlPlan& plan = in.plan;
  CV_CHECK(in.jobs.size() == in.rendered.size());
  std::vector<Json> families, sources, targets;
  for (size_t fi = 0; fi < in.catalog.families.size(); ++fi) families.push_back(FamilyEntry(in.catalog, plan.families, fi));
  for (size_t si = 0; si < in.catalog.sources.size(); ++si) sources.push_back(SourceEntry(in.catalog, in.maps, plan.families, si));
  for (const DrlPlace& p : plan.places) targets.push_back(PlaceEntry(in, p));

  std::vector<std::pair<std::string, Json>> images;
  for (size_t j = 0; j < in.jobs.size(); ++j) images.emplace_back(in.jobs[j].path, ImageEntry(in, in.jobs[j], in.rendered[j]));
  std::sort(images.begin(), images.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Json> image_lines;
  image_lines.reserve(images.size());
  for (auto& [path, e] : images) image_lines.push_back(std::move(e));

  const Json summary{{"places", Json{{"train", plan.Count("train")}, {"test", plan.Count("test")}}},
                     {"search_maps", plan.MapCount()},
                     {"dropped_maps", plan.DroppedMaps()},
                     {"files", static_cast<int64_t>(in.jobs.size())}};
  const std::vector<std::pair<std::string, Json>> head = {
      {"schema", kSynthManifestSchema},
      {"generator", Json{{"name", "crossview"}, {"version", in.generator_version}}},
      {"kind", "drl"},
      {"layout", "ul14"},
      {"preset", o.preset},
      {"seed", o.seed},
      {"temporal", "same"},
      {"claim", kSynthHonestClaim},
      {"options", DrlOptionsJson(o)},
      {"summary", summary},
      {"geometry", GeometryJson(o, plan)}};
  std::string text = "{\n";
  for (const auto& [key, value] : head) text += "  \"" + key + "\": " + value.dump() + ",\n";
  text += "  \"families\": " + Lines(families) + ",\n";
  text += "  \"sources\": " + Lines(sources) + ",\n";
  text += "  \"targets\": " + Lines(targets) + ",\n";
  text += "  \"images\": " + Lines(image_lines) + "\n}\n";
  return text;
}

}  // namespace crossview::data

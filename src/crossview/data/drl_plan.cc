#include "crossview/data/drl_plan.h"

#include <algorithm>
#include <cmath>

#include "crossview/data/ir_plan.h"
#include "crossview/data/target_selection.h"
#include "crossview/geo/texture_georef.h"
#include "crossview/util/errors.h"
#include "crossview/util/random.h"

namespace crossview::data {
namespace {

struct Margins {
  double uav_reach_m = 0.0;
  double train_m = 0.0;
  double test_m = 0.0;
};

Margins DrlMargins(const DrlSynthOptions& o) {
  const double h = o.MaxHeightM();
  CameraPose nadir;
  nadir.height_m = h;
  Margins m;
  m.uav_reach_m = FootprintReachM(DrlUavCamera(o), nadir);
  m.train_m = std::max(m.uav_reach_m, 0.5 * o.TrainSatelliteSideM(h));
  m.test_m = std::max(m.uav_reach_m, 0.5 * (1.0 - o.search_offset_fraction) * o.SearchMapSideM(h, o.search_maps - 1));
  return m;
}

double MarginFor(const Margins& m, const std::string& split) { return split == "train" ? m.train_m : m.test_m; }

std::string MarginWhy(const DrlSynthOptions& o, const Margins& m, const std::string& split) {
  if (split == "train") {
    return "UAV reach " + MetresText(m.uav_reach_m) + ", training tile half-side " +
           MetresText(0.5 * o.TrainSatelliteSideM(o.MaxHeightM()));
  }
  return "UAV reach " + MetresText(m.uav_reach_m);
}

// The area search maps may cover: the texture, or the family's half of a user orthophoto.
cv::Rect2d MapArea(const MapSource& base, const SynthFamily& family) {
  return family.half_xy_px ? *family.half_xy_px : cv::Rect2d(0, 0, base.frame.width_px, base.frame.height_px);
}

// Step 5 for one test place.
void PlaceSearchMaps(const DrlSynthOptions& o, const MapSource& base, const LoadedMap& map, const SynthFamily& family,
                     const Rng& root, DrlPlace* place) {
  const cv::Rect2d area = MapArea(base, family);
  const double g = base.frame.gsd_m;
  for (int i = 0; i < o.search_maps; ++i) {
    DrlSearchMap m;
    m.index = i;
    m.side_m = o.SearchMapSideM(place->height_m, i);
    m.side_px = m.side_m / g;
    const auto ix = SearchMapOffsetInterval(place->centre_xy_px[0], m.side_px, o.search_offset_fraction, area.x,
                                            area.x + area.width);
    const auto iy = SearchMapOffsetInterval(place->centre_xy_px[1], m.side_px, o.search_offset_fraction, area.y,
                                            area.y + area.height);
    if (ix.first > ix.second || iy.first > iy.second) {
      m.dropped = true;
      m.drop_reason = "a " + MetresText(m.side_m) + " map does not fit around the UAV inside " +
                      MetresText(area.width * g) + " x " + MetresText(area.height * g);
      place->maps.push_back(m);
      continue;
    }
    bool fits = false;
    for (int attempt = 0; attempt <= o.selection.max_redraws && !fits; ++attempt) {
      Rng rng = root.Fork("map/" + place->id + "/" + std::to_string(i) + "/" + std::to_string(attempt));
      const double dx = ix.first + (ix.second - ix.first) * rng.Uniform01();
      const double dy = iy.first + (iy.second - iy.first) * rng.Uniform01();
      m.centre_xy_px = place->centre_xy_px + cv::Vec2d(dx, dy);
      m.centre_en_m = base.frame.EnFromXy(m.centre_xy_px);
      fits = TileFits(base.frame, map.nodata, m.centre_en_m, m.side_m);
      if (!fits) ++m.redraws;
    }
    if (!fits) {
      m.dropped = true;
      m.drop_reason = "every offset draw touched no-data pixels (" + std::to_string(m.redraws) + " draws)";
    } else {
      m.ul14 = Ul14MapFor(base, place->centre_xy_px, m.centre_xy_px, m.side_px, o.search_map_size_px);
    }
    place->maps.push_back(m);
  }
}

}  // namespace

CameraPose DrlPlace::UavPose() const {
  CameraPose pose;
  pose.centre_en_m = centre_en_m;
  pose.height_m = height_m;
  pose.yaw_deg = yaw_deg;
  return pose;
}

int DrlPlan::Count(const std::string& split) const {
  return static_cast<int>(
      std::count_if(places.begin(), places.end(), [&](const DrlPlace& p) { return p.split == split; }));
}

int DrlPlan::MapCount() const {
  int n = 0;
  for (const DrlPlace& p : places) {
    for (const DrlSearchMap& m : p.maps) n += !m.dropped;
  }
  return n;
}

int DrlPlan::DroppedMaps() const {
  int n = 0;
  for (const DrlPlace& p : places) {
    for (const DrlSearchMap& m : p.maps) n += m.dropped;
  }
  return n;
}

PinholeCamera DrlUavCamera(const DrlSynthOptions& o) {
  PinholeCamera camera;
  camera.width_px = camera.height_px = o.uav_size_px;
  camera.hfov_deg = o.hfov_deg;
  return camera;
}

std::string Ul14PlaceName(const std::string& family) {
  std::string out = family;
  for (char& c : out) {
    const bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
    if (!keep) c = '-';
  }
  return out;
}

std::pair<double, double> SearchMapOffsetInterval(double uav_px, double side_px, double fraction, double lo_px,
                                                  double hi_px) {
  const double half = 0.5 * side_px;
  return {std::max(-fraction * half, lo_px + half - uav_px), std::min(fraction * half, hi_px - half - uav_px)};
}

geo::Ul14SearchMap Ul14MapFor(const MapSource& source, const cv::Vec2d& uav_xy_px, const cv::Vec2d& centre_xy_px,
                              double side_px, int stored_size_px) {
  const geo::TextureGeoref georef(source.anchor, source.frame.width_px, source.frame.height_px, source.frame.gsd_m);
  geo::Ul14SearchMap m = geo::MakeUl14SearchMap(georef, {uav_xy_px[0], uav_xy_px[1]}, {centre_xy_px[0], centre_xy_px[1]},
                                                side_px, stored_size_px);
  if (source.kind == MapSourceKind::kGeoRaster) {
    // The file's own CRS: its corners through PROJ (lat/lon is then only nearly linear in pixels).
    const double half = 0.5 * side_px;
    const geo::LatLonDeg tl = SourceLatLon(source, centre_xy_px - cv::Vec2d(half, half));
    const geo::LatLonDeg br = SourceLatLon(source, centre_xy_px + cv::Vec2d(half, half));
    m.gps.tl_e_deg = tl.lon_deg;
    m.gps.tl_n_deg = tl.lat_deg;
    m.gps.br_e_deg = br.lon_deg;
    m.gps.br_n_deg = br.lat_deg;
  }
  return m;
}

void SelectDrlFamilies(const DrlSynthOptions& o, SynthCatalog* catalog) {
  if (catalog->user_sources) return;  // every half of the user's orthophotos is used
  const Margins margins = DrlMargins(o);
  const Rng root(o.seed);
  std::vector<bool> keep(catalog->families.size(), true);
  for (const std::string split : {"train", "test"}) {
    const int draws = split == std::string("train") ? o.train_family_draws : o.test_family_draws;
    std::vector<size_t> order;
    for (size_t fi = 0; fi < catalog->families.size(); ++fi) {
      if (catalog->families[fi].split == split) order.push_back(fi);
    }
    if (draws == 0 || draws >= static_cast<int>(order.size())) continue;
    Rng rng = root.Fork("families/" + split);
    rng.Shuffle(order);
    int taken = 0;
    for (size_t fi : order) {
      const SynthFamily& f = catalog->families[fi];
      const MapSource& base = catalog->sources[static_cast<size_t>(f.members[0])];
      const bool fits = SiteCentreRegionXyPx(base, f, MarginFor(margins, split)).has_value();
      keep[fi] = fits && taken < draws;
      taken += keep[fi];
    }
  }
  std::vector<SynthFamily> kept;
  std::vector<bool> used(catalog->sources.size(), false);
  for (size_t fi = 0; fi < catalog->families.size(); ++fi) {
    if (!keep[fi]) continue;
    kept.push_back(catalog->families[fi]);
    for (int m : catalog->families[fi].members) used[static_cast<size_t>(m)] = true;
  }
  for (size_t si = 0; si < catalog->sources.size(); ++si) {
    if (!used[si] && catalog->unused_reason[si].empty()) catalog->unused_reason[si] = "family not drawn by this preset";
  }
  catalog->families = std::move(kept);
}

DrlPlan PlanDrlPlaces(const DrlSynthOptions& o, const SynthCatalog& catalog, const std::vector<LoadedMap>& maps,
                      int jobs) {
  const Margins margins = DrlMargins(o);
  const PinholeCamera camera_max = DrlUavCamera(o);
  const double h_max = o.MaxHeightM();
  DrlPlan plan;
  plan.uav_reach_m = margins.uav_reach_m;
  plan.train_margin_m = margins.train_m;
  plan.test_margin_m = margins.test_m;
  plan.thumbnail_side_m = o.FootprintWidthM(h_max);
  plan.families.resize(catalog.families.size());
  const Rng root(o.seed);
  const TargetSelectionOptions& sel = o.selection;

  auto base_of = [&](size_t fi) -> const MapSource& {
    return catalog.sources[static_cast<size_t>(catalog.families[fi].members[0])];
  };

  // The yaw, redrawn while the view (at the largest height; lower ones see less) or the training
  // tile touches no-data. Capacity keeps both inside the map.
  const SiteDrawFn draw_yaw = [&](const SiteFamily& f, int ci, int attempt) {
    const SynthFamily& fam = catalog.families[static_cast<size_t>(f.family)];
    Rng rng = root.Fork("yaw/" + fam.name + "/" + std::to_string(ci) + "/" + std::to_string(attempt));
    SiteDraw d;
    d.value = DrawUniform(rng, o.yaw_deg);
    CameraPose pose;
    pose.centre_en_m = f.candidates[static_cast<size_t>(ci)];
    pose.height_m = h_max;
    pose.yaw_deg = d.value;
    d.fits = DroneViewFits(f.base->frame, f.map->nodata, camera_max, pose);
    if (d.fits && fam.split == "train") {
      d.fits = TileFits(f.base->frame, f.map->nodata, pose.centre_en_m, o.TrainSatelliteSideM(h_max));
    }
    return d;
  };

  std::vector<DrlPlace> places;
  for (const std::string split : {"train", "test"}) {
    const bool train = split == std::string("train");
    const double margin = MarginFor(margins, split);
    std::vector<SiteFamily> slots;
    for (size_t fi = 0; fi < catalog.families.size(); ++fi) {
      const SynthFamily& fam = catalog.families[fi];
      if (fam.split != split) continue;
      const MapSource& base = base_of(fi);
      FamilyPlan& fp = plan.families[fi];
      fp.centre_region_xy_px = SiteCentreRegionXyPx(base, fam, margin);
      if (!fp.centre_region_xy_px) {
        fp.skipped_reason = SkippedForCapacity(base, fam, margin, MarginWhy(o, margins, split));
        continue;
      }
      const LoadedMap& map = maps.at(static_cast<size_t>(fam.members[0]));
      CV_CHECK(map.pyramid != nullptr);
      SiteFamily slot{static_cast<int>(fi), &base, &map,
                      SiteCandidates(base, *fp.centre_region_xy_px, sel.min_spacing_m, sel.poisson_attempts,
                                     root.Fork("candidates/" + fam.name)),
                      train ? o.train_places_per_family : o.test_places_per_family};
      fp.candidates = static_cast<int>(slot.candidates.size());
      slots.push_back(std::move(slot));
    }
    // Families take turns in a seeded order.
    Rng turns = root.Fork("turns/" + split);
    turns.Shuffle(slots);
    SiteSelectionParams params;
    params.thumbnail_side_m = plan.thumbnail_side_m;
    params.order = SiteOrder::kRoundRobin;
    const int total = train ? o.train_places : o.test_places;
    params.total_cap = total > 0 ? total : -1;
    params.jobs = jobs;
    DuplicateIndex index(sel.thumbnail_max_shift_px);
    std::vector<TargetRejections> rejections;
    const std::vector<SelectedSite> sites = SelectSites(slots, sel, params, draw_yaw, index, &rejections);
    for (size_t s = 0; s < slots.size(); ++s) plan.families[static_cast<size_t>(slots[s].family)].rejections = rejections[s];
    for (const SelectedSite& site : sites) {
      const size_t fi = static_cast<size_t>(slots[site.slot].family);
      DrlPlace p;
      p.split = split;
      p.family = static_cast<int>(fi);
      p.source = catalog.families[fi].members[0];
      p.candidate_index = site.candidate_index;
      p.centre_en_m = site.centre_en_m;
      p.centre_xy_px = base_of(fi).frame.XyFromEn(site.centre_en_m);
      p.lat_lon = SourceLatLon(base_of(fi), p.centre_xy_px);
      p.yaw_deg = site.draw_value;
      p.redraws = site.redraws;
      p.highpass_std = site.highpass_std;
      p.duplicate_score = site.duplicate_score;
      places.push_back(p);
      ++plan.families[fi].targets_placed;
    }
  }

  std::stable_sort(places.begin(), places.end(), [&](const DrlPlace& a, const DrlPlace& b) {
    if (a.split != b.split) return a.split == "train";
    const int fa = catalog.families[static_cast<size_t>(a.family)].order;
    const int fb = catalog.families[static_cast<size_t>(b.family)].order;
    if (fa != fb) return fa < fb;
    return a.candidate_index < b.candidate_index;
  });
  int k_train = 0, k_test = 0;
  for (size_t i = 0; i < places.size(); ++i) {
    DrlPlace& p = places[i];
    int& k = p.split == "train" ? k_train : k_test;
    p.id = TargetId(static_cast<int>(i));
    p.height_m = o.heights_m[static_cast<size_t>(k++) % o.heights_m.size()];
    p.folder = Ul14PlaceName(catalog.families[static_cast<size_t>(p.family)].name) + "_" + std::to_string(p.height_m) +
               "_" + p.id;
    if (p.split == "train") {
      p.train_satellite_side_m = o.TrainSatelliteSideM(p.height_m);
    } else {
      const SynthFamily& fam = catalog.families[static_cast<size_t>(p.family)];
      PlaceSearchMaps(o, base_of(static_cast<size_t>(p.family)), maps.at(static_cast<size_t>(fam.members[0])), fam, root,
                      &p);
    }
  }
  plan.places = std::move(places);
  return plan;
}

std::vector<DrlJob> BuildDrlJobs(const DrlPlan& plan) {
  std::vector<DrlJob> jobs;
  for (size_t pi = 0; pi < plan.places.size(); ++pi) {
    const DrlPlace& p = plan.places[pi];
    const std::string dir = p.split + "/" + p.folder + "/";
    const int place = static_cast<int>(pi);
    jobs.push_back({DrlImageKind::kUav, place, -1, "uav/" + p.folder, dir + "UAV/0.JPG"});
    if (p.split == "train") {
      jobs.push_back({DrlImageKind::kTrainSatellite, place, -1, "satellite/" + p.folder, dir + "Satellite/0.tif"});
      continue;
    }
    for (size_t mi = 0; mi < p.maps.size(); ++mi) {
      const DrlSearchMap& m = p.maps[mi];
      if (m.dropped) continue;
      const std::string i = std::to_string(m.index);
      jobs.push_back({DrlImageKind::kSearchMap, place, static_cast<int>(mi), "map/" + p.folder + "/" + i,
                      dir + "Satellite/" + i + ".jpg"});
    }
  }
  return jobs;
}

}  // namespace crossview::data

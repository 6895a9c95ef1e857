#include "crossview/data/drl_synth.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "crossview/data/contact_sheet.h"
#include "crossview/data/drl_manifest.h"
#include "crossview/data/drl_plan.h"
#include "crossview/data/image_io.h"
#include "crossview/data/ir_manifest.h"
#include "crossview/data/ir_synth.h"
#include "crossview/data/renderer.h"
#include "crossview/data/synth_run.h"
#include "crossview/data/synth_sources.h"
#include "crossview/geo/geotiff_writer.h"
#include "crossview/geo/raster.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"
#include "crossview/util/log.h"
#include "crossview/util/parallel.h"
#include "crossview/util/progress.h"
#include "crossview/util/sha256.h"

namespace crossview::data {
namespace {

namespace fs = std::filesystem;

SynthCatalog MakeDrlCatalog(const DrlSynthOptions& o, const SynthRunOptions& run) {
  SynthCatalog catalog;
  if (o.source.enabled()) {
    catalog = OrthophotoCatalog(o.source);
  } else {
    const fs::path cache = SynthCacheDir(run);
    CatalogFamilies families;
    families.train = o.train_families;
    families.test = o.test_families;
    catalog = TextureCatalog(ReadCachedTextureTable(cache), cache, families);
  }
  SelectDrlFamilies(o, &catalog);
  return catalog;
}

// The CRS a training tile of each source is written in: EPSG:4326 for the textures and plain
// images (their plate carrée), the file's own for GeoTIFF sources.
std::vector<geo::Crs> TileCrs(const SynthCatalog& catalog) {
  std::vector<geo::Crs> out;
  for (const MapSource& s : catalog.sources) {
    out.push_back(s.kind == MapSourceKind::kGeoRaster ? s.raster->crs() : geo::TextureGeoref::crs());
  }
  return out;
}

geo::RgbImage ToRgbImage(const cv::Mat& rgb) {
  CV_CHECK(rgb.type() == CV_8UC3 && rgb.isContinuous());
  geo::RgbImage out(rgb.cols, rgb.rows);
  std::memcpy(out.pixels.data(), rgb.data, out.pixels.size());
  return out;
}

// A north-up satellite image (training tile or search map) with the resolution gap and the
// satellite photometric profile.
cv::Mat SatelliteImage(const DrlSynthOptions& o, const LoadedMap& map, const MapFrame& frame, const cv::Vec2d& centre_en_m,
                       double side_m, int size_px, const PhotometricParams& photometric, double* out_of_map) {
  RenderOptions ropts;
  ropts.num_threads = 1;
  const RenderResult rr = RenderNorthUpTile(*map.pyramid, frame, centre_en_m, side_m, size_px, ropts);
  *out_of_map = rr.out_of_map_fraction;
  cv::Mat image = rr.image;
  if (o.satellite_effective_gsd_m > 0.0) image = ApplyResolutionGap(image, side_m / size_px, o.satellite_effective_gsd_m);
  return ApplyPhotometric(image, photometric);
}

DrlRenderedJob RenderDrlJob(const DrlSynthOptions& o, const SynthCatalog& catalog, const std::vector<LoadedMap>& maps,
                            const std::vector<geo::Crs>& crs, const DrlPlan& plan, const DrlJob& job,
                            const fs::path& root_dir) {
  const Rng root(o.seed);
  const DrlPlace& p = plan.places[static_cast<size_t>(job.place)];
  const MapSource& src = catalog.sources[static_cast<size_t>(p.source)];
  const LoadedMap& map = maps[static_cast<size_t>(p.source)];
  CV_CHECK(map.pyramid != nullptr);
  Rng photo_rng = root.Fork("photometric/" + job.key);
  DrlRenderedJob r;
  cv::Mat image;
  if (job.kind == DrlImageKind::kUav) {
    RenderOptions ropts;
    ropts.num_threads = 1;
    const RenderResult rr = RenderDroneView(*map.pyramid, src.frame, DrlUavCamera(o), p.UavPose(), ropts);
    r.out_of_map_fraction = rr.out_of_map_fraction;
    r.photometric = DrawPhotometricParams(o.uav_photometric, photo_rng, false);  // nadir: no haze
    image = ApplyPhotometric(rr.image, r.photometric);
  } else if (job.kind == DrlImageKind::kTrainSatellite) {
    const int n = o.train_satellite_size_px;
    r.photometric = DrawPhotometricParams(o.satellite_photometric, photo_rng, false);
    image = SatelliteImage(o, map, src.frame, p.centre_en_m, p.train_satellite_side_m, n, r.photometric,
                           &r.out_of_map_fraction);
    // The tile's own georeference: the source's, cut at the tile's corner and resampled (§2.1).
    const double side_px = p.train_satellite_side_m / src.frame.gsd_m;
    const geo::GeoTransform gt = geo::GeoTransform(src.geotransform)
                                     .ForWindow(p.centre_xy_px[0] - 0.5 * side_px, p.centre_xy_px[1] - 0.5 * side_px)
                                     .Resampled(n / side_px);
    const fs::path path = root_dir / job.path;
    geo::WriteGeoTiffRgb(path, ToRgbImage(image), gt, crs[static_cast<size_t>(p.source)]);
    r.geotransform = gt.gdal();
    r.crs = crs[static_cast<size_t>(p.source)].name();
    r.sha256 = Sha256File(path);
    r.bytes = static_cast<int64_t>(fs::file_size(path));
    return r;
  } else {
    const DrlSearchMap& m = p.maps[static_cast<size_t>(job.map)];
    r.photometric = DrawPhotometricParams(o.satellite_photometric, photo_rng, false);
    image = SatelliteImage(o, map, src.frame, m.centre_en_m, m.side_m, o.search_map_size_px, r.photometric,
                           &r.out_of_map_fraction);
  }
  ImageEncodeOptions enc;
  enc.jpeg_quality = r.photometric.jpeg_quality;
  const std::string bytes = EncodeImage(image, ImageFormat::kJpeg, enc);
  r.sha256 = Sha256Hex(bytes);
  r.bytes = static_cast<int64_t>(bytes.size());
  WriteSynthFile(root_dir / job.path, bytes);
  return r;
}

// Marks the UAV's position (continuous stored pixels) with a ring and a cross, sized to survive
// the contact sheet's downscaling.
void MarkUav(cv::Mat& image, const cv::Vec2d& xy_px) {
  const int s = std::max(image.cols, image.rows);
  const int radius = std::max(4, s / 32), thickness = std::max(1, s / 192);
  const cv::Point c(static_cast<int>(xy_px[0]), static_cast<int>(xy_px[1]));
  cv::circle(image, c, radius, cv::Scalar(255, 40, 40), thickness, cv::LINE_AA);
  cv::drawMarker(image, c, cv::Scalar(255, 255, 0), cv::MARKER_CROSS, radius, thickness, cv::LINE_AA);
}

// Up to n indices into a list of `size` items, evenly spaced (first and last included).
std::vector<size_t> Spread(size_t size, int n) {
  std::vector<size_t> out;
  const size_t k = std::min(size, static_cast<size_t>(std::max(0, n)));
  for (size_t i = 0; i < k; ++i) out.push_back(k == 1 ? 0 : i * (size - 1) / (k - 1));
  return out;
}

void WriteDrlContactSheet(const DrlSynthOptions& o, const DrlPlan& plan, const std::vector<DrlJob>& jobs,
                          const fs::path& root_dir) {
  std::vector<size_t> test, train;
  for (size_t i = 0; i < plan.places.size(); ++i) (plan.places[i].split == "test" ? test : train).push_back(i);
  std::vector<ContactSheetRow> rows;
  auto add_row = [&](size_t pi) {
    const DrlPlace& p = plan.places[pi];
    ContactSheetRow row;
    row.label_lines = {p.id + "  " + p.split, p.folder.substr(0, p.folder.find('_')),
                       std::to_string(p.height_m) + " m, yaw " + std::to_string(static_cast<int>(std::lround(p.yaw_deg)))};
    std::vector<const DrlJob*> satellite;
    for (const DrlJob& j : jobs) {
      if (j.place != static_cast<int>(pi)) continue;
      if (j.kind == DrlImageKind::kUav) {
        row.images_rgb.insert(row.images_rgb.begin(), LoadImageRgb(root_dir / j.path));
      } else {
        satellite.push_back(&j);
      }
    }
    std::string shown;
    for (size_t k : Spread(satellite.size(), p.split == "test" ? o.contact_sheet_maps : 1)) {
      const DrlJob& j = *satellite[k];
      cv::Mat image = LoadImageRgb(root_dir / j.path);
      if (j.kind == DrlImageKind::kSearchMap) {
        const DrlSearchMap& m = p.maps[static_cast<size_t>(j.map)];
        MarkUav(image, {m.ul14.x_rel * image.cols, m.ul14.y_rel * image.rows});
        shown += (shown.empty() ? "maps " : ",") + std::to_string(m.index);
      } else {
        MarkUav(image, {0.5 * image.cols, 0.5 * image.rows});
        shown = "training tile";
      }
      row.images_rgb.push_back(image);
    }
    row.label_lines.push_back(shown);
    rows.push_back(row);
  };
  for (size_t k : Spread(test.size(), o.contact_sheet_places)) add_row(test[k]);
  for (size_t k : Spread(train.size(), (o.contact_sheet_places + 1) / 2)) add_row(train[k]);
  std::vector<std::string> titles = {"UAV"};
  for (int i = 0; i < o.contact_sheet_maps; ++i) titles.push_back(i == 0 ? "satellite (UAV marked)" : "");
  ContactSheetOptions sheet;
  sheet.cell_px = 192;
  SaveImage(root_dir / kContactSheetFile, MakeContactSheet(rows, titles, sheet));
}

}  // namespace

std::string DrlSynthSummary::OneLine() const {
  std::ostringstream os;
  os.setf(std::ios::fixed);
  os.precision(1);
  os << "synth drl " << preset << " (seed " << seed << "): " << train_places << " train + " << test_places
     << " test places, " << search_maps << " search maps (" << dropped_maps << " dropped), " << files << " images ("
     << (bytes / 1048576.0) << " MB) in " << seconds << " s";
  if (!skipped.empty()) os << ", " << skipped.size() << " skipped";
  os << " -> " << out_dir;
  return os.str();
}

std::string DrlSynthSummary::ToJson() const {
  nlohmann::ordered_json j{{"out", out_dir},
                           {"preset", preset},
                           {"layout", "ul14"},
                           {"seed", seed},
                           {"places", {{"train", train_places}, {"test", test_places}}},
                           {"search_maps", search_maps},
                           {"dropped_maps", dropped_maps},
                           {"files", files},
                           {"bytes", bytes},
                           {"rejections",
                            {{"featureless", rejections.featureless},
                             {"duplicate", rejections.duplicate},
                             {"out_of_map", rejections.out_of_map},
                             {"redraws", rejections.redraws}}},
                           {"skipped", skipped},
                           {"seconds", seconds},
                           {"jobs", jobs}};
  return j.dump();
}

DrlSynthSummary GenerateDrlDataset(const DrlSynthOptions& o, const SynthRunOptions& run) {
  const SynthClock::time_point t0 = SynthClock::now();
  o.Check();
  const fs::path out = CheckSynthOutputDir(run.out_dir, run.overwrite);
  const int jobs = ResolveJobs(run.jobs);
  std::ostringstream log;
  log << "crossview synth drl, started " << LocalTimeText() << "\nout: " << out.string() << "\njobs: " << jobs
      << "\ncache: " << SynthCacheDir(run).string() << "\n";

  // 1. Families and their base maps.
  const SynthCatalog catalog = MakeDrlCatalog(o, run);
  std::vector<LoadedMap> maps(catalog.sources.size());
  std::set<int> base_set;  // the halves of a user orthophoto share one source: load it once
  for (const SynthFamily& f : catalog.families) base_set.insert(f.members[0]);
  const std::vector<int> needed(base_set.begin(), base_set.end());
  ParallelFor(static_cast<int64_t>(needed.size()), jobs, [&](int64_t i) {
    const MapSource& s = catalog.sources[static_cast<size_t>(needed[static_cast<size_t>(i)])];
    maps[static_cast<size_t>(needed[static_cast<size_t>(i)])] =
        WithContext("source", s.file, [&] { return LoadMapSource(s); });
  });
  const double t_load = SecondsSince(t0);

  // 2. Places, search maps, files.
  const DrlPlan plan = PlanDrlPlaces(o, catalog, maps, jobs);
  DrlSynthSummary summary;
  for (size_t fi = 0; fi < catalog.families.size(); ++fi) {
    const FamilyPlan& fp = plan.families[fi];
    if (!fp.skipped_reason.empty()) summary.skipped.push_back(catalog.families[fi].name + ": " + fp.skipped_reason);
    summary.rejections.featureless += fp.rejections.featureless;
    summary.rejections.duplicate += fp.rejections.duplicate;
    summary.rejections.out_of_map += fp.rejections.out_of_map;
    summary.rejections.redraws += fp.rejections.redraws;
  }
  for (const std::string& s : summary.skipped) CV_LOG_INFO("skipped {}", s);
  if (plan.Count("train") + plan.Count("test") == 0) {
    std::string reasons;
    for (const std::string& s : summary.skipped) reasons += (reasons.empty() ? "" : "; ") + s;
    throw CV_ERROR(InvalidArgumentError, "no UAV place fits in any map").With("skipped", reasons)
        .Hint("use larger maps, or lower heights");
  }
  if (plan.DroppedMaps() > 0) CV_LOG_WARN("{} search maps fit nowhere around their UAV and were dropped", plan.DroppedMaps());
  const std::vector<DrlJob> image_jobs = BuildDrlJobs(plan);
  const std::vector<geo::Crs> crs = TileCrs(catalog);
  const double t_plan = SecondsSince(t0);

  // 3. Render into a staging folder beside the target; the small JSON files first.
  AtomicPath staging(out);
  EnsureDirectory(staging.temp_path());
  std::set<fs::path> dirs;
  for (const DrlJob& j : image_jobs) dirs.insert(staging.temp_path() / fs::path(j.path).parent_path());
  for (const fs::path& d : dirs) EnsureDirectory(d);
  for (const DrlPlace& p : plan.places) {
    if (p.split != "test") continue;
    const fs::path dir = staging.temp_path() / p.split / p.folder;
    WriteSynthFile(dir / "labels.json", Ul14LabelsJsonText(p));
    WriteSynthFile(dir / "GPS_info.json", Ul14GpsInfoJsonText(p));
  }
  std::vector<DrlRenderedJob> rendered(image_jobs.size());
  ProgressBar::Options bar_options;
  bar_options.enabled_auto = run.progress;
  ProgressBar bar(static_cast<int64_t>(image_jobs.size()), "synth drl", bar_options);
  std::mutex bar_mutex;
  ParallelFor(static_cast<int64_t>(image_jobs.size()), jobs, [&](int64_t i) {
    const DrlJob& job = image_jobs[static_cast<size_t>(i)];
    rendered[static_cast<size_t>(i)] = WithContext(
        "image", job.key, [&] { return RenderDrlJob(o, catalog, maps, crs, plan, job, staging.temp_path()); });
    std::lock_guard<std::mutex> lock(bar_mutex);
    bar.Add(1);
  });
  bar.Finish();
  const double t_render = SecondsSince(t0);

  // 4. Contact sheet, manifest (once, at the end), log; then commit the folder.
  WriteDrlContactSheet(o, plan, image_jobs, staging.temp_path());
  const std::string version = SynthGeneratorVersion();
  WriteFileAtomic(staging.temp_path() / kManifestFile,
                  DrlManifestText({o, version, catalog, maps, plan, image_jobs, rendered}));

  summary.out_dir = out.string();
  summary.preset = o.preset;
  summary.seed = o.seed;
  summary.train_places = plan.Count("train");
  summary.test_places = plan.Count("test");
  summary.search_maps = plan.MapCount();
  summary.dropped_maps = plan.DroppedMaps();
  summary.files = static_cast<int64_t>(image_jobs.size());
  for (const DrlRenderedJob& r : rendered) summary.bytes += r.bytes;
  summary.jobs = jobs;
  summary.seconds = SecondsSince(t0);
  log.setf(std::ios::fixed);
  log.precision(2);
  log << "load maps: " << t_load << " s\nplan places: " << (t_plan - t_load) << " s\nrender: " << (t_render - t_plan)
      << " s\nmanifest + contact sheet: " << (summary.seconds - t_render) << " s\n";
  for (const std::string& s : summary.skipped) log << "skipped " << s << "\n";
  log << summary.OneLine() << "\n" << summary.ToJson() << "\n";
  WriteFileAtomic(staging.temp_path() / kSynthLogFile, log.str());
  FlushFilesystem(staging.temp_path());
  staging.Commit();
  summary.seconds = SecondsSince(t0);
  return summary;
}

}  // namespace crossview::data

#include "crossview/data/ir_synth.h"

#include <cmath>
#include <mutex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "crossview/data/contact_sheet.h"
#include "crossview/data/image_io.h"
#include "crossview/data/ir_layout.h"
#include "crossview/data/ir_manifest.h"
#include "crossview/data/occlusion.h"
#include "crossview/data/renderer.h"
#include "crossview/data/synth_run.h"
#include "crossview/data/synth_sources.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"
#include "crossview/util/log.h"
#include "crossview/util/parallel.h"
#include "crossview/util/paths.h"
#include "crossview/util/progress.h"
#include "crossview/util/sha256.h"

#ifndef CROSSVIEW_SYNTH_VERSION
#define CROSSVIEW_SYNTH_VERSION "unknown"
#endif

namespace crossview::data {
namespace {

namespace fs = std::filesystem;
using Clock = SynthClock;

SynthCatalog MakeCatalog(const IrSynthOptions& o, const SynthRunOptions& run) {
  if (o.source.enabled()) return OrthophotoCatalog(o.source);
  const fs::path cache = SynthCacheDir(run);
  return TextureCatalog(ReadCachedTextureTable(cache), cache, o);
}

// Sources to load: every family's base, plus every member when tiles use other members.
std::vector<int> NeededSources(const IrSynthOptions& o, const SynthCatalog& catalog) {
  const bool members = o.temporal != TemporalMode::kSame || WritesCrossTestSet(o);
  std::set<int> needed;
  for (const SynthFamily& f : catalog.families) {
    if (members) {
      needed.insert(f.members.begin(), f.members.end());
    } else {
      needed.insert(f.members[0]);
    }
  }
  return {needed.begin(), needed.end()};
}

RenderedJob RenderJob(const IrSynthOptions& o, const SynthCatalog& catalog, const std::vector<LoadedMap>& maps,
                      const IrPlan& plan, const ImageJob& job, const fs::path& root_dir) {
  const Rng root(o.seed);
  const PlannedTarget& t = plan.targets[static_cast<size_t>(job.target)];
  const MapSource& src = catalog.sources[static_cast<size_t>(job.source)];
  const LoadedMap& map = maps[static_cast<size_t>(job.source)];
  CV_CHECK(map.pyramid != nullptr);
  RenderOptions ropts;
  ropts.num_threads = 1;
  Rng photo_rng = root.Fork("photometric/" + job.key);
  RenderedJob r;
  cv::Mat image;
  if (job.drone) {
    const DroneViewSpec& spec = plan.views[static_cast<size_t>(job.view)];
    const PinholeCamera camera = spec.Camera(o.drone_size_px);
    const CameraPose pose = spec.Pose(t.centre_en_m, t.beta0_deg);
    const RenderResult rr = RenderDroneView(*map.pyramid, src.frame, camera, pose, ropts);
    r.out_of_map_fraction = rr.out_of_map_fraction;
    r.photometric = DrawPhotometricParams(o.drone_photometric, photo_rng, spec.tilt_deg > 0.0);
    const cv::Mat distance = r.photometric.haze_beta_per_m > 0.0 ? GroundDistanceMapM(camera, pose) : cv::Mat();
    image = ApplyPhotometric(rr.image, r.photometric, distance);
  } else {
    const RenderResult rr =
        RenderNorthUpTile(*map.pyramid, src.frame, t.centre_en_m, o.satellite_side_m, o.satellite_size_px, ropts);
    r.out_of_map_fraction = rr.out_of_map_fraction;
    image = rr.image;
    if (o.satellite_effective_gsd_m > 0.0) {
      image = ApplyResolutionGap(image, o.satellite_side_m / o.satellite_size_px, o.satellite_effective_gsd_m);
    }
    r.photometric = DrawPhotometricParams(o.satellite_photometric, photo_rng, false);
    image = ApplyPhotometric(image, r.photometric);
  }
  ImageEncodeOptions enc;
  enc.jpeg_quality = r.photometric.jpeg_quality;
  const std::string bytes = EncodeImage(image, ImageFormat::kJpeg, enc);
  r.clean_sha256 = Sha256Hex(bytes);
  for (const std::string& p : job.clean_paths) {
    WriteSynthFile(root_dir / p, bytes);
    r.clean_bytes += static_cast<int64_t>(bytes.size());
  }
  if (!job.occluded_paths.empty()) {
    Rng occ_rng = root.Fork("occlusion/" + job.key);
    const OcclusionResult occ = job.drone ? ApplyRandomErasing(image, o.occlusion, occ_rng)
                                          : ApplyClouds(image, o.occlusion, occ_rng);
    r.occlusion_coverage = occ.coverage;
    const std::string occ_bytes = EncodeImage(occ.image, ImageFormat::kJpeg, enc);
    r.occluded_sha256 = Sha256Hex(occ_bytes);
    for (const std::string& p : job.occluded_paths) {
      WriteSynthFile(root_dir / p, occ_bytes);
      r.occluded_bytes += static_cast<int64_t>(occ_bytes.size());
    }
  }
  return r;
}

// Up to n targets, half of them (rounded up) test targets, the rest train, evenly spaced.
std::vector<int> ContactSheetTargets(const IrPlan& plan, int n) {
  std::vector<int> test, train, picked;
  for (size_t i = 0; i < plan.targets.size(); ++i) {
    if (plan.targets[i].split == "test") test.push_back(static_cast<int>(i));
    if (plan.targets[i].split == "train") train.push_back(static_cast<int>(i));
  }
  auto take = [&](const std::vector<int>& from, int k) {
    k = std::min<int>(k, static_cast<int>(from.size()));
    for (int i = 0; i < k; ++i) picked.push_back(from[static_cast<size_t>(i * static_cast<int>(from.size()) / k)]);
  };
  const int n_test = std::min<int>((n + 1) / 2, static_cast<int>(test.size()));
  take(test, n_test);
  take(train, n - n_test);
  return picked;
}

void WriteContactSheet(const IrSynthOptions& o, const SynthCatalog& catalog, const IrPlan& plan,
                       const std::vector<ImageJob>& jobs, const fs::path& root_dir) {
  std::vector<ContactSheetRow> rows;
  for (int ti : ContactSheetTargets(plan, o.contact_sheet_targets)) {
    const PlannedTarget& t = plan.targets[static_cast<size_t>(ti)];
    const ImageJob* tile = nullptr;
    std::vector<const ImageJob*> drones;
    for (const ImageJob& j : jobs) {
      if (j.target != ti || j.clean_paths.empty()) continue;
      if (!j.drone && (tile == nullptr || j.source == t.source)) tile = &j;
      if (j.drone) drones.push_back(&j);
    }
    std::sort(drones.begin(), drones.end(), [](const ImageJob* a, const ImageJob* b) { return a->view < b->view; });
    ContactSheetRow row;
    row.label_lines = {t.id + "  " + t.split, catalog.families[static_cast<size_t>(t.family)].name};
    if (tile != nullptr) row.images_rgb.push_back(LoadImageRgb(root_dir / tile->clean_paths.front()));
    const int k = std::min<int>(o.contact_sheet_views, static_cast<int>(drones.size()));
    for (int i = 0; i < k; ++i) {
      const size_t idx = k == 1 ? 0 : static_cast<size_t>(i) * (drones.size() - 1) / static_cast<size_t>(k - 1);
      row.images_rgb.push_back(LoadImageRgb(root_dir / drones[idx]->clean_paths.front()));
    }
    rows.push_back(row);
  }
  std::vector<std::string> titles = {"satellite"};
  for (int i = 0; i < o.contact_sheet_views; ++i) titles.push_back("drone");
  ContactSheetOptions sheet;
  sheet.cell_px = std::min(256, std::max(o.drone_size_px, o.satellite_size_px));
  SaveImage(root_dir / kContactSheetFile, MakeContactSheet(rows, titles, sheet));
}

// data.md §3.4: an output GSD below about half the map's GSD only adds blur.
void WarnAboutUpsampling(const IrSynthOptions& o, const SynthCatalog& catalog, const IrPlan& plan,
                         const std::vector<int>& loaded) {
  double finest_m = o.satellite_side_m / o.satellite_size_px;
  for (const DroneViewSpec& v : plan.views) {
    finest_m = std::min(finest_m, GsdAtCentreAcrossM(v.Camera(o.drone_size_px), v.Pose({0.0, 0.0}, 0.0)));
  }
  for (int i : loaded) {
    const MapSource& s = catalog.sources[static_cast<size_t>(i)];
    if (finest_m < 0.5 * s.frame.gsd_m) {
      CV_LOG_WARN("{}: views reach {:.2f} m/px on a {:.2f} m/px map; upsampling beyond 2x only adds blur", s.file,
                  finest_m, s.frame.gsd_m);
    }
  }
}

}  // namespace

std::string SynthGeneratorVersion() { return CROSSVIEW_SYNTH_VERSION; }

std::string IrSynthSummary::OneLine() const {
  std::ostringstream os;
  os.setf(std::ios::fixed);
  os.precision(1);
  os << "synth ir " << preset << " (" << layout << ", seed " << seed << "): " << train_targets << " train + "
     << validation_targets << " val + " << test_targets << " test targets, " << distractors << " distractors, "
     << files << " images (" << renders << " renders, " << (bytes / 1048576.0) << " MB) in " << seconds << " s";
  if (!skipped.empty()) os << ", " << skipped.size() << " skipped";
  os << " -> " << out_dir;
  return os.str();
}

std::string IrSynthSummary::ToJson() const {
  nlohmann::ordered_json j{{"out", out_dir},
                           {"preset", preset},
                           {"layout", layout},
                           {"seed", seed},
                           {"targets", {{"train", train_targets}, {"validation", validation_targets}, {"test", test_targets}}},
                           {"distractors", distractors},
                           {"distractors_requested", distractors_requested},
                           {"renders", renders},
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

IrSynthSummary GenerateIrDataset(const IrSynthOptions& o, const SynthRunOptions& run) {
  const Clock::time_point t0 = Clock::now();
  o.Check();
  const fs::path out = CheckSynthOutputDir(run.out_dir, run.overwrite);
  const int jobs = ResolveJobs(run.jobs);
  std::ostringstream log;
  log << "crossview synth ir, started " << LocalTimeText() << "\nout: " << out.string() << "\njobs: " << jobs
      << "\ncache: " << SynthCacheDir(run).string() << "\n";

  // 1. Maps.
  const SynthCatalog catalog = MakeCatalog(o, run);
  std::vector<LoadedMap> maps(catalog.sources.size());
  const std::vector<int> needed = NeededSources(o, catalog);
  ParallelFor(static_cast<int64_t>(needed.size()), jobs, [&](int64_t i) {
    const MapSource& s = catalog.sources[static_cast<size_t>(needed[static_cast<size_t>(i)])];
    maps[static_cast<size_t>(needed[static_cast<size_t>(i)])] = WithContext("source", s.file, [&] { return LoadMapSource(s); });
  });
  const double t_load = SecondsSince(t0);

  // 2. Targets and jobs.
  const IrPlan plan = PlanIrTargets(o, catalog, maps, jobs);
  IrSynthSummary summary;
  for (size_t fi = 0; fi < catalog.families.size(); ++fi) {
    const FamilyPlan& fp = plan.families[fi];
    if (!fp.skipped_reason.empty()) summary.skipped.push_back(catalog.families[fi].name + ": " + fp.skipped_reason);
    summary.rejections.featureless += fp.rejections.featureless;
    summary.rejections.duplicate += fp.rejections.duplicate;
    summary.rejections.out_of_map += fp.rejections.out_of_map;
    summary.rejections.redraws += fp.rejections.redraws;
  }
  for (const std::string& s : summary.skipped) CV_LOG_INFO("skipped {}", s);
  if (plan.Count("train") + plan.Count("validation") + plan.Count("test") == 0) {
    std::string reasons;
    for (const std::string& s : summary.skipped) reasons += (reasons.empty() ? "" : "; ") + s;
    throw CV_ERROR(InvalidArgumentError, "no target fits in any map").With("skipped", reasons)
        .Hint("use larger maps, or a preset whose views reach less far");
  }
  if (plan.Count("distractor") < plan.distractors_requested) {
    CV_LOG_WARN("only {} of {} distractor tiles fit", plan.Count("distractor"), plan.distractors_requested);
  }
  WarnAboutUpsampling(o, catalog, plan, needed);
  if ((o.cross_test_set && !WritesCrossTestSet(o)) || (o.occlusion_test_set && !WritesOcclusionTestSet(o))) {
    CV_LOG_INFO("the cross and occlusion test sets are written for the University-1652 layouts only (cross: "
                "temporal = same only)");
  }
  const std::vector<ImageJob> image_jobs = BuildIrJobs(o, catalog, plan);
  const double t_plan = SecondsSince(t0);

  // 3. Render into a staging folder beside the target.
  AtomicPath staging(out);
  EnsureDirectory(staging.temp_path());
  std::set<fs::path> dirs;
  for (const ImageJob& j : image_jobs) {
    for (const auto* paths : {&j.clean_paths, &j.occluded_paths}) {
      for (const std::string& p : *paths) dirs.insert(staging.temp_path() / fs::path(p).parent_path());
    }
  }
  for (const fs::path& d : dirs) EnsureDirectory(d);
  std::vector<RenderedJob> rendered(image_jobs.size());
  ProgressBar::Options bar_options;
  bar_options.enabled_auto = run.progress;
  ProgressBar bar(static_cast<int64_t>(image_jobs.size()), "synth ir", bar_options);
  std::mutex bar_mutex;
  ParallelFor(static_cast<int64_t>(image_jobs.size()), jobs, [&](int64_t i) {
    const ImageJob& job = image_jobs[static_cast<size_t>(i)];
    rendered[static_cast<size_t>(i)] =
        WithContext("image", job.key, [&] { return RenderJob(o, catalog, maps, plan, job, staging.temp_path()); });
    std::lock_guard<std::mutex> lock(bar_mutex);
    bar.Add(1);
  });
  bar.Finish();
  const double t_render = SecondsSince(t0);

  // 4. Contact sheet, manifest (once, at the end), log; then commit the folder.
  WriteContactSheet(o, catalog, plan, image_jobs, staging.temp_path());
  const std::string version = SynthGeneratorVersion();
  WriteFileAtomic(staging.temp_path() / kManifestFile,
                  IrManifestText({o, version, catalog, maps, plan, image_jobs, rendered}));

  summary.out_dir = out.string();
  summary.preset = o.preset;
  summary.layout = IrLayoutName(o.layout);
  summary.seed = o.seed;
  summary.train_targets = plan.Count("train");
  summary.validation_targets = plan.Count("validation");
  summary.test_targets = plan.Count("test");
  summary.distractors = plan.Count("distractor");
  summary.distractors_requested = plan.distractors_requested;
  summary.renders = static_cast<int64_t>(image_jobs.size());
  for (size_t j = 0; j < image_jobs.size(); ++j) {
    summary.files += static_cast<int64_t>(image_jobs[j].clean_paths.size() + image_jobs[j].occluded_paths.size());
    summary.bytes += rendered[j].clean_bytes + rendered[j].occluded_bytes;
  }
  summary.jobs = jobs;
  summary.seconds = SecondsSince(t0);
  log.setf(std::ios::fixed);
  log.precision(2);
  log << "load maps: " << t_load << " s\nplan targets: " << (t_plan - t_load) << " s\nrender: " << (t_render - t_plan)
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

// crossview locate --index IDX --image IMG [--top-k 5] [--prior LAT,LON,RADIUS_M] [--refine drl --drl-checkpoint D]
//                  [--heatmap OUT.png] [--json] [--device D]
// crossview locate --index IDX --sequence DIR|VIDEO --out DIR [--truth CSV] [--track-radius-m R] [--recovery-confidence C] ...
#include <filesystem>
#include <iostream>
#include <optional>
#include <nlohmann/json.hpp>

#include "crossview/cli/command.h"
#include "crossview/cli/common_flags.h"
#include "crossview/data/image_io.h"
#include "crossview/pipeline/frame_source.h"
#include "crossview/pipeline/locator.h"
#include "crossview/pipeline/track.h"
#include "crossview/pipeline/track_io.h"
#include "crossview/util/errors.h"

namespace crossview::cli {

int RunLocate(int argc, char** argv) {
  CLI::App app("Locate a drone image (or a flight) on an indexed map: top-k tiles, optional DRL refinement, tracking.",
               "crossview locate");
  CommonFlags common;
  AddCommonFlags(app, &common);
  pipeline::LocatorOptions lo;
  pipeline::LocateOptions o;
  pipeline::TrackOptions to;
  std::string image, sequence, refine = "none", heatmap, out, truth;
  std::vector<double> prior;
  int every = 1;
  bool json = false;
  app.add_option("--index", lo.index, "index directory ('crossview index build')")->required();
  auto* image_opt = app.add_option("--image", image, "the drone image (JPEG, PNG, TIFF)");
  auto* seq_opt = app.add_option("--sequence", sequence, "a flight: a directory of frames (sorted by name) or a video file");
  image_opt->excludes(seq_opt);
  app.add_option("--top-k", o.top_k, "tiles to report")->capture_default_str();
  app.add_option("--prior", prior, "search only tiles within RADIUS_M of LAT,LON (write --prior=... when LAT is negative)")
      ->delimiter(',')
      ->expected(3)
      ->type_name("LAT,LON,RADIUS_M");
  app.add_option("--refine", refine, "none | drl: refine the best tiles with a DRL model")->capture_default_str()->check(CLI::IsMember({"none", "drl"}));
  app.add_option("--drl-checkpoint", lo.drl_checkpoint, "DRL model directory (drl_model.json + drl_model.pt)");
  app.add_option("--refine-window-m", o.refine_options.window_m, "DRL search window side in metres (default: two tile sides)");
  app.add_option("--refine-candidates", o.refine_options.candidates, "search windows around the best N tiles")->capture_default_str();
  app.add_option("--heatmap", heatmap, "write the DRL heatmap over its search window as a picture (PNG/JPEG)");
  std::string heatmaps, headings;
  std::optional<double> heading;
  app.add_option("--heading", heading, "--image: the camera heading in degrees clockwise from north (compass); the query is turned north-up");
  app.add_option("--headings", headings, "--sequence: CSV with columns frame and heading_deg (or yaw_deg) giving each frame's compass heading");
  app.add_option("--heatmaps", heatmaps, "--sequence --refine drl: write each frame's DRL heatmap as DIR/<frame>.jpg");
  app.add_option("--checkpoint", lo.checkpoint, "retrieval model (default: the one recorded in the index; must match it)");
  app.add_option("--map", lo.map, "the index's map at a new location (must be the same file)");
  AddDeviceFlag(app, &lo.device);
  app.add_option("--out", out, "--sequence: directory for track.geojson, track.csv and summary.json");
  app.add_option("--truth", truth, "--sequence: CSV with columns frame,lat,lon for per-frame errors");
  app.add_option("--track-radius-m", to.radius_m, "--sequence: search radius around the previous fix")->capture_default_str();
  app.add_option("--recovery-confidence", to.recovery_confidence, "--sequence: below this confidence, search the whole index")
      ->capture_default_str();
  app.add_option("--every", every, "--sequence: use every N-th frame")->capture_default_str();
  app.add_flag("--json", json, "print JSON on stdout");

  return RunCommand(app, argc, argv, [&] {
    common.Apply();
    if (image.empty() && sequence.empty()) throw CV_ERROR(InvalidArgumentError, "nothing to locate").Hint("pass --image IMG or --sequence DIR|VIDEO");
    if (!prior.empty()) o.prior = pipeline::SearchPrior{{prior[0], prior[1]}, prior[2]};
    o.refine = refine == "drl";
    if (heading && !sequence.empty()) throw CV_ERROR(InvalidArgumentError, "--heading is for one --image").Hint("give a flight's headings with --headings FILE");
    if (!headings.empty() && sequence.empty()) throw CV_ERROR(InvalidArgumentError, "--headings is for --sequence").Hint("give one image's heading with --heading DEG");
    o.heading_deg = heading;
    if (o.refine && lo.drl_checkpoint.empty()) throw CV_ERROR(InvalidArgumentError, "--refine drl needs --drl-checkpoint DIR");
    if (!o.refine) lo.drl_checkpoint.clear();
    if (!heatmap.empty() && (!o.refine || !sequence.empty())) {
      throw CV_ERROR(InvalidArgumentError, "--heatmap needs --refine drl and a single --image");
    }
    o.Check();
    pipeline::Locator locator = pipeline::Locator::Open(lo);
    if (!image.empty()) {
      const pipeline::LocateResult r = locator.Locate(data::LoadImageRgb(image), o);
      if (!heatmap.empty()) pipeline::WriteHeatmapPicture(heatmap, *r.refined);
      std::cout << (json ? pipeline::ToJson(r).dump(2) : pipeline::FormatLocateText(r)) << "\n";
      return;
    }
    if (out.empty()) throw CV_ERROR(InvalidArgumentError, "--sequence needs --out DIR for the track files");
    to.initial_prior = o.prior;
    if (!headings.empty()) to.headings_deg = pipeline::ReadHeadingCsv(headings);
    o.prior.reset();
    to.Check();
    auto frames = pipeline::OpenFrameSource(sequence, every);
    if (!heatmaps.empty() && !o.refine) throw CV_ERROR(InvalidArgumentError, "--heatmaps needs --refine drl");
    if (!heatmaps.empty()) std::filesystem::create_directories(heatmaps);
    auto on_frame = [&](pipeline::TrackFrame& f) {
      if (!f.result.refined) return;
      if (!heatmaps.empty()) {
        pipeline::WriteHeatmapPicture(std::filesystem::path(heatmaps) / (std::filesystem::path(f.name).stem().string() + ".jpg"), *f.result.refined);
      }
      f.result.refined->search_map_rgb.release();  // the track keeps numbers, not pictures
      f.result.refined->probability.release();
    };
    pipeline::Track track = pipeline::LocateSequence(locator, *frames, o, to, true, on_frame);
    if (!truth.empty()) {
      const int matched = pipeline::AttachTruth(&track, pipeline::ReadTruthCsv(truth));
      if (matched == 0) throw CV_ERROR(InvalidArgumentError, "no frame of the sequence appears in the truth CSV").With("truth", truth);
    }
    const nlohmann::json effective = {{"index", lo.index}, {"sequence", sequence}, {"every", every}, {"truth", truth},
                                      {"locate", pipeline::ToJson(o)}, {"track", pipeline::ToJson(to)}};
    pipeline::WriteTrack(out, track, effective);
    const nlohmann::json summary = pipeline::TrackSummary(track, effective);
    if (json) {
      std::cout << summary.dump(2) << "\n";
      return;
    }
    std::cout << "tracked " << track.frames.size() << " frames (" << summary["modes"]["prior"] << " in the prior circle, "
              << summary["modes"]["recovery"] << " recoveries, " << summary["modes"]["full"] << " full searches) -> " << out << "\n";
    if (!summary["errors"].is_null()) {
      const auto& e = summary["errors"];
      std::cout << "error over " << e["n"] << " frames: mean " << e["mean_m"].get<double>() << " m, median " << e["median_m"].get<double>()
                << " m, p90 " << e["p90_m"].get<double>() << " m, within 25 m " << e["within_25m"].get<double>() << ", within 50 m "
                << e["within_50m"].get<double>() << "\n";
    }
  });
}

}  // namespace crossview::cli

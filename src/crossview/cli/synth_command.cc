// crossview synth ir ... — synthetic benchmark datasets rendered from real orthophotos.
//
// One function pair per subcommand: Add<Name>(app, flags) declares its flags, Run<Name>(flags)
// fills the library's options struct and calls it. Flags only parse; presets, defaults and
// validation live in the library (data/ir_options.h).
#include <cmath>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "crossview/cli/command.h"
#include "crossview/cli/common_flags.h"
#include "crossview/data/ir_synth.h"
#include "crossview/util/errors.h"
#include "crossview/util/log.h"

namespace crossview::cli {
namespace {

// Flags shared by the dataset subcommands.
struct DatasetFlags {
  std::string preset = "tiny";
  std::string out;
  uint64_t seed = 0;
  std::vector<std::string> sources;
  double gsd_m = 0.0;
  std::string anchor;  // "LAT,LON"
  std::string cache;
  int jobs = 0;
  bool overwrite = false;
  bool json = false;
};

void AddDatasetFlags(CLI::App* cmd, DatasetFlags* f) {
  cmd->add_option("--preset", f->preset, "tiny (unit tests), ci or full (docs/data.md)")->capture_default_str();
  cmd->add_option("--out", f->out, "output directory (must not exist or be empty, unless --overwrite)")->required();
  cmd->add_option("--seed", f->seed, "random seed; the same seed gives byte-identical datasets")->capture_default_str();
  cmd->add_option("--source", f->sources,
                  "your own orthophoto(s) instead of the FlightGear textures: a GeoTIFF, a PNG/JPEG with --gsd-m, "
                  "or a directory of them (repeatable)");
  cmd->add_option("--gsd-m", f->gsd_m, "metres per pixel of a --source image without a georeference");
  cmd->add_option("--anchor", f->anchor, "LAT,LON of the centre of a plain --source image (default: docs/data.md)");
  cmd->add_option("--cache", f->cache, "aerial imagery cache (default: $CROSSVIEW_DATA or ~/.cache/crossview/aerial)");
  cmd->add_option("-j,--jobs", f->jobs, "worker threads (0 = all cores); the output does not depend on it")
      ->capture_default_str();
  cmd->add_flag("--overwrite", f->overwrite, "replace a non-empty --out once the new dataset is complete");
  cmd->add_flag("--json", f->json, "print the summary as JSON on stdout");
}

geo::LatLonDeg ParseAnchor(const std::string& text) {
  std::istringstream in(text);
  geo::LatLonDeg ll;
  char comma = 0;
  if (!(in >> ll.lat_deg >> comma >> ll.lon_deg) || comma != ',' || !in.eof() || std::abs(ll.lat_deg) > 90.0 ||
      std::abs(ll.lon_deg) > 180.0) {
    throw CV_ERROR(InvalidArgumentError, "--anchor must be LAT,LON in degrees").With("anchor", text);
  }
  return ll;
}

// The options of the dataset flags common to every subcommand's options struct.
template <typename Options>
void ApplyDatasetFlags(const DatasetFlags& f, Options* o, data::SynthRunOptions* run) {
  o->seed = f.seed;
  for (const std::string& s : f.sources) o->source.files.emplace_back(s);
  o->source.gsd_m = f.gsd_m;
  if (!f.anchor.empty()) o->source.anchor = ParseAnchor(f.anchor);
  run->out_dir = f.out;
  run->cache_dir = f.cache;
  run->jobs = f.jobs;
  run->overwrite = f.overwrite;
}

// --- synth ir ---------------------------------------------------------------------------------

struct IrFlags {
  DatasetFlags dataset;
  std::string layout = "university1652";
  std::string temporal;  // empty: multi for the multitemporal layout, same otherwise
  std::string photometric = "on";
};

CLI::App* AddIr(CLI::App& app, IrFlags* f) {
  CLI::App* cmd = app.add_subcommand(
      "ir", "image-retrieval dataset (University-1652, SUES-200 or multitemporal layout) with manifest.json");
  AddDatasetFlags(cmd, &f->dataset);
  cmd->add_option("--layout", f->layout, "university1652, sues200 or multitemporal")->capture_default_str();
  cmd->add_option("--temporal", f->temporal,
                  "same (default), cross (tiles from another recolour) or multi (every recolour; the default "
                  "of --layout multitemporal)");
  cmd->add_option("--photometric", f->photometric, "on (default ranges, data.md 3.9) or off")->capture_default_str();
  return cmd;
}

void RunIr(const IrFlags& f, bool quiet) {
  data::IrSynthOptions o = data::IrPreset(f.dataset.preset);
  o.layout = data::ParseIrLayout(f.layout);
  if (!f.temporal.empty()) {
    o.temporal = data::ParseTemporalMode(f.temporal);
  } else if (o.layout == data::IrLayout::kMultitemporal) {
    o.temporal = data::TemporalMode::kMulti;
  }
  if (f.photometric == "off") {
    o.drone_photometric = o.satellite_photometric = data::PhotometricOptions::Off();
  } else if (f.photometric != "on") {
    throw CV_ERROR(InvalidArgumentError, "--photometric must be on or off").With("value", f.photometric);
  }
  data::SynthRunOptions run;
  ApplyDatasetFlags(f.dataset, &o, &run);
  if (o.source.enabled()) {
    // The preset's FlightGear family lists do not apply: each source file is split into halves.
    o.train_families.clear();
    o.validation_families.clear();
    o.test_families.clear();
  }
  run.progress = !quiet;
  const data::IrSynthSummary summary = data::GenerateIrDataset(o, run);
  CV_LOG_INFO("{}", summary.OneLine());
  if (f.dataset.json) std::cout << summary.ToJson() << "\n";
}

}  // namespace

int RunSynth(int argc, char** argv) {
  CLI::App app("Synthesise benchmark datasets from real orthophotos (the FlightGear textures, or your own with "
               "--source). Drone views are rendered from the same orthophotos as the satellite views under a "
               "flat-ground model; see docs/data.md for what results on them can and cannot claim.",
               "crossview synth");
  app.require_subcommand(1);
  app.fallthrough();  // --quiet / --log-level also after the subcommand
  CommonFlags common;
  AddCommonFlags(app, &common);
  IrFlags ir;
  CLI::App* ir_cmd = AddIr(app, &ir);
  return RunCommand(app, argc, argv, [&] {
    common.Apply();
    if (ir_cmd->parsed()) RunIr(ir, common.quiet);
  });
}

}  // namespace crossview::cli

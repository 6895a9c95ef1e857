// crossview synth ir|drl|map ... — synthetic benchmark datasets and maps rendered from real
// orthophotos.
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
#include "crossview/data/drl_synth.h"
#include "crossview/data/ir_synth.h"
#include "crossview/data/map_synth.h"
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

// Parses --photometric on|off into `options` (off disables every effect).
void ApplyPhotometricFlag(const std::string& value, std::vector<data::PhotometricOptions*> options) {
  if (value == "off") {
    for (data::PhotometricOptions* p : options) *p = data::PhotometricOptions::Off();
  } else if (value != "on") {
    throw CV_ERROR(InvalidArgumentError, "--photometric must be on or off").With("value", value);
  }
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
  ApplyPhotometricFlag(f.photometric, {&o.drone_photometric, &o.satellite_photometric});
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

// --- synth drl --------------------------------------------------------------------------------

struct DrlFlags {
  DatasetFlags dataset;
  std::string photometric = "on";
};

CLI::App* AddDrl(CLI::App& app, DrlFlags* f) {
  CLI::App* cmd = app.add_subcommand(
      "drl", "drone referring localisation dataset in the UL14 layout (UAV views, search maps, labels.json, "
             "GPS_info.json) with manifest.json");
  AddDatasetFlags(cmd, &f->dataset);
  cmd->add_option("--photometric", f->photometric, "on (default ranges, data.md 3.9) or off")->capture_default_str();
  return cmd;
}

void RunDrl(const DrlFlags& f, bool quiet) {
  data::DrlSynthOptions o = data::DrlPreset(f.dataset.preset);
  ApplyPhotometricFlag(f.photometric, {&o.uav_photometric, &o.satellite_photometric});
  data::SynthRunOptions run;
  ApplyDatasetFlags(f.dataset, &o, &run);
  run.progress = !quiet;
  const data::DrlSynthSummary summary = data::GenerateDrlDataset(o, run);
  CV_LOG_INFO("{}", summary.OneLine());
  if (f.dataset.json) std::cout << summary.ToJson() << "\n";
}

// --- synth map --------------------------------------------------------------------------------

struct MapFlags {
  data::MapSynthOptions options;  // flags write straight into it: the defaults are its own
  std::string out;
  std::string anchor;
  std::string flight_dir;
  std::string photometric = "on";
  std::string cache;
  int jobs = 0;
  bool overwrite = false;
  bool json = false;
};

CLI::App* AddMap(CLI::App& app, MapFlags* f) {
  CLI::App* cmd = app.add_subcommand(
      "map", "a georeferenced GeoTIFF mosaic of real textures (north-up, EPSG:4326), optionally with a simulated "
             "drone flight over it (frames, truth.csv, flight.json)");
  data::MapMosaicOptions& m = f->options.mosaic;
  data::FlightOptions& fl = f->options.flight;
  cmd->add_option("--out", f->out, "the GeoTIFF to write (its placement record goes beside it as <stem>.json)")
      ->required();
  cmd->add_option("--textures", m.textures, "textures.tsv names, comma-separated, placed row by row from the north-west")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--columns", m.columns, "grid columns (0 = ceil(sqrt(n)))")->capture_default_str();
  cmd->add_option("--tile-m", m.tile_side_m, "ground side of each texture's cell, metres")->capture_default_str();
  cmd->add_option("--gsd-m", m.gsd_m, "metres per pixel of the mosaic")->capture_default_str();
  cmd->add_option("--anchor", f->anchor, "LAT,LON of the mosaic centre (default 40.25,-30.5: open sea)");
  cmd->add_option("--seed", f->options.seed, "seed of the flight path and photometric draws")->capture_default_str();
  cmd->add_option("--flight", f->flight_dir, "also simulate a flight over the map and write it to this directory");
  cmd->add_option("--frames", fl.frames, "flight frames")->capture_default_str();
  cmd->add_option("--height-m", fl.height_m, "flight height above ground, metres")->capture_default_str();
  cmd->add_option("--tilt-deg", fl.tilt_deg, "camera tilt forward from nadir, degrees (0 = nadir)")->capture_default_str();
  cmd->add_option("--hfov-deg", fl.hfov_deg, "camera horizontal field of view, degrees")->capture_default_str();
  cmd->add_option("--size-px", fl.size_px, "frame width and height, pixels")->capture_default_str();
  cmd->add_option("--waypoints", fl.waypoints, "waypoints of the smooth path")->capture_default_str();
  cmd->add_option("--photometric", f->photometric, "frame effects: on (default ranges, data.md 3.9) or off")
      ->capture_default_str();
  cmd->add_option("--cache", f->cache, "aerial imagery cache (default: $CROSSVIEW_DATA or ~/.cache/crossview/aerial)");
  cmd->add_option("-j,--jobs", f->jobs, "worker threads (0 = all cores); the output does not depend on it")
      ->capture_default_str();
  cmd->add_flag("--overwrite", f->overwrite, "replace existing outputs once the new ones are complete");
  cmd->add_flag("--json", f->json, "print the summary as JSON on stdout");
  return cmd;
}

void RunMap(MapFlags& f) {
  data::MapSynthOptions& o = f.options;
  if (!f.anchor.empty()) o.mosaic.anchor = ParseAnchor(f.anchor);
  ApplyPhotometricFlag(f.photometric, {&o.flight.photometric});
  data::MapRunOptions run;
  run.out_file = f.out;
  run.flight_dir = f.flight_dir;
  run.cache_dir = f.cache;
  run.jobs = f.jobs;
  run.overwrite = f.overwrite;
  const data::MapSynthSummary summary = data::GenerateMap(o, run);
  CV_LOG_INFO("{}", summary.OneLine());
  if (f.json) std::cout << summary.ToJson() << "\n";
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
  DrlFlags drl;
  CLI::App* drl_cmd = AddDrl(app, &drl);
  MapFlags map;
  CLI::App* map_cmd = AddMap(app, &map);
  return RunCommand(app, argc, argv, [&] {
    common.Apply();
    if (ir_cmd->parsed()) RunIr(ir, common.quiet);
    if (drl_cmd->parsed()) RunDrl(drl, common.quiet);
    if (map_cmd->parsed()) RunMap(map);
  });
}

}  // namespace crossview::cli

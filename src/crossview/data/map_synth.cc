#include "crossview/data/map_synth.h"

#include <sstream>

#include <nlohmann/json.hpp>

#include "crossview/data/synth_run.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"
#include "crossview/util/parallel.h"
#include "crossview/util/paths.h"

namespace crossview::data {

namespace fs = std::filesystem;

void MapSynthOptions::Check() const {
  mosaic.Check();
  flight.Check();
}

std::string MapSynthSummary::OneLine() const {
  std::ostringstream os;
  os.setf(std::ios::fixed);
  os.precision(2);
  os << "synth map: " << width_px << " x " << height_px << " px at " << gsd_m << " m/px (" << (width_px * gsd_m / 1000.0)
     << " x " << (height_px * gsd_m / 1000.0) << " km, " << tiles << " textures) centred on " << anchor.lat_deg << ", "
     << anchor.lon_deg << " -> " << out_file;
  if (!flight_dir.empty()) os << "; flight: " << frames << " frames over " << (path_length_m / 1000.0) << " km -> " << flight_dir;
  os.precision(1);
  os << " (" << seconds << " s)";
  return os.str();
}

std::string MapSynthSummary::ToJson() const {
  nlohmann::ordered_json j{{"out", out_file},
                           {"sidecar", sidecar},
                           {"sha256", sha256},
                           {"size_px", {width_px, height_px}},
                           {"gsd_m", gsd_m},
                           {"anchor_lat_lon_deg", {anchor.lat_deg, anchor.lon_deg}},
                           {"tiles", tiles},
                           {"flight", flight_dir.empty() ? nlohmann::ordered_json(nullptr)
                                                         : nlohmann::ordered_json{{"dir", flight_dir},
                                                                                  {"frames", frames},
                                                                                  {"path_length_m", path_length_m}}},
                           {"seconds", seconds},
                           {"jobs", jobs}};
  return j.dump();
}

MapSynthSummary GenerateMap(const MapSynthOptions& o, const MapRunOptions& run) {
  const SynthClock::time_point t0 = SynthClock::now();
  o.Check();
  const fs::path out = CheckSynthOutputFile(run.out_file, run.overwrite);
  CheckSynthOutputFile(MapSidecarPath(out), run.overwrite);
  const bool flight = !run.flight_dir.empty();
  const fs::path flight_dir = flight ? CheckSynthOutputDir(run.flight_dir, run.overwrite) : fs::path();
  const int jobs = ResolveJobs(run.jobs);
  const fs::path cache = run.cache_dir.empty() ? AerialCacheDir() : run.cache_dir;

  const MapMosaic mosaic = BuildMapMosaic(o.mosaic, ReadCachedTextureTable(cache), cache, jobs);
  MapSynthSummary s;
  FlightPath path;
  std::unique_ptr<AtomicPath> staging;
  if (flight) {  // planned before anything is written: a path that cannot fit fails the run
    path = PlanFlightPath(o.flight, mosaic.frame, o.seed);
    staging = std::make_unique<AtomicPath>(flight_dir);
    EnsureDirectory(staging->temp_path());
  }
  if (out.has_parent_path()) EnsureDirectory(out.parent_path());
  s.sha256 = WriteMapMosaic(mosaic, o.mosaic, out);
  if (flight) {
    WriteFlight(o.flight, o.seed, path, mosaic, out.filename().string(), s.sha256, staging->temp_path(), jobs);
    FlushFilesystem(staging->temp_path());
    staging->Commit();
    s.flight_dir = flight_dir.string();
    s.frames = static_cast<int>(path.frames.size());
    s.path_length_m = path.length_m;
  }
  s.out_file = out.string();
  s.sidecar = MapSidecarPath(out).string();
  s.width_px = mosaic.frame.width_px;
  s.height_px = mosaic.frame.height_px;
  s.gsd_m = mosaic.frame.gsd_m;
  s.anchor = mosaic.anchor;
  s.tiles = static_cast<int>(mosaic.tiles.size());
  s.jobs = jobs;
  s.seconds = SecondsSince(t0);
  return s;
}

}  // namespace crossview::data

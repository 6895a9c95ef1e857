// crossview drl locate --checkpoint C --uav IMG --map MAP --out DIR [--hanning R] [--truth LAT,LON] [--device D] [--json]
// One Drone Referring Localisation query on any satellite image: the whole map is the search
// image (resized to the model's satellite size); prints the heatmap peak as map row/col, as
// latitude/longitude when the map is georeferenced, and its score; writes result.json and a
// heatmap picture into DIR.
#include <cmath>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "crossview/cli/command.h"
#include "crossview/cli/common_flags.h"
#include "crossview/data/image_io.h"
#include "crossview/eval/drl_metrics.h"
#include "crossview/geo/raster.h"
#include "crossview/pipeline/drl_refiner.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"

namespace crossview::cli {

namespace {

constexpr int64_t kMaxMapPixels = 120'000'000;

struct DrlLocateFlags {
  std::string checkpoint, uav, map, out, device = "auto";
  int hanning = 0;
  std::vector<double> truth;
  bool json = false;
};

void DrlLocate(const DrlLocateFlags& f) {
  geo::GeoRasterOptions ro;
  ro.allow_missing_georeference = true;
  geo::GeoRaster map = geo::GeoRaster::Open(f.map, ro);
  if (static_cast<int64_t>(map.width_px()) * map.height_px() > kMaxMapPixels) {
    throw CV_ERROR(InvalidArgumentError, "the search map is too large for one DRL query").With("map", f.map).With("width_px", map.width_px())
        .With("height_px", map.height_px()).Hint("crop it around the expected position (the model sees it at its satellite size anyway), or use 'crossview locate --refine drl' on an index");
  }
  if (!f.truth.empty() && !map.has_georeference()) {
    throw CV_ERROR(InvalidArgumentError, "--truth needs a georeferenced map").With("map", f.map);
  }
  geo::RgbImage img = map.ReadRgb({0, 0, map.width_px(), map.height_px()});
  cv::Mat map_rgb(img.height_px, img.width_px, CV_8UC3, img.pixels.data());
  cv::Mat query = data::LoadImageRgb(f.uav);
  pipeline::DrlRefiner refiner = pipeline::DrlRefiner::Load(f.checkpoint, f.device);
  pipeline::RefineResult r = refiner.LocateInImage(map_rgb, query, f.hanning);
  const geo::PixelColRow px = pipeline::MapPixelFromSearchPixel(r.window, r.peak_rc, r.input_size);
  nlohmann::json j = {{"uav", f.uav},
                      {"map", f.map},
                      {"map_size_px", {map.width_px(), map.height_px()}},
                      {"input_size", r.input_size},
                      {"peak_rc_input", {r.peak_rc.row, r.peak_rc.col}},
                      {"row", px.row},
                      {"col", px.col},
                      {"peak", r.peak},
                      {"hanning_size", f.hanning > 0 ? f.hanning : refiner.hanning_size()},
                      {"model", refiner.identity()},
                      {"lat", nullptr},
                      {"lon", nullptr}};
  if (map.has_georeference()) {
    const geo::LatLonDeg ll = pipeline::LatLonFromSearchPixel(map, r.window, r.peak_rc, r.input_size);
    j["lat"] = ll.lat_deg;
    j["lon"] = ll.lon_deg;
    j["spread_m"] = pipeline::HeatmapSpreadM(r.probability, r.peak_rc, r.input_size, map.width_px() * map.pixel_width_m(),
                                             map.height_px() * map.pixel_height_m());
    if (!f.truth.empty()) {
      j["truth"] = {{"lat", f.truth[0]}, {"lon", f.truth[1]}};
      j["error_m"] = eval::DrlHaversineM(ll.lat_deg, ll.lon_deg, f.truth[0], f.truth[1]);
    }
  }
  EnsureDirectory(f.out);
  pipeline::WriteHeatmapPicture(std::filesystem::path(f.out) / "heatmap.png", r);
  j["heatmap_png"] = (std::filesystem::path(f.out) / "heatmap.png").string();
  WriteFileAtomic(std::filesystem::path(f.out) / "result.json", j.dump(2) + "\n");
  if (f.json) {
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::cout << std::fixed << std::setprecision(1) << "peak at map row " << px.row << ", col " << px.col << " (of " << map.width_px() << "×"
            << map.height_px() << " px)";
  if (!j["lat"].is_null()) std::cout << std::setprecision(7) << "  lat " << j["lat"].get<double>() << ", lon " << j["lon"].get<double>();
  std::cout << std::setprecision(3) << "  peak score " << r.peak << "\n";
  if (j.contains("error_m")) std::cout << std::setprecision(1) << "error vs --truth: " << j["error_m"].get<double>() << " m\n";
  std::cout << "heatmap and result.json in " << f.out << "\n";
}

}  // namespace

int RunDrl(int argc, char** argv) {
  CLI::App app("Drone Referring Localisation: where in a satellite image is this UAV view?", "crossview drl");
  app.require_subcommand(1);
  CommonFlags common;
  AddCommonFlags(app, &common);
  DrlLocateFlags f;
  CLI::App* locate = app.add_subcommand("locate", "one UAV image on one satellite image (GeoTIFF or plain picture): heatmap peak, row/col, lat/lon");
  locate->add_option("--checkpoint,--model", f.checkpoint, "DRL model directory (drl_model.json + drl_model.pt) or the paper checkpoint (.pth)")->required();
  locate->add_option("--uav", f.uav, "the UAV image (JPEG/PNG/TIFF)")->required();
  locate->add_option("--map", f.map, "the satellite search image: a georeferenced raster gives lat/lon, a plain picture row/col only")->required();
  locate->add_option("--out", f.out, "directory for result.json and heatmap.png")->required();
  locate->add_option("--hanning", f.hanning, "Hanning smoothing size R (default: the model's)");
  locate->add_option("--truth", f.truth, "true LAT,LON: also print the error in metres")->delimiter(',')->expected(2)->type_name("LAT,LON");
  AddDeviceFlag(*locate, &f.device);
  locate->add_flag("--json", f.json, "print the result JSON on stdout");
  return RunCommand(app, argc, argv, [&] {
    common.Apply();
    DrlLocate(f);
  });
}

}  // namespace crossview::cli

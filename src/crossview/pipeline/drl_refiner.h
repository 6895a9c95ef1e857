// Refining a retrieval answer with Drone Referring Localization (drl.md §1, §8): crop a north-up
// search window of the map around a candidate position, run the DRL model on (query, window),
// and turn the heatmap peak into latitude/longitude.
//
// Preprocessing as in DRL evaluation: the query resized to the model's UAV size and the window to
// its satellite size S (PIL bicubic), RGB in [0, 1] without normalisation. Post-processing:
// sigmoid, Hanning smoothing, first maximum (eval::LocalisePeak) → input pixel (r, c). Geometry
// (§1.2, no half-pixel offset): input pixel (r, c) is the map position
//   col = col_off + c · width_px / S,   row = row_off + r · height_px / S
// which goes to WGS 84 through the map's own georeference (for an EPSG:4326 map this equals the
// §1.2 corner formula; for a projected map it is the exact version of it).
//
// Heatmap spread, the refined position's uncertainty: with p the sigmoid heatmap at the model's
// output resolution and weights w = max(p − mean(p), 0), the w-weighted RMS ground distance of the
// heatmap pixels from the peak, in metres (half the window diagonal for a flat heatmap).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "crossview/eval/drl_metrics.h"
#include "crossview/geo/raster.h"
#include "crossview/train/drl_trainer.h"

namespace crossview::pipeline {

struct RefineOptions {
  double window_m = 0.0;  // side of the square search window in metres; 0 = two tile sides
  int candidates = 1;     // search around the best N tiles and keep the highest peak
  int hanning_size = 0;   // smoothing R; 0 = the model's
  void Check() const;
};

// A window of side_w × side_h pixels centred on `centre` as far as the map allows: shifted to lie
// inside a map_w × map_h map, and shrunk to the map where the map is smaller.
geo::PixelWindow SearchWindowAround(int map_width_px, int map_height_px, geo::PixelColRow centre, int side_width_px, int side_height_px);

// Input pixel (r, c) of the S × S network input → continuous map pixel (see above).
geo::PixelColRow MapPixelFromSearchPixel(const geo::PixelWindow& window, const eval::PixelRc& rc, int input_size);
// … → WGS 84 through `map`'s georeference.
geo::LatLonDeg LatLonFromSearchPixel(const geo::GeoRaster& map, const geo::PixelWindow& window, const eval::PixelRc& rc, int input_size);

// The spread defined above: `probability` is the (H × W) CV_32F sigmoid heatmap, `peak` in S × S
// input pixels, the window covering `window_width_m` × `window_height_m` of ground.
double HeatmapSpreadM(const cv::Mat& probability, const eval::PixelRc& peak, int input_size, double window_width_m, double window_height_m);

struct RefineResult {
  geo::LatLonDeg lat_lon;
  float peak = 0.0f;      // smoothed peak probability
  double spread_m = 0.0;  // heatmap spread
  int candidate = 0;      // which search window won (index into the centres passed in)
  geo::PixelWindow window;
  geo::LatLonDeg window_top_left, window_bottom_right;  // WGS 84 corners of the winning window
  eval::PixelRc peak_rc;  // in input pixels
  int input_size = 0;     // S
  cv::Mat search_map_rgb;  // the winning window at S × S (CV_8UC3)
  cv::Mat probability;     // its sigmoid heatmap, output resolution (CV_32FC1)
};

class DrlRefiner {
 public:
  // Loads drl_model.json + drl_model.pt (train::LoadDrlModel) onto the device.
  static DrlRefiner Load(const std::filesystem::path& dir, const std::string& device = "auto");

  // Searches a window of `window_m` around each of `centres` (map pixels) and returns the one
  // with the highest peak. `query_rgb` is CV_8UC3 RGB of any size.
  RefineResult Refine(const geo::GeoRaster& map, const geo::ReadRgbOptions& read, const cv::Mat& query_rgb,
                      const std::vector<geo::PixelColRow>& centres, double window_m, const RefineOptions& options);

  // One query against one whole search image (any size, resized to S × S): the drone-referring
  // localisation of `crossview drl locate`. The result's window is the whole image; lat_lon and
  // the window corners are left for the caller (the image may have no georeference).
  RefineResult LocateInImage(const cv::Mat& search_rgb, const cv::Mat& query_rgb, int hanning_size = 0);

  int uav_size() const { return model_.uav_size; }
  int satellite_size() const { return model_.satellite_size; }
  int hanning_size() const { return model_.hanning_size; }
  // {"dir", "drl_model_pt_sha256", "uav_size", "satellite_size", "hanning_size"}
  const nlohmann::json& identity() const { return identity_; }

 private:
  DrlRefiner() = default;
  // Sigmoid heatmaps (B, 1, S, S) on the CPU for UAV/satellite images already at model size.
  torch::Tensor Probabilities(const std::vector<cv::Mat>& uavs, const std::vector<cv::Mat>& sats);
  train::StoredDrlModel model_;
  nlohmann::json identity_;
  c10::Device device_{c10::kCPU};
};

// The heatmap over its search window as a picture (eval::HeatmapOverlay: the min–max normalised
// heatmap in a jet colour map blended over the S × S window, a cross at the peak). Written
// atomically, PNG or JPEG by extension.
void WriteHeatmapPicture(const std::filesystem::path& path, const RefineResult& result);

}  // namespace crossview::pipeline

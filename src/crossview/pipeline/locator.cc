#include "crossview/pipeline/locator.h"

#include <chrono>
#include <cmath>
#include <iomanip>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "crossview/geo/distance.h"
#include "crossview/util/errors.h"
#include "crossview/util/sha256.h"

namespace crossview::pipeline {
namespace {

using Clock = std::chrono::steady_clock;
double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

nlohmann::json WindowJson(const geo::PixelWindow& w) {
  return {{"col_off", w.col_off}, {"row_off", w.row_off}, {"width_px", w.width_px}, {"height_px", w.height_px}};
}

bool SameGeotransform(const std::array<double, 6>& a, const std::array<double, 6>& b) {
  for (size_t i = 0; i < 6; ++i) {
    if (std::abs(a[i] - b[i]) > 1e-9 * std::max({1.0, std::abs(a[i]), std::abs(b[i])})) return false;
  }
  return true;
}

}  // namespace

void LocateOptions::Check() const {
  if (top_k < 1) throw CV_ERROR(InvalidArgumentError, "top_k must be at least 1").With("top_k", top_k);
  if (confidence_candidates < 1) throw CV_ERROR(InvalidArgumentError, "confidence_candidates must be at least 1").With("value", confidence_candidates);
  if (prior) prior->Check();
  if (heading_deg && !std::isfinite(*heading_deg)) throw CV_ERROR(InvalidArgumentError, "heading must be a finite number of degrees");
  refine_options.Check();
  confidence.Check();
}

Locator::Locator(Locator&&) noexcept = default;
Locator& Locator::operator=(Locator&&) noexcept = default;
Locator::~Locator() = default;

Locator Locator::Open(const LocatorOptions& options) {
  if (options.index.empty()) throw CV_ERROR(InvalidArgumentError, "no index given").Hint("pass --index IDX");
  OpenIndexOptions oo;
  oo.verify_checksums = options.verify_checksums;
  Locator loc(TileIndex::Open(options.index, oo));
  loc.options_ = options;
  const IndexManifest& m = loc.index_.manifest();
  const std::string model_dir = options.checkpoint.empty() ? m.model_dir : options.checkpoint;
  const ModelIdentity id = WithContext("index", options.index, [&] { return ReadModelIdentity(model_dir); });
  if (id.model_pt_sha256 != m.model_pt_sha256) {
    throw CV_ERROR(InvalidArgumentError, "the retrieval model does not match the index").With("model", model_dir)
        .With("model_pt_sha256", id.model_pt_sha256).With("index_expects", m.model_pt_sha256)
        .Hint("pass the --checkpoint the index was built with (index.json model.dir), or rebuild the index with this model");
  }
  DescriberOptions dopt;
  dopt.batch = options.batch;
  dopt.device = options.device;
  dopt.descriptor = m.descriptor;
  loc.describer_ = std::make_unique<RetrievalDescriber>(RetrievalDescriber::Load(model_dir, dopt));
  if (loc.describer_->input_size() != m.input_size) {
    throw CV_ERROR(InvalidArgumentError, "the model's input size differs from the index's").With("model", loc.describer_->input_size()).With("index", m.input_size);
  }
  if (!options.drl_checkpoint.empty()) loc.refiner_ = std::make_unique<DrlRefiner>(DrlRefiner::Load(options.drl_checkpoint, options.device));
  return loc;
}

const MapSource& Locator::map() {
  if (map_) return *map_;
  const IndexManifest& m = index_.manifest();
  const std::string path = options_.map.empty() ? m.map_path : options_.map;
  if (!std::filesystem::exists(path)) {
    throw CV_ERROR(NotFoundError, "the index's map is not at its recorded path").With("map", path).Hint("pass --map with its new location");
  }
  MapSource source = OpenMapSource(path, m.georef);
  if (options_.verify_map_sha256) {
    const std::string sha = Sha256File(path);
    if (sha != m.map_sha256) {
      throw CV_ERROR(InvalidArgumentError, "the map differs from the one the index was built from").With("map", path)
          .With("sha256", sha).With("index_expects", m.map_sha256).Hint("pass --map with the original map file");
    }
  }
  if (source.raster.width_px() != m.map_width_px || source.raster.height_px() != m.map_height_px ||
      !SameGeotransform(source.raster.geotransform().gdal(), m.geotransform)) {
    throw CV_ERROR(InvalidArgumentError, "the map's size or georeference differs from the index's").With("map", path)
        .With("geotransform", source.raster.geotransform().ToString()).Hint("rebuild the index for this map");
  }
  map_ = std::make_unique<MapSource>(std::move(source));
  return *map_;
}

cv::Mat NorthUpQuery(const cv::Mat& rgb, double heading_deg) {
  if (rgb.empty()) throw CV_ERROR(InvalidArgumentError, "empty query image");
  if (!std::isfinite(heading_deg)) throw CV_ERROR(InvalidArgumentError, "heading must be a finite number of degrees");
  const double rad = heading_deg * M_PI / 180.0;
  const double c = std::abs(std::cos(rad)), s = std::abs(std::sin(rad));
  const int side = std::max(1, static_cast<int>(std::floor(std::min(rgb.cols, rgb.rows) / (c + s) + 1e-9)));
  const double normalised = std::fmod(std::fmod(heading_deg, 360.0) + 360.0, 360.0);
  if (normalised == 0.0) {
    return rgb(cv::Rect((rgb.cols - side) / 2, (rgb.rows - side) / 2, side, side)).clone();
  }
  // Clockwise by h in image coordinates (y down) is OpenCV's angle −h; the translation puts the
  // source centre at the centre of the side × side output.
  const cv::Point2f centre((rgb.cols - 1) / 2.0f, (rgb.rows - 1) / 2.0f);
  cv::Mat m = cv::getRotationMatrix2D(centre, -heading_deg, 1.0);
  m.at<double>(0, 2) += (side - 1) / 2.0 - centre.x;
  m.at<double>(1, 2) += (side - 1) / 2.0 - centre.y;
  cv::Mat out;
  cv::warpAffine(rgb, out, m, cv::Size(side, side), cv::INTER_LINEAR, cv::BORDER_REFLECT_101);
  return out;
}

LocateResult Locator::Locate(const cv::Mat& query_in, const LocateOptions& options) {
  options.Check();
  const cv::Mat query_rgb = options.heading_deg ? NorthUpQuery(query_in, *options.heading_deg) : query_in;
  if (options.refine && !refiner_) {
    throw CV_ERROR(InvalidArgumentError, "DRL refinement needs a DRL model").Hint("pass --drl-checkpoint DIR with --refine drl");
  }
  const auto t0 = Clock::now();
  LocateResult r;
  r.prior = options.prior;
  const std::vector<float> q = describer_->Describe({query_rgb}, models::View::kDrone);
  r.describe_s = Seconds(t0);

  const auto t1 = Clock::now();
  const int64_t k_search = std::max(options.top_k, options.confidence_candidates);
  const std::vector<TileHit> hits = index_.Search(q, k_search, options.prior);
  r.searched_tiles = options.prior ? static_cast<int64_t>(index_.TilesWithin(*options.prior).size()) : index_.size();
  if (hits.empty()) {
    throw CV_ERROR(NotFoundError, "no tile centre lies within the prior circle")
        .With("lat", options.prior->centre.lat_deg).With("lon", options.prior->centre.lon_deg).With("radius_m", options.prior->radius_m)
        .Hint("widen the prior radius, or search without a prior");
  }
  r.search_s = Seconds(t1);
  std::vector<ScoredPosition> ranked;
  for (const TileHit& h : hits) ranked.push_back({index_.tile(h.tile_id).centre, h.score});
  const IndexManifest& m = index_.manifest();
  r.retrieval = EstimateRetrievalConfidence(ranked, m.tile_size_m, m.stride_m, options.confidence);
  const geo::LatLonDeg best = ranked.front().lat_lon;
  for (size_t i = 0; i < hits.size() && static_cast<int64_t>(i) < options.top_k; ++i) {
    const TileRecord& t = index_.tile(hits[i].tile_id);
    r.candidates.push_back({static_cast<int>(i + 1), t.id, hits[i].score, t.centre, t.window, geo::HaversineDistanceM(best, t.centre), t.corners});
  }
  r.lat_lon = best;
  r.method = "retrieval";
  r.confidence = r.retrieval.confidence;
  r.uncertainty_m = r.retrieval.uncertainty_m;

  if (options.refine) {
    const auto t2 = Clock::now();
    const MapSource& source = map();
    std::vector<geo::PixelColRow> centres;
    for (size_t i = 0; i < hits.size() && static_cast<int>(i) < options.refine_options.candidates; ++i) {
      const geo::PixelWindow& w = index_.tile(hits[i].tile_id).window;
      centres.push_back({w.col_off + w.width_px / 2.0, w.row_off + w.height_px / 2.0});
    }
    geo::ReadRgbOptions read;
    read.bands = m.bands;
    if (read.bands.size() == 1) read.bands = {m.bands[0], m.bands[0], m.bands[0]};
    const double window_m = options.refine_options.window_m > 0.0 ? options.refine_options.window_m : 2.0 * m.tile_size_m;
    r.refined = refiner_->Refine(source.raster, read, query_rgb, centres, window_m, options.refine_options);
    r.lat_lon = r.refined->lat_lon;
    r.method = "retrieval+drl";
    r.uncertainty_m = r.refined->spread_m;
    r.refine_s = Seconds(t2);
  }
  r.total_s = Seconds(t0);
  return r;
}

nlohmann::json ToJson(const LocateResult& r) {
  nlohmann::json top = nlohmann::json::array();
  for (const TileCandidate& c : r.candidates) {
    top.push_back({{"rank", c.rank}, {"tile_id", c.tile_id}, {"score", c.score}, {"lat", c.centre.lat_deg}, {"lon", c.centre.lon_deg},
                   {"window", WindowJson(c.window)}, {"distance_from_best_m", c.distance_from_best_m}, {"corners", LatLonListJson(c.corners)}});
  }
  nlohmann::json j = {
      {"lat", r.lat_lon.lat_deg},
      {"lon", r.lat_lon.lon_deg},
      {"method", r.method},
      {"confidence", r.confidence},
      {"uncertainty_m", r.uncertainty_m},
      {"uncertainty",
       {{"confidence", "softmax weight (T = temperature on cosine scores) of the top tiles within one tile side of the best one"},
        {"uncertainty_m", r.refined ? "DRL heatmap spread: RMS ground distance from the peak, weighted by max(p - mean(p), 0)"
                                    : "sqrt(spread_m^2 + sampling_m^2): softmax-weighted RMS distance of the top tiles from the best, "
                                      "and stride/sqrt(6) for the gallery sampling"}}},
      {"retrieval",
       {{"confidence", r.retrieval.confidence}, {"score_gap", r.retrieval.score_gap}, {"spread_m", r.retrieval.spread_m},
        {"sampling_m", r.retrieval.sampling_m}, {"uncertainty_m", r.retrieval.uncertainty_m}, {"candidates", r.retrieval.candidates}}},
      {"top_k", top},
      {"prior", r.prior ? nlohmann::json{{"lat", r.prior->centre.lat_deg}, {"lon", r.prior->centre.lon_deg}, {"radius_m", r.prior->radius_m}}
                        : nlohmann::json()},
      {"searched_tiles", r.searched_tiles},
      {"refined", nullptr},
      {"timing_s", {{"describe", r.describe_s}, {"search", r.search_s}, {"refine", r.refine_s}, {"total", r.total_s}}}};
  if (r.refined) {
    const RefineResult& f = *r.refined;
    j["refined"] = {{"lat", f.lat_lon.lat_deg},
                    {"lon", f.lat_lon.lon_deg},
                    {"peak", f.peak},
                    {"spread_m", f.spread_m},
                    {"candidate_rank", f.candidate + 1},
                    {"peak_rc", {f.peak_rc.row, f.peak_rc.col}},
                    {"input_size", f.input_size},
                    {"window", WindowJson(f.window)},
                    {"window_corners",
                     {{"top_left", {f.window_top_left.lat_deg, f.window_top_left.lon_deg}},
                      {"bottom_right", {f.window_bottom_right.lat_deg, f.window_bottom_right.lon_deg}}}}};
  }
  return j;
}

nlohmann::json ToJson(const LocateOptions& o) {
  return {{"top_k", o.top_k},
          {"prior", o.prior ? nlohmann::json{{"lat", o.prior->centre.lat_deg}, {"lon", o.prior->centre.lon_deg}, {"radius_m", o.prior->radius_m}}
                            : nlohmann::json()},
          {"refine", o.refine},
          {"refine_options", {{"window_m", o.refine_options.window_m}, {"candidates", o.refine_options.candidates},
                              {"hanning_size", o.refine_options.hanning_size}}},
          {"confidence", {{"temperature", o.confidence.temperature}, {"agreement_radius_m", o.confidence.agreement_radius_m}}},
          {"confidence_candidates", o.confidence_candidates},
          {"heading_deg", o.heading_deg ? nlohmann::json(*o.heading_deg) : nlohmann::json()}};
}

std::string FormatLocateText(const LocateResult& r) {
  std::ostringstream os;
  os << std::fixed;
  os << "rank  tile      score        lat            lon      from best\n";
  for (const TileCandidate& c : r.candidates) {
    os << std::setw(4) << c.rank << std::setw(6) << c.tile_id << "  " << std::setprecision(4) << std::setw(9) << c.score << "  "
       << std::setprecision(7) << std::setw(12) << c.centre.lat_deg << "  " << std::setw(13) << c.centre.lon_deg << "  "
       << std::setprecision(0) << std::setw(6) << c.distance_from_best_m << " m\n";
  }
  os << "searched " << r.searched_tiles << " tiles";
  if (r.prior) os << std::setprecision(0) << " within " << r.prior->radius_m << " m of the prior";
  os << "\n";
  if (r.refined) {
    os << std::setprecision(3) << "DRL: peak " << r.refined->peak << " in the window around rank " << r.refined->candidate + 1
       << std::setprecision(1) << ", heatmap spread " << r.refined->spread_m << " m\n";
  }
  os << std::setprecision(7) << "position " << r.lat_lon.lat_deg << ", " << r.lat_lon.lon_deg << "  (" << r.method << std::setprecision(2)
     << ", confidence " << r.confidence << std::setprecision(0) << ", uncertainty " << r.uncertainty_m << " m)";
  return os.str();
}

}  // namespace crossview::pipeline

#include "crossview/data/map_flight.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "crossview/data/image_io.h"
#include "crossview/data/ir_manifest.h"
#include "crossview/data/ir_synth.h"
#include "crossview/data/renderer.h"
#include "crossview/data/synth_manifest.h"
#include "crossview/data/synth_run.h"
#include "crossview/data/texture_pyramid.h"
#include "crossview/data/validity.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"
#include "crossview/util/parallel.h"
#include "crossview/util/random.h"
#include "crossview/util/sha256.h"

namespace crossview::data {
namespace {

namespace fs = std::filesystem;
using manifest::Json;

constexpr double kRadToDeg = 180.0 / M_PI;
constexpr int kSplineSteps = 64;  // dense samples per spline segment

double Wrap360(double deg) {
  const double w = std::fmod(deg, 360.0);
  return w < 0.0 ? w + 360.0 : w;
}

// Uniform Catmull-Rom between p1 and p2.
cv::Vec2d CatmullRom(const cv::Vec2d& p0, const cv::Vec2d& p1, const cv::Vec2d& p2, const cv::Vec2d& p3, double t) {
  const double t2 = t * t, t3 = t2 * t;
  return 0.5 * (2.0 * p1 + (p2 - p0) * t + (2.0 * p0 - 5.0 * p1 + 4.0 * p2 - p3) * t2 + (3.0 * p1 - p0 - 3.0 * p2 + p3) * t3);
}

// The spline through `pts` as a dense polyline (phantom end points mirror the neighbours).
std::vector<cv::Vec2d> DenseSpline(const std::vector<cv::Vec2d>& pts) {
  const size_t k = pts.size();
  auto at = [&](long i) {
    if (i < 0) return 2.0 * pts[0] - pts[1];
    if (i >= static_cast<long>(k)) return 2.0 * pts[k - 1] - pts[k - 2];
    return pts[static_cast<size_t>(i)];
  };
  std::vector<cv::Vec2d> out;
  for (long i = 0; i + 1 < static_cast<long>(k); ++i) {
    for (int s = 0; s < kSplineSteps; ++s) out.push_back(CatmullRom(at(i - 1), at(i), at(i + 1), at(i + 2), static_cast<double>(s) / kSplineSteps));
  }
  out.push_back(pts.back());
  return out;
}

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

}  // namespace

void FlightOptions::Check() const {
  if (frames < 1 || frames > 100000) throw CV_ERROR(InvalidArgumentError, "frames must be in [1, 100000]").With("frames", frames);
  if (!(height_m > 0.0 && height_m <= 10000.0)) throw CV_ERROR(InvalidArgumentError, "height_m must be in (0, 10000]").With("height_m", height_m);
  if (!(tilt_deg >= 0.0 && tilt_deg <= 60.0)) throw CV_ERROR(InvalidArgumentError, "tilt_deg must be in [0, 60]").With("tilt_deg", tilt_deg);
  if (!(hfov_deg > 0.0 && hfov_deg < 170.0)) throw CV_ERROR(InvalidArgumentError, "hfov_deg must be in (0, 170)").With("hfov_deg", hfov_deg);
  if (size_px < 16 || size_px > 4096) throw CV_ERROR(InvalidArgumentError, "size_px must be in [16, 4096]").With("size_px", size_px);
  if (waypoints < 2 || waypoints > 1000) throw CV_ERROR(InvalidArgumentError, "waypoints must be in [2, 1000]").With("waypoints", waypoints);
  if (!std::isfinite(yaw_offset_deg)) throw CV_ERROR(InvalidArgumentError, "yaw_offset_deg must be finite");
  if (max_redraws < 0 || max_redraws > 1000) throw CV_ERROR(InvalidArgumentError, "max_redraws must be in [0, 1000]");
  photometric.Check();
}

PinholeCamera FlightOptions::Camera() const {
  PinholeCamera c;
  c.width_px = c.height_px = size_px;
  c.hfov_deg = hfov_deg;
  return c;
}

FlightPath PlanFlightPath(const FlightOptions& o, const MapFrame& map, uint64_t seed) {
  o.Check();
  const PinholeCamera camera = o.Camera();
  CameraPose probe;
  probe.height_m = o.height_m;
  probe.tilt_deg = o.tilt_deg;
  const auto corners = FootprintCornersEnM(camera, probe);
  if (!corners) {
    throw CV_ERROR(InvalidArgumentError, "the flight camera sees the horizon").With("tilt_deg", o.tilt_deg).With("hfov_deg", o.hfov_deg);
  }
  double radius = 0.0;  // farthest footprint corner from the nadir point, any heading
  for (const cv::Vec2d& c : *corners) radius = std::max(radius, cv::norm(c));
  const double margin = radius + map.gsd_m;
  const double half_e = 0.5 * map.WidthM() - margin, half_n = 0.5 * map.HeightM() - margin;
  if (!(half_e > 0.0 && half_n > 0.0)) {
    throw CV_ERROR(InvalidArgumentError, "the map is too small for a flight at this height")
        .With("footprint_radius_m", radius)
        .With("map_m", std::to_string(map.WidthM()) + " x " + std::to_string(map.HeightM()))
        .Hint("lower --height-m, --tilt-deg or --hfov-deg, or make a larger map");
  }
  const Rng root(seed);
  for (int attempt = 0; attempt <= o.max_redraws; ++attempt) {
    Rng rng = root.Fork("flight/waypoints/" + std::to_string(attempt));
    FlightPath path;
    path.redraws = attempt;
    // A tour around the map centre that turns one way: waypoint k at bearing
    // θ0 ± 2π·(k + jitter)/K and a drawn fraction of the interior half-extent.
    const double theta0 = rng.Uniform(0.0, 2.0 * M_PI);
    const double turn = rng.Bernoulli(0.5) ? 1.0 : -1.0;
    for (int k = 0; k < o.waypoints; ++k) {
      const double theta = theta0 + turn * 2.0 * M_PI * (k + rng.Uniform(-0.3, 0.3)) / o.waypoints;
      const double rho = rng.Uniform(0.45, 1.0);
      path.waypoints_en_m.emplace_back(rho * half_e * std::sin(theta), rho * half_n * std::cos(theta));
    }
    const std::vector<cv::Vec2d> dense = DenseSpline(path.waypoints_en_m);
    std::vector<double> cum(dense.size(), 0.0);
    for (size_t i = 1; i < dense.size(); ++i) cum[i] = cum[i - 1] + cv::norm(dense[i] - dense[i - 1]);
    path.length_m = cum.back();
    if (!(path.length_m > 0.0)) continue;
    bool inside = true;
    size_t seg = 0;
    for (int f = 0; f < o.frames && inside; ++f) {
      const double s = o.frames == 1 ? 0.0 : path.length_m * f / (o.frames - 1);
      while (seg + 2 < dense.size() && cum[seg + 1] < s) ++seg;
      const double len = cum[seg + 1] - cum[seg];
      const double t = len > 0.0 ? std::clamp((s - cum[seg]) / len, 0.0, 1.0) : 0.0;
      const cv::Vec2d d = dense[seg + 1] - dense[seg];
      FlightFrame frame;
      frame.index = f;
      char name[32];
      std::snprintf(name, sizeof(name), "frame-%04d.jpg", f);
      frame.name = name;
      frame.heading_deg = Wrap360(std::atan2(d[0], d[1]) * kRadToDeg);
      frame.pose.centre_en_m = dense[seg] + t * d;
      frame.pose.height_m = o.height_m;
      frame.pose.tilt_deg = o.tilt_deg;
      frame.pose.yaw_deg = Wrap360(frame.heading_deg + o.yaw_offset_deg);
      frame.centre_en_m = ImageCentreGroundEnM(camera, frame.pose);
      inside = CheckDroneView(map, camera, frame.pose).valid;
      path.frames.push_back(frame);
    }
    if (inside) return path;
  }
  throw CV_ERROR(InvalidArgumentError, "no flight path stayed inside the map")
      .With("redraws", o.max_redraws)
      .Hint("lower --height-m or use fewer --waypoints");
}

void WriteFlight(const FlightOptions& o, uint64_t seed, const FlightPath& path, const MapMosaic& mosaic,
                 const std::string& map_file, const std::string& map_sha256, const fs::path& dir, int jobs) {
  const PinholeCamera camera = o.Camera();
  const TexturePyramid pyramid(mosaic.rgb);
  const geo::TextureGeoref georef = mosaic.Georef();
  const Rng root(seed);
  std::vector<PhotometricParams> drawn(path.frames.size());
  std::vector<std::string> sha(path.frames.size());
  ParallelFor(static_cast<int64_t>(path.frames.size()), jobs, [&](int64_t i) {
    const FlightFrame& f = path.frames[static_cast<size_t>(i)];
    RenderOptions ropts;
    ropts.num_threads = 1;
    const RenderResult rr = RenderDroneView(pyramid, mosaic.frame, camera, f.pose, ropts);
    Rng rng = root.Fork("photometric/" + f.name);
    PhotometricParams& p = drawn[static_cast<size_t>(i)];
    p = DrawPhotometricParams(o.photometric, rng, o.tilt_deg > 0.0);
    const cv::Mat distance = p.haze_beta_per_m > 0.0 ? GroundDistanceMapM(camera, f.pose) : cv::Mat();
    ImageEncodeOptions enc;
    enc.jpeg_quality = p.jpeg_quality;
    const std::string bytes = EncodeImage(ApplyPhotometric(rr.image, p, distance), ImageFormat::kJpeg, enc);
    sha[static_cast<size_t>(i)] = Sha256Hex(bytes);
    WriteSynthFile(dir / f.name, bytes);
  });

  auto ll = [&](const cv::Vec2d& en) { return georef.lat_lon_from_en({en[0], en[1]}); };
  std::string csv = "frame,lat,lon,height_m,yaw_deg\n";
  Json frames = Json::array();
  for (size_t i = 0; i < path.frames.size(); ++i) {
    const FlightFrame& f = path.frames[i];
    const geo::LatLonDeg truth = ll(f.centre_en_m);
    csv += f.name + "," + Fixed(truth.lat_deg, 12) + "," + Fixed(truth.lon_deg, 12) + "," + Fixed(f.pose.height_m, 3) +
           "," + Fixed(f.pose.yaw_deg, 6) + "\n";
    Json footprint = Json::array();
    if (const auto corners = FootprintCornersEnM(camera, f.pose)) {
      for (const cv::Vec2d& c : *corners) footprint.push_back(manifest::LatLon(ll(c)));
    }
    const cv::Vec3d c = f.pose.CentreEnuM();
    frames.push_back(Json{{"frame", f.name},
                          {"index", f.index},
                          {"lat_lon_deg", manifest::LatLon(truth)},
                          {"nadir_lat_lon_deg", manifest::LatLon(ll(f.pose.centre_en_m))},
                          {"centre_en_m", manifest::Vec2(f.centre_en_m)},
                          {"position_en_m", Json::array({c[0], c[1], c[2]})},
                          {"height_m", f.pose.height_m},
                          {"yaw_deg", f.pose.yaw_deg},
                          {"heading_deg", f.heading_deg},
                          {"tilt_deg", f.pose.tilt_deg},
                          {"roll_deg", f.pose.roll_deg},
                          {"R_cam_from_world", manifest::Mat33(f.pose.RCamFromWorld())},
                          {"H_map_to_image", manifest::Mat33(ImageFromMap(camera, f.pose, mosaic.frame))},
                          {"footprint_lat_lon_deg", footprint},
                          {"gsd_centre_m", manifest::G10(GsdAtCentreAcrossM(camera, f.pose))},
                          {"sha256", sha[i]},
                          {"photometric", manifest::PhotometricJson(drawn[i], f.name)}});
  }
  Json waypoints = Json::array();
  for (const cv::Vec2d& w : path.waypoints_en_m) waypoints.push_back(manifest::Vec2(w));
  const std::array<double, 6> gt = georef.geotransform().gdal();
  const Json flight{
      {"schema", "crossview.flight/1"},
      {"generator", Json{{"name", "crossview"}, {"version", SynthGeneratorVersion()}}},
      {"claim", kSynthHonestClaim},
      {"seed", seed},
      {"map", Json{{"file", map_file},
                   {"sha256", map_sha256},
                   {"size_px", Json::array({mosaic.frame.width_px, mosaic.frame.height_px})},
                   {"gsd_m", mosaic.frame.gsd_m},
                   {"anchor_lat_lon_deg", manifest::LatLon(mosaic.anchor)},
                   {"crs", "EPSG:4326"},
                   {"geotransform", Json::array({gt[0], gt[1], gt[2], gt[3], gt[4], gt[5]})},
                   {"en_frame", "e = (x - W/2)*gsd, n = (H/2 - y)*gsd, metres from the map centre"}}},
      {"options", Json{{"frames", o.frames},
                       {"height_m", o.height_m},
                       {"tilt_deg", o.tilt_deg},
                       {"hfov_deg", o.hfov_deg},
                       {"size_px", o.size_px},
                       {"waypoints", o.waypoints},
                       {"yaw_offset_deg", o.yaw_offset_deg},
                       {"max_redraws", o.max_redraws},
                       {"photometric", manifest::PhotometricOptionsJson(o.photometric)}}},
      {"camera", Json{{"size_px", Json::array({camera.width_px, camera.height_px})},
                      {"hfov_deg", camera.hfov_deg},
                      {"K", manifest::Mat33(camera.K())}}},
      {"truth", "lat/lon of the ground point at the image centre (the nadir point when tilt_deg = 0)"},
      {"path", Json{{"waypoints_en_m", waypoints}, {"length_m", path.length_m}, {"redraws", path.redraws}}},
      {"frames", frames}};
  WriteFileAtomic(dir / "truth.csv", csv);
  WriteFileAtomic(dir / "flight.json", flight.dump(1) + "\n");
}

}  // namespace crossview::data

#include "crossview/pipeline/flight_report.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <opencv2/imgproc.hpp>
#include <set>
#include <sstream>

#include "crossview/data/image_io.h"
#include "crossview/pipeline/index_manifest.h"
#include "crossview/pipeline/map_source.h"
#include "crossview/pipeline/track_io.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"

namespace crossview::pipeline {
namespace fs = std::filesystem;

namespace {

double Get(const nlohmann::json& p, const char* key, const fs::path& file, int feature) {
  const auto it = p.find(key);
  if (it == p.end() || !it->is_number()) {
    throw CV_ERROR(InvalidArgumentError, "track point without a numeric '" + std::string(key) + "'")
        .With("file", file.string())
        .With("feature", feature)
        .Hint("pass a track.geojson written by 'crossview locate --sequence'");
  }
  return it->get<double>();
}

// Colours (RGB) for the true track and up to six estimated tracks.
const cv::Scalar kTruthRgb(0, 200, 0);
const std::vector<cv::Scalar> kTrackRgb = {{255, 140, 0}, {30, 110, 255}, {220, 0, 200}, {0, 190, 210}, {150, 90, 40}, {120, 120, 120}};

std::string Css(const cv::Scalar& rgb) {
  std::ostringstream os;
  os << "rgb(" << static_cast<int>(rgb[0]) << "," << static_cast<int>(rgb[1]) << "," << static_cast<int>(rgb[2]) << ")";
  return os.str();
}

std::string Pct(double fraction) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(1) << 100.0 * fraction;
  return os.str();
}

std::string Metres(double m) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(1) << m;
  return os.str();
}

std::string HtmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

cv::Mat ErrorsPlot(const std::vector<std::vector<ReportFrame>>& tracks, const std::vector<std::string>& labels, const std::vector<int>& ks) {
  const int width = 760, height = 360, left = 56, right = 16, top = 34, bottom = 40;
  cv::Mat img(height, width, CV_8UC3, cv::Scalar(255, 255, 255));
  const cv::Rect area(left, top, width - left - right, height - top - bottom);
  const cv::Scalar axis(40, 40, 40), grid(225, 225, 225);
  double y_max = ks.empty() ? 50.0 : 2.0 * *std::max_element(ks.begin(), ks.end());
  int n = 0;
  for (const auto& t : tracks) n = std::max<int>(n, static_cast<int>(t.size()));
  auto x_of = [&](int i) { return area.x + (n <= 1 ? area.width / 2 : area.width * i / (n - 1)); };
  auto y_of = [&](double e) { return area.y + area.height - static_cast<int>(std::lround(area.height * std::min(e, y_max) / y_max)); };
  for (int k : ks) {
    const int y = y_of(k);
    cv::line(img, {area.x, y}, {area.x + area.width, y}, grid, 1);
    cv::putText(img, std::to_string(k) + " m", {6, y + 4}, cv::FONT_HERSHEY_SIMPLEX, 0.4, axis, 1, cv::LINE_AA);
  }
  cv::putText(img, Metres(y_max).substr(0, Metres(y_max).size() - 2) + "+ m", {6, area.y + 4}, cv::FONT_HERSHEY_SIMPLEX, 0.4, axis, 1, cv::LINE_AA);
  for (size_t t = 0; t < tracks.size(); ++t) {
    std::vector<cv::Point> pts;
    for (size_t i = 0; i < tracks[t].size(); ++i) {
      if (tracks[t][i].truth) pts.emplace_back(x_of(static_cast<int>(i)), y_of(tracks[t][i].error_m));
    }
    const cv::Scalar c = kTrackRgb[t % kTrackRgb.size()];
    if (pts.size() > 1) cv::polylines(img, pts, false, c, 2, cv::LINE_AA);
    for (const auto& p : pts) cv::circle(img, p, 2, c, cv::FILLED);
    cv::putText(img, labels[t], {left + 8 + static_cast<int>(t) * 200, area.y + 16}, cv::FONT_HERSHEY_SIMPLEX, 0.45, c, 1, cv::LINE_AA);
  }
  cv::rectangle(img, area, axis, 1);
  cv::putText(img, "position error per frame (clipped at the top)", {left, 22}, cv::FONT_HERSHEY_SIMPLEX, 0.5, axis, 1, cv::LINE_AA);
  cv::putText(img, "frame", {area.x + area.width / 2 - 20, height - 12}, cv::FONT_HERSHEY_SIMPLEX, 0.45, axis, 1, cv::LINE_AA);
  return img;
}

}  // namespace

std::vector<ReportFrame> ReadTrackFrames(const fs::path& geojson) {
  if (!fs::exists(geojson)) {
    throw CV_ERROR(NotFoundError, "track file not found").With("file", geojson.string()).Hint("run 'crossview locate --sequence ... --out DIR' first");
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(ReadFile(geojson));
  } catch (const nlohmann::json::exception& e) {
    throw CV_ERROR(InvalidArgumentError, "track file is not JSON").With("file", geojson.string()).With("json", e.what());
  }
  if (!j.is_object() || j.value("type", "") != "FeatureCollection" || !j.contains("features") || !j["features"].is_array()) {
    throw CV_ERROR(InvalidArgumentError, "track file is not a GeoJSON FeatureCollection").With("file", geojson.string());
  }
  std::vector<ReportFrame> frames;
  int feature = 0;
  for (const auto& f : j["features"]) {
    ++feature;
    if (!f.is_object() || !f.contains("geometry") || !f["geometry"].is_object() || f["geometry"].value("type", "") != "Point") continue;
    const auto& p = f.value("properties", nlohmann::json::object());
    ReportFrame r;
    r.frame = static_cast<int>(Get(p, "frame", geojson, feature));
    r.name = p.value("name", "");
    r.mode = p.value("mode", "");
    r.estimate = {Get(p, "lat", geojson, feature), Get(p, "lon", geojson, feature)};
    r.top1_tile = static_cast<int64_t>(Get(p, "top1_tile", geojson, feature));
    if (p.contains("truth_lat") && p["truth_lat"].is_number() && p.contains("truth_lon") && p["truth_lon"].is_number()) {
      r.truth = geo::LatLonDeg{p["truth_lat"].get<double>(), p["truth_lon"].get<double>()};
      r.error_m = Get(p, "error_m", geojson, feature);
    }
    frames.push_back(std::move(r));
  }
  if (frames.empty()) throw CV_ERROR(InvalidArgumentError, "track file has no frames").With("file", geojson.string());
  return frames;
}

TrackMetrics ComputeTrackMetrics(const std::string& label, const std::vector<ReportFrame>& frames, const std::vector<TileRecord>& tiles,
                                 const std::function<geo::PixelColRow(geo::LatLonDeg)>& pixel_of, const std::vector<int>& ks) {
  TrackMetrics m;
  m.label = label;
  m.frames = static_cast<int>(frames.size());
  std::vector<double> errors;
  int hits = 0;
  for (const ReportFrame& f : frames) {
    if (!f.truth) continue;
    errors.push_back(f.error_m);
    if (f.top1_tile >= 0 && f.top1_tile < static_cast<int64_t>(tiles.size())) {
      const geo::PixelWindow& w = tiles[static_cast<size_t>(f.top1_tile)].window;
      const geo::PixelColRow p = pixel_of(*f.truth);
      hits += p.col >= w.col_off && p.col < w.col_off + w.width_px && p.row >= w.row_off && p.row < w.row_off + w.height_px;
    }
  }
  if (errors.empty()) {
    throw CV_ERROR(InvalidArgumentError, "no frame of track '" + label + "' has a true position").Hint("run locate --sequence with --truth truth.csv");
  }
  m.with_truth = static_cast<int>(errors.size());
  m.recall_at_1 = static_cast<double>(hits) / static_cast<double>(errors.size());
  for (int k : ks) {
    const auto within = std::count_if(errors.begin(), errors.end(), [k](double e) { return e <= k; });
    m.ma[k] = static_cast<double>(within) / static_cast<double>(errors.size());
  }
  const ErrorSummary s = SummariseErrors(errors);
  m.mean_m = s.mean_m, m.median_m = s.median_m, m.p90_m = s.p90_m, m.max_m = s.max_m;
  return m;
}

void FlightReportOptions::Check() const {
  if (index.empty()) throw CV_ERROR(InvalidArgumentError, "flight report needs the index directory").Hint("pass --index IDX");
  if (tracks.empty()) throw CV_ERROR(InvalidArgumentError, "flight report needs at least one track").Hint("pass --track LABEL=DIR");
  std::set<std::string> labels;
  for (const auto& t : tracks) {
    if (t.label.empty()) throw CV_ERROR(InvalidArgumentError, "a track has an empty label").Hint("write --track LABEL=DIR");
    if (!labels.insert(t.label).second) throw CV_ERROR(InvalidArgumentError, "two tracks are labelled '" + t.label + "'").Hint("give each track its own label");
  }
  for (int k : ks) {
    if (k <= 0) throw CV_ERROR(InvalidArgumentError, "MA@K thresholds must be positive").With("K", k);
  }
  if (overview_px < 64) throw CV_ERROR(InvalidArgumentError, "overview picture too small").With("overview_px", overview_px).Hint("use 64 or more");
  if (examples < 0) throw CV_ERROR(InvalidArgumentError, "examples must be >= 0").With("examples", examples);
}

FlightReport WriteFlightReport(const FlightReportOptions& o, const fs::path& out) {
  o.Check();
  const IndexManifest manifest = ReadIndexManifest(o.index);
  const std::vector<TileRecord> tiles = ReadTileTable(o.index / kTilesFile);
  const fs::path map_path = o.map.empty() ? fs::path(manifest.map_path) : o.map;
  const MapSource map = OpenMapSource(map_path, manifest.georef);
  if (map.raster.width_px() != manifest.map_width_px || map.raster.height_px() != manifest.map_height_px) {
    throw CV_ERROR(InvalidArgumentError, "the map is not the one the index was built from")
        .With("map", map_path.string())
        .With("index", o.index.string())
        .Hint("pass the index's map with --map");
  }
  const auto pixel_of = [&](geo::LatLonDeg ll) { return map.raster.pixel_from_lat_lon(ll); };

  std::vector<std::vector<ReportFrame>> frames;
  std::vector<std::string> labels;
  FlightReport report;
  for (const auto& t : o.tracks) {
    frames.push_back(ReadTrackFrames(t.dir / "track.geojson"));
    labels.push_back(t.label);
    TrackMetrics m = ComputeTrackMetrics(t.label, frames.back(), tiles, pixel_of, o.ks);
    const fs::path summary = t.dir / "summary.json";
    if (fs::exists(summary)) {
      try {
        m.seconds_per_frame = nlohmann::json::parse(ReadFile(summary)).value("seconds_per_frame", 0.0);
      } catch (const nlohmann::json::exception&) {
        // The timing is optional; a damaged summary only loses it.
      }
    }
    report.tracks.push_back(m);
  }
  fs::create_directories(out);

  // Overview: the map scaled to overview_px, the true track in green, each track in its colour.
  const int w = map.raster.width_px(), h = map.raster.height_px();
  const double scale = std::min(1.0, static_cast<double>(o.overview_px) / std::max(w, h));
  const cv::Size overview_size(std::max(1, static_cast<int>(std::lround(w * scale))), std::max(1, static_cast<int>(std::lround(h * scale))));
  // Read in strips of rows so a large map never sits in memory at full resolution.
  std::vector<cv::Mat> strips;
  const int strip_rows = 1024;
  for (int row = 0; row < h; row += strip_rows) {
    const int rows = std::min(strip_rows, h - row);
    geo::RgbImage img = map.raster.ReadRgb({0, row, w, rows});
    const cv::Mat full(img.height_px, img.width_px, CV_8UC3, img.pixels.data());
    cv::Mat small;
    cv::resize(full, small, cv::Size(overview_size.width, std::max(1, static_cast<int>(std::lround(rows * scale)))), 0, 0, cv::INTER_AREA);
    strips.push_back(small);
  }
  cv::Mat stacked, overview;
  cv::vconcat(strips, stacked);
  cv::resize(stacked, overview, overview_size, 0, 0, cv::INTER_AREA);
  auto to_px = [&](geo::LatLonDeg ll) {
    const geo::PixelColRow p = pixel_of(ll);
    return cv::Point(static_cast<int>(std::lround(p.col * scale)), static_cast<int>(std::lround(p.row * scale)));
  };
  std::vector<cv::Point> truth_pts;
  for (const auto& f : frames.front()) {
    if (f.truth) truth_pts.push_back(to_px(*f.truth));
  }
  if (truth_pts.size() > 1) cv::polylines(overview, truth_pts, false, kTruthRgb, 3, cv::LINE_AA);
  for (size_t t = 0; t < frames.size(); ++t) {
    std::vector<cv::Point> pts;
    for (const auto& f : frames[t]) pts.push_back(to_px(f.estimate));
    const cv::Scalar c = kTrackRgb[t % kTrackRgb.size()];
    if (pts.size() > 1) cv::polylines(overview, pts, false, c, 1, cv::LINE_AA);
    for (const auto& p : pts) cv::circle(overview, p, 3, c, cv::FILLED, cv::LINE_AA);
  }
  if (!truth_pts.empty()) cv::circle(overview, truth_pts.front(), 7, kTruthRgb, 2, cv::LINE_AA);
  data::SaveImage(out / "overview.png", overview);
  data::SaveImage(out / "errors.png", ErrorsPlot(frames, labels, o.ks));

  // Example frames: evenly spaced over the flight, the frame next to each track's heatmap.
  std::vector<nlohmann::json> examples;
  const int n = static_cast<int>(frames.front().size());
  const int count = std::min(o.examples, n);
  if (count > 0) fs::create_directories(out / "examples");
  for (int e = 0; e < count; ++e) {
    const int i = count == 1 ? 0 : static_cast<int>(std::lround(static_cast<double>(e) * (n - 1) / (count - 1)));
    const ReportFrame& f = frames.front()[static_cast<size_t>(i)];
    const std::string stem = fs::path(f.name).stem().string();
    nlohmann::json ex = {{"frame", f.frame}, {"name", f.name}, {"image", nullptr}, {"heatmaps", nlohmann::json::object()}};
    if (!o.flight.empty() && fs::exists(o.flight / f.name)) {
      const std::string rel = "examples/" + stem + ".jpg";
      data::SaveImage(out / rel, data::LoadImageRgb(o.flight / f.name));
      ex["image"] = rel;
    }
    for (size_t t = 0; t < o.tracks.size(); ++t) {
      if (o.tracks[t].heatmaps.empty()) continue;
      for (const char* ext : {".jpg", ".png"}) {
        const fs::path src = o.tracks[t].heatmaps / (stem + ext);
        if (!fs::exists(src)) continue;
        const std::string rel = "examples/" + stem + "-heatmap-" + std::to_string(t) + ext;
        fs::copy_file(src, out / rel, fs::copy_options::overwrite_existing);
        ex["heatmaps"][o.tracks[t].label] = rel;
        break;
      }
    }
    for (size_t t = 0; t < frames.size(); ++t) {
      if (static_cast<size_t>(i) < frames[t].size() && frames[t][static_cast<size_t>(i)].truth) {
        ex["error_m"][o.tracks[t].label] = frames[t][static_cast<size_t>(i)].error_m;
      }
    }
    examples.push_back(ex);
  }

  // report.json
  nlohmann::json tracks_json = nlohmann::json::array();
  for (size_t t = 0; t < report.tracks.size(); ++t) {
    const TrackMetrics& m = report.tracks[t];
    nlohmann::json ma = nlohmann::json::object();
    for (const auto& [k, v] : m.ma) ma["MA@" + std::to_string(k)] = v;
    tracks_json.push_back({{"label", m.label}, {"dir", o.tracks[t].dir.string()}, {"frames", m.frames}, {"with_truth", m.with_truth},
                           {"recall@1", m.recall_at_1}, {"ma", ma}, {"mean_m", m.mean_m}, {"median_m", m.median_m}, {"p90_m", m.p90_m},
                           {"max_m", m.max_m}, {"seconds_per_frame", m.seconds_per_frame}});
  }
  report.json = {{"schema", "crossview.flight_report/1"},
                 {"title", o.title},
                 {"index", o.index.string()},
                 {"map", map_path.string()},
                 {"tiles", tiles.size()},
                 {"tile_size_m", manifest.tile_size_m},
                 {"stride_m", manifest.stride_m},
                 {"ks", o.ks},
                 {"definitions",
                  {{"recall@1", "share of frames whose best tile contains the true position"},
                   {"MA@K", "share of frames whose position error is <= K metres (haversine, R = 6378137 m)"},
                   {"error", "distance from the estimated to the true position of the frame centre"}}},
                 {"tracks", tracks_json},
                 {"examples", examples}};
  WriteFileAtomic(out / "report.json", report.json.dump(2) + "\n");

  // report.md: the printed table.
  WriteFileAtomic(out / "report.md", "# " + o.title + "\n\n" + (o.note.empty() ? "" : o.note + "\n\n") + FormatFlightReportText(report));

  // report.html
  std::ostringstream html;
  html << "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" << HtmlEscape(o.title) << "</title>\n"
       << "<style>body{font-family:sans-serif;max-width:1100px;margin:1em auto;color:#222}table{border-collapse:collapse}"
          "td,th{border:1px solid #bbb;padding:4px 8px;text-align:right}th:first-child,td:first-child{text-align:left}"
          ".ex{display:inline-block;margin:4px;vertical-align:top;font-size:12px}.ex img{width:200px;display:block}</style></head><body>\n"
       << "<h1>" << HtmlEscape(o.title) << "</h1>\n";
  if (!o.note.empty()) html << "<p>" << HtmlEscape(o.note) << "</p>\n";
  html << "<p>Index <code>" << HtmlEscape(o.index.string()) << "</code>: " << tiles.size() << " tiles of " << Metres(manifest.tile_size_m)
       << " m every " << Metres(manifest.stride_m) << " m on <code>" << HtmlEscape(map_path.string()) << "</code>.</p>\n<table><tr><th>track</th><th>frames</th><th>R@1 %</th>";
  for (int k : o.ks) html << "<th>MA@" << k << " %</th>";
  html << "<th>median m</th><th>mean m</th><th>p90 m</th><th>s/frame</th></tr>\n";
  for (size_t t = 0; t < report.tracks.size(); ++t) {
    const TrackMetrics& m = report.tracks[t];
    html << "<tr><td><span style=\"color:" << Css(kTrackRgb[t % kTrackRgb.size()]) << "\">&#9679;</span> " << HtmlEscape(m.label) << "</td><td>"
         << m.with_truth << "</td><td>" << Pct(m.recall_at_1) << "</td>";
    for (int k : o.ks) html << "<td>" << Pct(m.ma.at(k)) << "</td>";
    html << "<td>" << Metres(m.median_m) << "</td><td>" << Metres(m.mean_m) << "</td><td>" << Metres(m.p90_m) << "</td><td>"
         << std::fixed << std::setprecision(3) << m.seconds_per_frame << "</td></tr>\n";
  }
  html << "</table>\n<p>R@1: share of frames whose best tile contains the true position. MA@K: share of frames located within K metres. "
          "Errors are great-circle distances between the estimated and the true ground point at the frame centre.</p>\n"
       << "<h2>Map and tracks</h2>\n<p><span style=\"color:" << Css(kTruthRgb) << "\">&#9644; true track</span> (circle: start)";
  for (size_t t = 0; t < labels.size(); ++t) {
    html << ", <span style=\"color:" << Css(kTrackRgb[t % kTrackRgb.size()]) << "\">&#9679; " << HtmlEscape(labels[t]) << "</span>";
  }
  html << "</p>\n<img src=\"overview.png\" alt=\"map overview with tracks\" style=\"max-width:100%\">\n"
       << "<h2>Error per frame</h2>\n<img src=\"errors.png\" alt=\"error per frame\">\n";
  if (!examples.empty()) {
    html << "<h2>Example frames</h2>\n";
    for (const auto& ex : examples) {
      html << "<div class=\"ex\"><b>" << HtmlEscape(ex["name"].get<std::string>()) << "</b>";
      if (ex["image"].is_string()) html << "<img src=\"" << ex["image"].get<std::string>() << "\" alt=\"frame\">drone frame";
      for (const auto& [label, rel] : ex["heatmaps"].items()) {
        html << "<img src=\"" << rel.get<std::string>() << "\" alt=\"heatmap\">" << HtmlEscape(label) << " heatmap (cross: peak)";
      }
      if (ex.contains("error_m")) {
        for (const auto& [label, e] : ex["error_m"].items()) html << "<br>" << HtmlEscape(label) << ": " << Metres(e.get<double>()) << " m";
      }
      html << "</div>\n";
    }
  }
  html << "</body></html>\n";
  WriteFileAtomic(out / "report.html", html.str());
  return report;
}

std::string FormatFlightReportText(const FlightReport& report) {
  std::ostringstream os;
  std::vector<int> ks;
  if (!report.tracks.empty()) {
    for (const auto& [k, v] : report.tracks.front().ma) ks.push_back(k);
  }
  size_t width = 5;
  for (const auto& m : report.tracks) width = std::max(width, m.label.size());
  os << std::left << std::setw(static_cast<int>(width)) << "track" << std::right << std::setw(8) << "frames" << std::setw(8) << "R@1 %";
  for (int k : ks) os << std::setw(9) << ("MA@" + std::to_string(k) + " %");
  os << std::setw(11) << "median m" << std::setw(9) << "mean m" << "\n";
  for (const auto& m : report.tracks) {
    os << std::left << std::setw(static_cast<int>(width)) << m.label << std::right << std::setw(8) << m.with_truth << std::setw(8) << Pct(m.recall_at_1);
    for (int k : ks) os << std::setw(9) << Pct(m.ma.at(k));
    os << std::setw(11) << Metres(m.median_m) << std::setw(9) << Metres(m.mean_m) << "\n";
  }
  return os.str();
}

}  // namespace crossview::pipeline

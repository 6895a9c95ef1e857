#include "crossview/eval/retrieval_report.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iomanip>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "crossview/data/image_io.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"
#include "crossview/util/npy.h"

namespace crossview::eval {
namespace {

double Pct(double v) { return std::round(v * 10000.0) / 100.0; }

cv::Mat Thumb(const std::filesystem::path& path, int side, const cv::Scalar& frame) {
  cv::Mat out(side, side, CV_8UC3, cv::Scalar(255, 255, 255));
  cv::Mat img;
  try {
    img = data::LoadImageRgb(path);
  } catch (const Error&) {
    cv::putText(out, "unreadable", {6, side / 2}, cv::FONT_HERSHEY_SIMPLEX, 0.4, {0, 0, 0}, 1, cv::LINE_AA);
  }
  const int border = 4;
  if (!img.empty()) {
    cv::Mat small;
    cv::resize(img, small, cv::Size(side - 2 * border, side - 2 * border), 0, 0, cv::INTER_AREA);
    small.copyTo(out(cv::Rect(border, border, small.cols, small.rows)));
  }
  cv::rectangle(out, cv::Rect(0, 0, side, side), frame, border);
  return out;
}

// OpenCV's Hershey fonts are ASCII only.
std::string Ascii(std::string s) {
  const std::string arrow = "→";
  for (size_t at = s.find(arrow); at != std::string::npos; at = s.find(arrow)) s.replace(at, arrow.size(), "->");
  return s;
}

}  // namespace

std::string DirectionKey(const std::string& direction) {
  if (direction == "D→S") return "d2s";
  if (direction == "S→D") return "s2d";
  return direction;
}

nlohmann::json MetricsEntry(const DirectionResult& r) {
  const RetrievalMetrics& m = r.metrics;
  return {{"direction", DirectionKey(r.direction)}, {"label", r.direction},
          {"queries", m.n_query},                   {"gallery", m.n_gallery},
          {"gallery_mode", GalleryModeName(m.mode)}, {"recall@1", Pct(m.recall_at_1)},
          {"recall@5", Pct(m.recall_at_5)},          {"recall@10", Pct(m.recall_at_10)},
          {"recall@top1", Pct(m.recall_top1_percent)}, {"recall@top1_rank", m.top1_percent_index + 1},
          {"ap", Pct(m.mean_ap)},                     {"skipped_queries", m.skipped_queries},
          {"descriptor_dim", r.dim}};
}

cv::Mat CmcPlot(const std::vector<double>& cmc, const std::string& title, int width, int height) {
  cv::Mat img(height, width, CV_8UC3, cv::Scalar(255, 255, 255));
  const int left = 56, right = 16, top = 34, bottom = 44;
  const cv::Rect area(left, top, width - left - right, height - top - bottom);
  const cv::Scalar axis(40, 40, 40), grid(225, 225, 225), curve(31, 119, 180);
  for (int p = 0; p <= 100; p += 20) {
    const int y = area.y + area.height - area.height * p / 100;
    cv::line(img, {area.x, y}, {area.x + area.width, y}, grid, 1);
    cv::putText(img, std::to_string(p), {8, y + 4}, cv::FONT_HERSHEY_SIMPLEX, 0.4, axis, 1, cv::LINE_AA);
  }
  const int n = static_cast<int>(cmc.size());
  auto x_of = [&](int k) { return area.x + (n <= 1 ? 0 : area.width * (k - 1) / (n - 1)); };
  for (int k : {1, 5, 10, 20, 50, 100}) {
    if (k > n) continue;
    cv::line(img, {x_of(k), area.y}, {x_of(k), area.y + area.height}, grid, 1);
    cv::putText(img, std::to_string(k), {x_of(k) - 6, area.y + area.height + 16}, cv::FONT_HERSHEY_SIMPLEX, 0.4, axis, 1, cv::LINE_AA);
  }
  cv::rectangle(img, area, axis, 1);
  std::vector<cv::Point> pts;
  for (int k = 1; k <= n; ++k) pts.emplace_back(x_of(k), area.y + area.height - static_cast<int>(std::lround(area.height * cmc[k - 1])));
  if (!pts.empty()) cv::polylines(img, pts, false, curve, 2, cv::LINE_AA);
  cv::putText(img, Ascii(title), {left, 22}, cv::FONT_HERSHEY_SIMPLEX, 0.5, axis, 1, cv::LINE_AA);
  cv::putText(img, "K (rank)", {area.x + area.width / 2 - 24, height - 10}, cv::FONT_HERSHEY_SIMPLEX, 0.45, axis, 1, cv::LINE_AA);
  cv::putText(img, "R@K %", {4, 22}, cv::FONT_HERSHEY_SIMPLEX, 0.4, axis, 1, cv::LINE_AA);
  return img;
}

cv::Mat RetrievalGrid(const DirectionResult& r, const datasets::EvalPair& pair, int rows, int thumb) {
  const size_t nq = pair.query.images.size();
  if (nq == 0 || r.top_indices.size() != nq) throw CV_ERROR(InvalidArgumentError, "retrieval grid needs the ranked lists of every query");
  const int shown = static_cast<int>(std::min<size_t>(nq, static_cast<size_t>(std::max(1, rows))));
  const int gap = 8;
  cv::Mat img(shown * (thumb + gap) + gap, 6 * thumb + 7 * gap + gap, CV_8UC3, cv::Scalar(255, 255, 255));
  for (int row = 0; row < shown; ++row) {
    const size_t qi = shown == 1 ? 0 : static_cast<size_t>(row) * (nq - 1) / static_cast<size_t>(shown - 1);
    const auto& q = pair.query.images[qi];
    const int y = gap + row * (thumb + gap);
    Thumb(q.path, thumb, cv::Scalar(128, 128, 128)).copyTo(img(cv::Rect(gap, y, thumb, thumb)));
    const auto& ranked = r.top_indices[qi];
    for (size_t k = 0; k < ranked.size() && k < 5; ++k) {
      const auto& g = pair.gallery.images[static_cast<size_t>(ranked[k])];
      const cv::Scalar frame = g.label == q.label ? cv::Scalar(0, 170, 0) : cv::Scalar(220, 0, 0);
      Thumb(g.path, thumb, frame).copyTo(img(cv::Rect(2 * gap + (static_cast<int>(k) + 1) * (thumb + gap), y, thumb, thumb)));
    }
  }
  return img;
}

cv::Mat DistanceHistogram(const DirectionResult& r, int bins, std::vector<int64_t>* intra_out, std::vector<int64_t>* inter_out, int width,
                          int height) {
  const size_t nq = r.query_labels.size(), ng = r.gallery_labels.size();
  if (r.dim <= 0 || r.query_features.size() != nq * static_cast<size_t>(r.dim) || r.gallery_features.size() != ng * static_cast<size_t>(r.dim)) {
    throw CV_ERROR(InvalidArgumentError, "distance histogram needs the descriptors of the evaluation");
  }
  std::vector<int64_t> intra(static_cast<size_t>(bins), 0), inter(static_cast<size_t>(bins), 0);
  for (size_t i = 0; i < nq; ++i) {
    for (size_t j = 0; j < ng; ++j) {
      if (r.gallery_labels[j] == kJunkLabel) continue;
      double s = 0;
      for (int64_t k = 0; k < r.dim; ++k) s += static_cast<double>(r.query_features[i * r.dim + k]) * r.gallery_features[j * r.dim + k];
      const int b = std::clamp(static_cast<int>(std::floor((s + 1.0) / 2.0 * bins)), 0, bins - 1);
      (r.query_labels[i] == r.gallery_labels[j] ? intra : inter)[static_cast<size_t>(b)]++;
    }
  }
  if (intra_out) *intra_out = intra;
  if (inter_out) *inter_out = inter;
  cv::Mat img(height, width, CV_8UC3, cv::Scalar(255, 255, 255));
  const int left = 40, right = 16, top = 30, bottom = 40;
  const cv::Rect area(left, top, width - left - right, height - top - bottom);
  int64_t ni = 0, ne = 0;
  for (int b = 0; b < bins; ++b) ni += intra[static_cast<size_t>(b)], ne += inter[static_cast<size_t>(b)];
  double peak = 1e-12;
  for (int b = 0; b < bins; ++b) {
    if (ni) peak = std::max(peak, static_cast<double>(intra[static_cast<size_t>(b)]) / ni);
    if (ne) peak = std::max(peak, static_cast<double>(inter[static_cast<size_t>(b)]) / ne);
  }
  const double bw = static_cast<double>(area.width) / bins;
  auto bar = [&](const std::vector<int64_t>& h, int64_t n, const cv::Scalar& colour, int offset) {
    for (int b = 0; b < bins && n > 0; ++b) {
      const int hpx = static_cast<int>(std::lround(area.height * (static_cast<double>(h[static_cast<size_t>(b)]) / n) / peak));
      const int x0 = area.x + static_cast<int>(b * bw) + offset, x1 = area.x + static_cast<int>((b + 0.5) * bw) + offset;
      if (hpx > 0) cv::rectangle(img, cv::Rect(x0, area.y + area.height - hpx, std::max(1, x1 - x0), hpx), colour, cv::FILLED);
    }
  };
  bar(inter, ne, cv::Scalar(220, 60, 60), 0);
  bar(intra, ni, cv::Scalar(40, 160, 40), static_cast<int>(bw / 2));
  cv::rectangle(img, area, cv::Scalar(40, 40, 40), 1);
  for (double v : {-1.0, -0.5, 0.0, 0.5, 1.0}) {
    const int x = area.x + static_cast<int>((v + 1.0) / 2.0 * area.width);
    std::ostringstream t;
    t << v;
    cv::putText(img, t.str(), {x - 8, area.y + area.height + 16}, cv::FONT_HERSHEY_SIMPLEX, 0.4, {40, 40, 40}, 1, cv::LINE_AA);
  }
  cv::putText(img, "score (cosine) " + Ascii(r.direction) + ": same location (green, " + std::to_string(ni) + ") vs other (red, " + std::to_string(ne) + ")",
              {left, 20}, cv::FONT_HERSHEY_SIMPLEX, 0.45, {40, 40, 40}, 1, cv::LINE_AA);
  return img;
}

cv::Mat FeaturePcaPlot(const DirectionResult& r, int locations, std::vector<cv::Point2f>* points_out, int side) {
  // The first `locations` distinct gallery labels, and every query/gallery row with one of them.
  std::vector<int64_t> chosen;
  for (int64_t l : r.gallery_labels) {
    if (l != kJunkLabel && std::find(chosen.begin(), chosen.end(), l) == chosen.end()) chosen.push_back(l);
    if (static_cast<int>(chosen.size()) == locations) break;
  }
  std::vector<const float*> rows;
  std::vector<int> colour_of, is_query;
  auto take = [&](const std::vector<float>& f, const std::vector<int64_t>& labels, bool query) {
    for (size_t i = 0; i < labels.size(); ++i) {
      auto it = std::find(chosen.begin(), chosen.end(), labels[i]);
      if (it == chosen.end()) continue;
      rows.push_back(f.data() + i * static_cast<size_t>(r.dim));
      colour_of.push_back(static_cast<int>(it - chosen.begin()));
      is_query.push_back(query ? 1 : 0);
    }
  };
  take(r.query_features, r.query_labels, true);
  take(r.gallery_features, r.gallery_labels, false);
  if (rows.size() < 3) throw CV_ERROR(InvalidArgumentError, "a feature plot needs at least 3 descriptors of the chosen locations");
  cv::Mat data(static_cast<int>(rows.size()), static_cast<int>(r.dim), CV_32F);
  for (size_t i = 0; i < rows.size(); ++i) std::memcpy(data.ptr<float>(static_cast<int>(i)), rows[i], static_cast<size_t>(r.dim) * sizeof(float));
  cv::PCA pca(data, cv::Mat(), cv::PCA::DATA_AS_ROW, 2);
  cv::Mat proj = pca.project(data);
  if (proj.cols < 2) cv::hconcat(proj, cv::Mat::zeros(proj.rows, 2 - proj.cols, CV_32F), proj);
  double x0, x1, y0, y1;
  cv::minMaxLoc(proj.col(0), &x0, &x1);
  cv::minMaxLoc(proj.col(1), &y0, &y1);
  cv::Mat img(side, side, CV_8UC3, cv::Scalar(255, 255, 255));
  const int margin = 24;
  auto px = [&](float x, float y) {
    return cv::Point(margin + static_cast<int>((x - x0) / std::max(1e-9, x1 - x0) * (side - 2 * margin)),
                     side - margin - static_cast<int>((y - y0) / std::max(1e-9, y1 - y0) * (side - 2 * margin)));
  };
  if (points_out) points_out->clear();
  for (int i = 0; i < proj.rows; ++i) {
    cv::Mat hsv(1, 1, CV_8UC3, cv::Scalar(static_cast<double>(colour_of[static_cast<size_t>(i)]) * 180.0 / std::max<size_t>(1, chosen.size()), 220, 200)), rgb;
    cv::cvtColor(hsv, rgb, cv::COLOR_HSV2RGB);
    const cv::Vec3b c = rgb.at<cv::Vec3b>(0, 0);
    const cv::Point p = px(proj.at<float>(i, 0), proj.at<float>(i, 1));
    if (points_out) points_out->emplace_back(proj.at<float>(i, 0), proj.at<float>(i, 1));
    if (is_query[static_cast<size_t>(i)]) cv::circle(img, p, 4, cv::Scalar(c[0], c[1], c[2]), cv::FILLED, cv::LINE_AA);
    else cv::rectangle(img, cv::Rect(p.x - 6, p.y - 6, 12, 12), cv::Scalar(c[0], c[1], c[2]), 2);
  }
  cv::putText(img, "PCA of descriptors, " + std::to_string(chosen.size()) + " locations (dots: queries, squares: gallery)", {8, 16},
              cv::FONT_HERSHEY_SIMPLEX, 0.4, {40, 40, 40}, 1, cv::LINE_AA);
  return img;
}

nlohmann::json WriteRetrievalReport(const std::vector<DirectionResult>& results, const std::vector<datasets::EvalPair>& pairs,
                                    const RetrievalReportOptions& o) {
  if (results.size() != pairs.size()) throw CV_ERROR(InternalError, "one evaluation pair per result expected");
  EnsureDirectory(o.out);
  nlohmann::json dirs = nlohmann::json::array();
  std::ostringstream md;
  md << "| direction | queries | gallery | R@1 | R@5 | R@10 | R@top1% | AP |\n|---|---|---|---|---|---|---|---|\n";
  for (size_t i = 0; i < results.size(); ++i) {
    const DirectionResult& r = results[i];
    nlohmann::json e = MetricsEntry(r);
    const std::string key = e["direction"];
    md << std::fixed << std::setprecision(2) << "| " << r.direction << " | " << r.metrics.n_query << " | " << r.metrics.n_gallery << " | "
       << e["recall@1"].get<double>() << " | " << e["recall@5"].get<double>() << " | " << e["recall@10"].get<double>() << " | "
       << e["recall@top1"].get<double>() << " | " << e["ap"].get<double>() << " |\n";
    data::SaveImage(o.out / ("cmc_" + key + ".png"), CmcPlot(r.metrics.cmc, "CMC " + r.direction + " (" + std::to_string(r.metrics.n_query) + " queries)"));
    data::SaveImage(o.out / ("grid_" + key + ".png"), RetrievalGrid(r, pairs[i], o.grid_rows));
    data::SaveImage(o.out / ("distances_" + key + ".png"), DistanceHistogram(r));
    e["distances_png"] = "distances_" + key + ".png";
    try {
      data::SaveImage(o.out / ("pca_" + key + ".png"), FeaturePcaPlot(r));
      e["pca_png"] = "pca_" + key + ".png";
    } catch (const InvalidArgumentError&) {
      e["pca_png"] = nullptr;  // too few descriptors to project
    }
    e["cmc_png"] = "cmc_" + key + ".png";
    e["grid_png"] = "grid_" + key + ".png";
    if (!o.features.empty()) {
      const std::filesystem::path d = o.features / key;
      EnsureDirectory(d);
      const int64_t nq = static_cast<int64_t>(r.query_labels.size()), ng = static_cast<int64_t>(r.gallery_labels.size());
      WriteNpy(d / "query_features.npy", NpyType::kFloat32, {nq, r.dim}, r.query_features.data());
      WriteNpy(d / "query_labels.npy", NpyType::kInt64, {nq}, r.query_labels.data());
      WriteNpy(d / "gallery_features.npy", NpyType::kFloat32, {ng, r.dim}, r.gallery_features.data());
      WriteNpy(d / "gallery_labels.npy", NpyType::kInt64, {ng}, r.gallery_labels.data());
      e["features_dir"] = d.string();
    }
    dirs.push_back(e);
  }
  nlohmann::json j = o.extra.is_object() ? o.extra : nlohmann::json::object();
  j["directions"] = dirs;
  j["protocol"] = "University-1652: cosine on L2-normalised descriptors, ties by ascending gallery index, junk removed, trapezoidal AP; ×100";
  WriteFileAtomic(o.out / "metrics.json", j.dump(2) + "\n");
  std::string summary = "# Retrieval evaluation\n\n" + md.str() + "\nCMC curves: cmc_<direction>.png; top-5 retrievals: grid_<direction>.png (green = same location).\n";
  WriteFileAtomic(o.out / "summary.md", summary);
  return j;
}

}  // namespace crossview::eval

#include "crossview/eval/robustness.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "crossview/util/errors.h"

namespace crossview::eval {
namespace {

std::string Num(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

}  // namespace

const std::vector<std::string>& RobustnessOptions::Studies() {
  static const std::vector<std::string> kStudies = {"shift", "rotate", "size", "parts"};
  return kStudies;
}

void RobustnessOptions::Check() const {
  const auto& s = Studies();
  if (std::find(s.begin(), s.end(), study) == s.end()) {
    throw CV_ERROR(InvalidArgumentError, "unknown robustness study '" + study + "'").Hint("valid: shift, rotate, size, parts");
  }
  for (double v : values) {
    if (study == "shift" && (v < 0 || v != std::floor(v))) throw CV_ERROR(InvalidArgumentError, "shifts are whole pixels >= 0").With("value", v);
    if (study == "size" && (v < 32 || std::fmod(v, 16.0) != 0.0)) throw CV_ERROR(InvalidArgumentError, "sizes must be multiples of 16, >= 32").With("value", v);
  }
}

std::vector<RobustnessPoint> RunRobustness(models::RetrievalNet& net, const datasets::EvalPair& pair, const RobustnessOptions& o) {
  o.Check();
  std::vector<double> values = o.values;
  std::vector<std::string> names;
  if (o.study == "parts") {
    values.clear();
    names.push_back("all parts");
    values.push_back(-1);
    if (net->options().method == "msba") {
      names.push_back("global only");
      values.push_back(-2);
    }
    for (int64_t p = 0; p < net->num_parts() && net->num_parts() > 1; ++p) {
      names.push_back("part " + std::to_string(p));
      values.push_back(static_cast<double>(p));
    }
  } else if (values.empty()) {
    values = o.study == "shift" ? std::vector<double>{0, 10, 20, 30, 40, 50}
             : o.study == "rotate" ? std::vector<double>{0, 65, 90, 180}
                                   : std::vector<double>{224, 256, 320, 384, 512};
  }
  std::vector<RobustnessPoint> points;
  for (size_t i = 0; i < values.size(); ++i) {
    const double v = values[i];
    ExtractOptions eo = o.extract;
    QueryTransform transform;
    RobustnessPoint pt;
    pt.value = v;
    if (o.study == "shift") {
      const int px = static_cast<int>(v);
      if (px > 0) transform = [=](const cv::Mat& img) { return transforms::ShiftQuery(img, px, o.pad); };
      pt.setting = Num(v) + " px " + (o.pad == transforms::ShiftPad::kFlip ? "flip" : "black");
    } else if (o.study == "rotate") {
      if (v != 0) transform = [=](const cv::Mat& img) { return transforms::RotateQuery(img, v); };
      pt.setting = Num(v) + " deg";
    } else if (o.study == "size") {
      eo.size = static_cast<int>(v);
      pt.setting = Num(v) + " px";
    } else {
      pt.setting = names[i];
      if (v == -2) eo.descriptor.msba_global_only = true;
      if (v >= 0) eo.descriptor.part = static_cast<int>(v);
    }
    auto t0 = std::chrono::steady_clock::now();
    pt.result = EvaluatePair(net, pair, eo, o.evaluate, transform);
    pt.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const size_t n = pair.query.images.size() + pair.gallery.images.size();
    pt.ms_per_query = n == 0 ? 0.0 : 1000.0 * pt.seconds / static_cast<double>(n);
    points.push_back(std::move(pt));
  }
  return points;
}

nlohmann::json ToJson(const std::vector<RobustnessPoint>& points, const RobustnessOptions& o) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& p : points) {
    nlohmann::json r = ToJson(p.result);
    r["setting"] = p.setting;
    r["value"] = p.value;
    r["seconds"] = p.seconds;
    r["ms_per_image"] = p.ms_per_query;
    rows.push_back(r);
  }
  return {{"study", o.study}, {"input_size", o.extract.size}, {"rows", rows}};
}

std::string RobustnessMarkdown(const std::vector<RobustnessPoint>& points, const RobustnessOptions& o) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(2) << "| " << o.study << " | direction | R@1 | R@5 | R@10 | AP | ms per image (describe + rank) |\n|---|---|---|---|---|---|---|\n";
  for (const auto& p : points) {
    const auto& m = p.result.metrics;
    os << "| " << p.setting << " | " << p.result.direction << " | " << 100 * m.recall_at_1 << " | " << 100 * m.recall_at_5 << " | "
       << 100 * m.recall_at_10 << " | " << 100 * m.mean_ap << " | " << std::setprecision(1) << p.ms_per_query << std::setprecision(2) << " |\n";
  }
  return os.str();
}

cv::Mat RobustnessPlot(const std::vector<RobustnessPoint>& points, const RobustnessOptions& o, int width, int height) {
  cv::Mat img(height, width, CV_8UC3, cv::Scalar(255, 255, 255));
  const int left = 48, right = 16, top = 34, bottom = 56;
  const cv::Rect area(left, top, width - left - right, height - top - bottom);
  const cv::Scalar axis(40, 40, 40), grid(225, 225, 225);
  for (int p = 0; p <= 100; p += 20) {
    const int y = area.y + area.height - area.height * p / 100;
    cv::line(img, {area.x, y}, {area.x + area.width, y}, grid, 1);
    cv::putText(img, std::to_string(p), {8, y + 4}, cv::FONT_HERSHEY_SIMPLEX, 0.4, axis, 1, cv::LINE_AA);
  }
  const size_t n = points.size();
  auto x_of = [&](size_t i) { return area.x + (n <= 1 ? area.width / 2 : static_cast<int>(area.width * i / (n - 1))); };
  auto y_of = [&](double frac) { return area.y + area.height - static_cast<int>(std::lround(area.height * frac)); };
  std::vector<cv::Point> r1, ap;
  for (size_t i = 0; i < n; ++i) {
    r1.emplace_back(x_of(i), y_of(points[i].result.metrics.recall_at_1));
    ap.emplace_back(x_of(i), y_of(points[i].result.metrics.mean_ap));
    cv::putText(img, points[i].setting, {x_of(i) - 18, area.y + area.height + 16 + static_cast<int>(i % 2) * 14}, cv::FONT_HERSHEY_SIMPLEX, 0.35, axis, 1,
                cv::LINE_AA);
  }
  const cv::Scalar c1(31, 119, 180), c2(255, 127, 14);
  cv::polylines(img, r1, false, c1, 2, cv::LINE_AA);
  cv::polylines(img, ap, false, c2, 2, cv::LINE_AA);
  for (const auto& p : r1) cv::circle(img, p, 3, c1, cv::FILLED);
  for (const auto& p : ap) cv::circle(img, p, 3, c2, cv::FILLED);
  cv::rectangle(img, area, axis, 1);
  cv::putText(img, o.study + " study: R@1 (blue), AP (orange), %", {left, 22}, cv::FONT_HERSHEY_SIMPLEX, 0.5, axis, 1, cv::LINE_AA);
  return img;
}

}  // namespace crossview::eval

#include "crossview/eval/retrieval_report.h"

#include <gtest/gtest.h>

#include <cstring>

#include "crossview/data/image_io.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"
#include "crossview/util/npy.h"

namespace crossview::eval {
namespace {

namespace fs = std::filesystem;

// Two queries (labels 1, 2) against three gallery items (labels 1, 2, 3) with crafted 2-D
// descriptors: query 1 ranks [g1, g3, g2], query 2 ranks [g2, g3, g1] (both correct first).
struct Crafted {
  TempDir tmp;
  datasets::EvalPair pair;
  DirectionResult result;
};

datasets::ImageEntry Image(const fs::path& dir, const std::string& name, int label, const cv::Scalar& colour) {
  data::SaveImage(dir / name, cv::Mat(40, 40, CV_8UC3, colour));
  return {dir / name, label, label - 1};
}

std::unique_ptr<Crafted> Make() {
  auto c = std::make_unique<Crafted>();
  const fs::path d = c->tmp.path();
  c->pair.direction = datasets::Direction::kDroneToSatellite;
  c->pair.query.images = {Image(d, "q1.png", 1, {200, 0, 0}), Image(d, "q2.png", 2, {0, 200, 0})};
  c->pair.gallery.images = {Image(d, "g1.png", 1, {200, 0, 0}), Image(d, "g2.png", 2, {0, 200, 0}), Image(d, "g3.png", 3, {0, 0, 200})};
  const float s = 0.70710678f;
  std::vector<float> q = {1, 0, 0, 1};
  std::vector<float> g = {1, 0, 0.6f, 0.8f, s, s};
  // q1: g1 1.0, g2 0.6, g3 0.707 → [g1, g3, g2]; q2: g1 0, g2 0.8, g3 0.707 → [g2, g3, g1].
  c->result.direction = "D→S";
  c->result.metrics = EvaluateRetrieval(q, {1, 2}, g, {1, 2, 3}, 2);
  c->result.top_indices = {{0, 2, 1}, {1, 2, 0}};
  c->result.query_features = q;
  c->result.gallery_features = g;
  c->result.query_labels = {1, 2};
  c->result.gallery_labels = {1, 2, 3};
  c->result.dim = 2;
  return c;
}

TEST(RetrievalReportTest, WritesMetricsSummaryPicturesAndFeatures) {
  auto c = Make();
  RetrievalReportOptions o;
  o.out = c->tmp.path() / "report";
  o.features = c->tmp.path() / "features";
  o.extra = {{"model", "crafted"}};
  nlohmann::json j = WriteRetrievalReport({c->result}, {c->pair}, o);
  nlohmann::json file = nlohmann::json::parse(ReadFile(o.out / "metrics.json"));
  EXPECT_EQ(file, j);
  EXPECT_EQ(j["model"], "crafted");
  const nlohmann::json& e = j["directions"][0];
  EXPECT_EQ(e["direction"], "d2s");
  EXPECT_EQ(e["queries"], 2);
  EXPECT_EQ(e["gallery"], 3);
  EXPECT_EQ(e["recall@1"], 100.0);  // both queries rank their location first
  EXPECT_EQ(e["recall@5"], 100.0);
  EXPECT_EQ(e["ap"], 100.0);
  EXPECT_NE(ReadFile(o.out / "summary.md").find("| D→S | 2 | 3 | 100.00 |"), std::string::npos);
  // Features round trip through .npy.
  NpyArray qf = ReadNpy(o.features / "d2s" / "query_features.npy");
  EXPECT_EQ(qf.shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(std::memcmp(qf.bytes.data(), c->result.query_features.data(), 16), 0);
  NpyArray gl = ReadNpy(o.features / "d2s" / "gallery_labels.npy");
  EXPECT_EQ(gl.type, NpyType::kInt64);
  EXPECT_EQ(gl.shape, (std::vector<int64_t>{3}));
  int64_t labels[3];
  std::memcpy(labels, gl.bytes.data(), sizeof(labels));
  EXPECT_EQ(labels[2], 3);
  // The grid: query 1's rank-1 frame is green (same location), its rank-2 frame red.
  cv::Mat grid = data::LoadImageRgb(o.out / "grid_d2s.png");
  const int thumb = 112, gap = 8;
  EXPECT_EQ(grid.cols, 6 * thumb + 8 * gap);
  EXPECT_EQ(grid.rows, 2 * (thumb + gap) + gap);
  auto frame = [&](int row, int rank) { return grid.at<cv::Vec3b>(gap + row * (thumb + gap) + 1, 2 * gap + rank * (thumb + gap) + 1); };
  EXPECT_EQ(frame(0, 1), cv::Vec3b(0, 170, 0));
  EXPECT_EQ(frame(0, 2), cv::Vec3b(220, 0, 0));
  EXPECT_EQ(frame(1, 1), cv::Vec3b(0, 170, 0));
  EXPECT_TRUE(fs::exists(o.out / "cmc_d2s.png"));
  EXPECT_TRUE(fs::exists(o.out / "distances_d2s.png"));
  EXPECT_TRUE(fs::exists(o.out / "pca_d2s.png"));
}

TEST(RetrievalReportTest, DistanceHistogramCountsEveryPairInItsBin) {
  auto c = Make();
  std::vector<int64_t> intra, inter;
  DistanceHistogram(c->result, 40, &intra, &inter);
  // Same location: q1·g1 = 1 (last bin), q2·g2 = 0.8 → bin floor(1.8/2·40) = 36.
  EXPECT_EQ(intra[39], 1);
  EXPECT_EQ(intra[36], 1);
  int64_t ni = 0, ne = 0;
  for (int64_t v : intra) ni += v;
  for (int64_t v : inter) ne += v;
  EXPECT_EQ(ni, 2);
  EXPECT_EQ(ne, 4);
  // Other locations: q1·g2 = 0.6 → 32, q1·g3 = 0.707 → 34, q2·g1 = 0 → 20, q2·g3 = 0.707 → 34.
  EXPECT_EQ(inter[32], 1);
  EXPECT_EQ(inter[34], 2);
  EXPECT_EQ(inter[20], 1);
}

TEST(RetrievalReportTest, PcaPlotProjectsEveryChosenDescriptor) {
  auto c = Make();
  std::vector<cv::Point2f> pts;
  cv::Mat img = FeaturePcaPlot(c->result, 10, &pts);
  EXPECT_EQ(pts.size(), 5u);  // 2 queries + 3 gallery items
  EXPECT_EQ(img.size(), cv::Size(520, 520));
  // Query 1 and gallery 1 have the same descriptor: the same projection.
  EXPECT_FLOAT_EQ(pts[0].x, pts[2].x);
  EXPECT_FLOAT_EQ(pts[0].y, pts[2].y);
  // Location 1 alone has two descriptors (q1, g1): too few for a plot.
  EXPECT_THROW(FeaturePcaPlot(c->result, 1), InvalidArgumentError);
}

TEST(RetrievalReportTest, CmcPlotDrawsTheCurveAtItsValues) {
  // R@K = 50 % for every K: the curve is a horizontal line at half height of the plot area.
  cv::Mat img = CmcPlot(std::vector<double>(100, 0.5), "flat");
  const int top = 34, bottom = 44, height = 420;
  const int y = top + (height - top - bottom) / 2;
  EXPECT_EQ(img.at<cv::Vec3b>(y, 300), cv::Vec3b(31, 119, 180));
  EXPECT_NE(img.at<cv::Vec3b>(y - 20, 300), cv::Vec3b(31, 119, 180));
}

}  // namespace
}  // namespace crossview::eval

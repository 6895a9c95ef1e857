#include "crossview/eval/robustness.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "crossview/data/image_io.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"

namespace crossview::eval {
namespace {

namespace fs = std::filesystem;

// Three locations; drone views are the satellite tiles with a colour cast.
datasets::EvalPair MakePair(const fs::path& dir) {
  datasets::EvalPair p;
  p.direction = datasets::Direction::kDroneToSatellite;
  cv::RNG rng(5);
  for (int l = 1; l <= 3; ++l) {
    cv::Mat sat(48, 48, CV_8UC3);
    rng.fill(sat, cv::RNG::UNIFORM, 0, 256);
    cv::Mat drone = sat * 0.9;
    data::SaveImage(dir / ("s" + std::to_string(l) + ".png"), sat);
    data::SaveImage(dir / ("d" + std::to_string(l) + ".png"), drone);
    p.gallery.images.push_back({dir / ("s" + std::to_string(l) + ".png"), l, l - 1});
    p.query.images.push_back({dir / ("d" + std::to_string(l) + ".png"), l, l - 1});
  }
  return p;
}

models::RetrievalNet SmallMsba() {
  models::RetrievalNetOptions o;
  o.method = "msba";
  o.backbone = {18, 1, 8, 1000};
  o.num_classes = 3;
  o.bottleneck = 16;
  torch::manual_seed(9);
  return models::RetrievalNet(o);
}

TEST(RobustnessTest, ShiftZeroIsThePlainEvaluationAndEveryPointIsRecorded) {
  TempDir tmp;
  datasets::EvalPair pair = MakePair(tmp.path());
  models::RetrievalNet net = SmallMsba();
  RobustnessOptions o;
  o.study = "shift";
  o.values = {0, 8};
  o.extract.size = 32;
  std::vector<RobustnessPoint> pts = RunRobustness(net, pair, o);
  ASSERT_EQ(pts.size(), 2u);
  EXPECT_EQ(pts[0].setting, "0 px black");
  DirectionResult plain = EvaluatePair(net, pair, o.extract);
  EXPECT_EQ(pts[0].result.metrics.recall_at_1, plain.metrics.recall_at_1);
  EXPECT_EQ(pts[0].result.query_features, plain.query_features);
  EXPECT_NE(pts[1].result.query_features, plain.query_features);  // shifted queries describe differently
  EXPECT_EQ(pts[1].result.gallery_features, plain.gallery_features);  // the gallery is untouched
  nlohmann::json j = ToJson(pts, o);
  EXPECT_EQ(j["rows"].size(), 2u);
  EXPECT_NE(RobustnessMarkdown(pts, o).find("| 8 px black | D→S |"), std::string::npos);
  EXPECT_EQ(RobustnessPlot(pts, o).size(), cv::Size(640, 400));
}

TEST(RobustnessTest, PartsStudyHasAllGlobalAndEachColumn) {
  TempDir tmp;
  datasets::EvalPair pair = MakePair(tmp.path());
  models::RetrievalNet net = SmallMsba();
  RobustnessOptions o;
  o.study = "parts";
  o.extract.size = 32;
  std::vector<RobustnessPoint> pts = RunRobustness(net, pair, o);
  ASSERT_EQ(pts.size(), 9u);  // all, global only, parts 0..6
  EXPECT_EQ(pts[1].setting, "global only");
  EXPECT_EQ(pts[8].setting, "part 6");
  EXPECT_EQ(pts[0].result.dim, 16 * 7);
  EXPECT_EQ(pts[1].result.dim, 16);
  // Global only is column 6 alone.
  EXPECT_EQ(pts[1].result.query_features, pts[8].result.query_features);
}

TEST(RobustnessTest, OptionsAreChecked) {
  RobustnessOptions o;
  o.study = "blur";
  EXPECT_THROW(o.Check(), InvalidArgumentError);
  o.study = "size";
  o.values = {100};
  EXPECT_THROW(o.Check(), InvalidArgumentError);
  o.study = "shift";
  o.values = {2.5};
  EXPECT_THROW(o.Check(), InvalidArgumentError);
}

}  // namespace
}  // namespace crossview::eval

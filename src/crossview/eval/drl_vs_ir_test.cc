#include "crossview/eval/drl_vs_ir.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <opencv2/core.hpp>

#include "crossview/data/image_io.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"
#include "crossview/util/random.h"

namespace crossview::eval {
namespace {

// A 5×5 grid of distinct random-noise tiles (s = 32 px each, so the map is 160 px and the K = 5
// grid cuts exactly these tiles), the UAV image is tile (row 1, col 3) itself.
struct Crafted {
  TempDir tmp;
  datasets::Ul14TestSample sample;
};

std::unique_ptr<Crafted> MakeCrafted(int s) {
  auto c = std::make_unique<Crafted>();
  cv::Mat map(5 * s, 5 * s, CV_8UC3);
  cv::RNG rng(7);
  rng.fill(map, cv::RNG::UNIFORM, 0, 256);
  data::SaveImage(c->tmp.path() / "0.png", map);
  data::SaveImage(c->tmp.path() / "uav.png", map(cv::Rect(3 * s, 1 * s, s, s)).clone());
  c->sample.folder = "crafted_100_0001";
  c->sample.name = {"crafted", 100, 1};
  c->sample.uav_image = c->tmp.path() / "uav.png";
  datasets::Ul14SearchMapRecord m;
  m.name = "0.png";
  m.path = c->tmp.path() / "0.png";
  // 0.001° square map; the UAV at the centre of tile (1, 3): fractions (0.3, 0.7).
  m.gps = {10.0, 50.001, 10.001, 50.0, 0.0, 0.0, 700};
  m.label = {static_cast<int>(0.3 * 768), static_cast<int>(0.7 * 768)};
  c->sample.maps = {m};
  c->sample.uav_lat_lon = {50.001 - 0.3 * 0.001, 10.0 + 0.7 * 0.001};
  return c;
}

TEST(DrlVsIrTest, GridRetrievalFindsTheTileTheUavIsAndAccountsTilesAndBytes) {
  const int s = 32;
  auto c = MakeCrafted(s);
  torch::manual_seed(3);
  models::RetrievalNetOptions ro;
  ro.method = "baseline";
  ro.backbone = {18, 1, 8, 1000};
  ro.num_classes = 5;
  ro.bottleneck = 16;
  models::RetrievalNet ir(ro);
  models::drl::DrlNetOptions dopt = models::drl::DrlNetOptions::Small();
  dopt.output_size = 64;
  models::drl::DrlNet drl(dopt);
  DrlVsIrOptions o;
  o.variants = {{5, 1.0}, {5, 0.5}, {3, 1.0}};
  o.ir_input_size = s;
  o.uav_size = 32;
  o.satellite_size = 64;
  o.hanning_size = 5;
  DrlVsIrResult r = CompareDrlWithRetrieval(drl, ir, {c->sample}, o);
  ASSERT_EQ(r.rows.size(), 4u);
  EXPECT_EQ(r.pairs, 1);
  EXPECT_EQ(r.rows[0].name, "DRL");
  // K = 5: the UAV image is tile (1, 3), found with cosine 1; its centre is the truth, so the
  // prediction in the 400-px frame is (120, 280) and the error is the truncation only.
  const DrlVsIrRow& k5 = r.rows[1];
  EXPECT_EQ(k5.tiles_per_map, 25);
  ASSERT_EQ(k5.samples.size(), 1u);
  EXPECT_LT(k5.samples[0].meter_error, 0.5);  // 0.001° ≈ 111 m over 400 px: under one frame pixel
  // RDS against the label in the frame: trunc(230/768·400) = 119, trunc(537/768·400) = 279.
  EXPECT_DOUBLE_EQ(k5.samples[0].rds, RelativeDistanceScore({120, 280}, {119, 279}, 400));
  EXPECT_EQ(k5.metrics.ma.at(1), 1.0);
  // Half-overlapping tiles: (160 − 32) / 16 + 1 = 9 per side; the exact tile is among them.
  EXPECT_EQ(r.rows[2].tiles_per_map, 81);
  EXPECT_LT(r.rows[2].samples[0].meter_error, 0.5);
  EXPECT_EQ(r.rows[3].tiles_per_map, 9);
  // Storage: GF = tiles × D × 4; SI = the map file; DRL keeps no gallery.
  EXPECT_EQ(k5.gf_bytes, 25 * r.descriptor_dim * 4);
  EXPECT_EQ(k5.si_bytes, static_cast<int64_t>(std::filesystem::file_size(c->tmp.path() / "0.png")));
  EXPECT_GT(k5.gi_bytes, 0);
  EXPECT_EQ(r.rows[0].gf_bytes, 0);
  EXPECT_EQ(r.rows[0].gi_bytes, 0);
  EXPECT_EQ(r.rows[0].time.gfp_s, 0.0);
  EXPECT_GT(k5.time.gfp_s, 0.0);
  nlohmann::json j = ToJson(r, o);
  EXPECT_EQ(j["rows"][1]["grid"]["tiles_per_map"], 25);
  const std::string md = DrlVsIrMarkdown(r, o);
  EXPECT_NE(md.find("| IR grid K=5 | 25 | "), std::string::npos) << md;
  EXPECT_NE(md.find("Table III"), std::string::npos);
}

TEST(DrlVsIrTest, OptionsAreChecked) {
  DrlVsIrOptions o;
  o.variants = {{0, 1.0}};
  EXPECT_THROW(o.Check(), InvalidArgumentError);
  o.variants = {{5, 1.5}};
  EXPECT_THROW(o.Check(), InvalidArgumentError);
  o.variants = {};
  EXPECT_THROW(o.Check(), InvalidArgumentError);
}

}  // namespace
}  // namespace crossview::eval

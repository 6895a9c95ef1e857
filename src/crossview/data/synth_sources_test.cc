#include "crossview/data/synth_sources.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "crossview/data/ir_plan.h"
#include "crossview/data/synth_test_support.h"
#include "crossview/util/errors.h"
#include "crossview/util/paths.h"

namespace crossview::data {
namespace {

geo::TextureTable Table() { return geo::ReadTextureTable(AerialCacheDir() / testing::kTexturesTsv); }

int SourceIndex(const SynthCatalog& c, const std::string& name) {
  for (size_t i = 0; i < c.sources.size(); ++i) {
    if (c.sources[i].name == name) return static_cast<int>(i);
  }
  throw CV_ERROR(NotFoundError, "no such source").With("name", name);
}

// Pearson correlation of the high-passed luminance of two same-size RGB images.
double HighPassCorrelation(const cv::Mat& a_rgb, const cv::Mat& b_rgb) {
  auto high = [](const cv::Mat& rgb) {
    cv::Mat grey, f, blur;
    cv::cvtColor(rgb, grey, cv::COLOR_RGB2GRAY);
    grey.convertTo(f, CV_32F);
    cv::GaussianBlur(f, blur, cv::Size(0, 0), 3.0);
    return cv::Mat(f - blur);
  };
  cv::Mat ha = high(a_rgb), hb = high(b_rgb), r;
  cv::matchTemplate(ha, hb, r, cv::TM_CCOEFF_NORMED);
  return r.at<float>(0, 0);
}

// Loads the sources of a catalogue that `plan` needs (every family's members).
std::vector<LoadedMap> LoadFamilies(const SynthCatalog& catalog) {
  std::vector<LoadedMap> maps(catalog.sources.size());
  for (const SynthFamily& f : catalog.families) {
    const size_t base = static_cast<size_t>(f.members[0]);
    if (maps[base].pyramid == nullptr) maps[base] = LoadMapSource(catalog.sources[base]);
  }
  return maps;
}

TEST(RollImageTest, MatchesNumpyRoll) {
  cv::Mat m(3, 4, CV_8UC1);
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 4; ++c) m.at<uint8_t>(r, c) = static_cast<uint8_t>(10 * r + c);
  }
  // out[r][c] = in[(r − 1) mod 3][(c + 1) mod 4] for a roll of (+1, −1).
  const cv::Mat out = RollImage(m, 1, -1);
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 4; ++c) EXPECT_EQ(out.at<uint8_t>(r, c), m.at<uint8_t>((r + 2) % 3, (c + 1) % 4));
  }
  EXPECT_EQ(cv::norm(RollImage(RollImage(m, 1, -1), -1, 1), m, cv::NORM_INF), 0.0);
}

TEST(TextureCatalogTest, FamiliesSplitsAndQuirksComeFromTheTable) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  IrSynthOptions o = IrPreset("ci");
  const SynthCatalog c = TextureCatalog(Table(), AerialCacheDir(), o);
  EXPECT_EQ(c.sources.size(), 33u);
  std::map<std::string, std::string> split;
  for (const SynthFamily& f : c.families) split[f.name] = f.split;
  EXPECT_EQ(split.size(), 25u);  // 16 train (2 as validation) + 6 test + 3 distractor
  EXPECT_EQ(split["australia_suburbs"], "validation");
  EXPECT_EQ(split["drycrop"], "validation");
  EXPECT_EQ(split["cemetery"], "train");
  EXPECT_EQ(split["town-europe"], "test");
  EXPECT_EQ(split["forest"], "distractor");
  for (const SynthFamily& f : c.families) {
    for (const SynthFamily& g : c.families) {
      if (f.split != g.split) {
        for (int m : f.members) EXPECT_EQ(std::count(g.members.begin(), g.members.end(), m), 0);
      }
    }
    if (f.name == "town-europe") {
      ASSERT_EQ(f.members.size(), 5u);
      EXPECT_EQ(c.sources[static_cast<size_t>(f.members[0])].name, "town-europe");  // the base comes first
    }
    if (f.name == "us-city") {
      EXPECT_EQ(f.members.size(), 1u);  // city2 is split 'none'
    }
  }
  EXPECT_NE(c.unused_reason[static_cast<size_t>(SourceIndex(c, "city2"))].find("none"), std::string::npos);
  for (const char* name : {"cemetery", "industry-midle-east", "town-middle-east", "Town1", "irrcrop-europe"}) {
    EXPECT_TRUE(c.sources[static_cast<size_t>(SourceIndex(c, name))].periodic_half) << name;
  }
  EXPECT_FALSE(c.sources[static_cast<size_t>(SourceIndex(c, "town-europe"))].periodic_half);
  EXPECT_EQ(c.sources[static_cast<size_t>(SourceIndex(c, "town-caribbean"))].alignment_roll_rc, cv::Vec2i(-105, 41));
  EXPECT_EQ(c.sources[static_cast<size_t>(SourceIndex(c, "town-europe"))].alignment_roll_rc, cv::Vec2i(0, 0));
  // Members share the ground: the .green file covers its partner's 1802 m square and anchor.
  const MapSource& green = c.sources[static_cast<size_t>(SourceIndex(c, "countryside2.green"))];
  const MapSource& full = c.sources[static_cast<size_t>(SourceIndex(c, "uk_countryside2"))];
  EXPECT_DOUBLE_EQ(green.frame.WidthM(), full.frame.WidthM());
  EXPECT_DOUBLE_EQ(green.anchor.lat_deg, full.anchor.lat_deg);
  EXPECT_DOUBLE_EQ(green.anchor.lon_deg, full.anchor.lon_deg);
}

TEST(TextureCatalogTest, RejectsFamiliesAgainstTheirSplit) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  IrSynthOptions o = IrPreset("tiny");
  o.train_families = {"california-town2"};  // a test family
  try {
    TextureCatalog(Table(), AerialCacheDir(), o);
    FAIL() << "expected an error";
  } catch (const InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("california-town2"), std::string::npos) << e.what();
  }
  o.train_families = {"atlantis"};
  EXPECT_THROW(TextureCatalog(Table(), AerialCacheDir(), o), NotFoundError);
}

TEST(TextureLoadTest, UnrolledRecoloursAndGreensAlignWithTheirPartner) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  const SynthCatalog c = TextureCatalog(Table(), AerialCacheDir(), IrPreset("ci"));
  const LoadedMap base = LoadMapSource(c.sources[static_cast<size_t>(SourceIndex(c, "town-europe"))]);
  const MapSource autumn = c.sources[static_cast<size_t>(SourceIndex(c, "town-europe-autumn"))];
  const LoadedMap aligned = LoadMapSource(autumn);
  EXPECT_GE(HighPassCorrelation(base.rgb, aligned.rgb), 0.85);  // 0.90 measured (data.md §1.3)
  MapSource raw = autumn;
  raw.alignment_roll_rc = {0, 0};
  EXPECT_LT(HighPassCorrelation(base.rgb, LoadMapSource(raw).rgb), 0.3);

  const LoadedMap uk = LoadMapSource(c.sources[static_cast<size_t>(SourceIndex(c, "uk_countryside2"))]);
  const LoadedMap green = LoadMapSource(c.sources[static_cast<size_t>(SourceIndex(c, "countryside2.green"))]);
  cv::Mat half;
  cv::resize(uk.rgb, half, green.rgb.size(), 0, 0, cv::INTER_AREA);
  EXPECT_GE(HighPassCorrelation(half, green.rgb), 0.9);  // 0.97 measured
}

TEST(CapacityTest, CaliforniaPortCannotHostTheSpiral) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  IrSynthOptions o = IrPreset("tiny");
  o.train_families = {"california-town"};  // 614 m: fits only at its very centre
  o.test_families = {"california-port"};   // 502 m: cannot fit a 288 m reach
  o.distractors = 0;
  const SynthCatalog c = TextureCatalog(Table(), AerialCacheDir(), o);
  const IrPlan plan = PlanIrTargets(o, c, LoadFamilies(c), 1);
  EXPECT_NEAR(plan.drone_reach_m, 288.0, 0.5);
  for (size_t i = 0; i < c.families.size(); ++i) {
    if (c.families[i].name == "california-port") {
      EXPECT_NE(plan.families[i].skipped_reason.find("needs 288.1 m"), std::string::npos) << plan.families[i].skipped_reason;
      EXPECT_EQ(plan.families[i].targets_placed, 0);
    } else {
      EXPECT_TRUE(plan.families[i].skipped_reason.empty());
      ASSERT_TRUE(plan.families[i].centre_region_xy_px.has_value());
      EXPECT_LT(plan.families[i].centre_region_xy_px->width * 0.6, 40.0);  // 614 − 2·288 = 38 m
      EXPECT_GE(plan.families[i].targets_placed, 1);
    }
  }
  EXPECT_EQ(plan.Count("test"), 0);
  // The SUES-200 heights reach 244 m at most: the port then fits (barely).
  o.layout = IrLayout::kSues200;
  const IrPlan sues = PlanIrTargets(o, c, LoadFamilies(c), 1);
  EXPECT_EQ(sues.Count("test"), 1);
}

TEST(CapacityTest, PeriodicTexturesPlaceCentresInTheLeftHalfOnly) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  IrSynthOptions o = IrPreset("tiny");
  o.layout = IrLayout::kSues200;  // smaller reach: more room for candidates
  o.train_families = {"town-middle-east", "Town1", "industry-midle-east", "cemetery", "irrcrop-europe"};
  o.test_families = {"california-town2"};
  o.train_targets_per_family = 30;
  o.distractors = 0;
  const SynthCatalog c = TextureCatalog(Table(), AerialCacheDir(), o);
  const IrPlan plan = PlanIrTargets(o, c, LoadFamilies(c), 2);
  int periodic_targets = 0;
  for (const PlannedTarget& t : plan.targets) {
    const MapSource& s = c.sources[static_cast<size_t>(t.source)];
    if (!s.periodic_half) continue;
    ++periodic_targets;
    EXPECT_LT(t.centre_xy_px[0], 0.5 * s.frame.width_px) << s.name << " target " << t.id;
  }
  EXPECT_GE(periodic_targets, 20);
  for (size_t i = 0; i < c.families.size(); ++i) {
    const MapSource& s = c.sources[static_cast<size_t>(c.families[i].members[0])];
    if (!s.periodic_half) continue;
    ASSERT_TRUE(plan.families[i].centre_region_xy_px.has_value());
    EXPECT_LE(plan.families[i].centre_region_xy_px->br().x, 0.5 * s.frame.width_px);
  }
}

}  // namespace
}  // namespace crossview::data

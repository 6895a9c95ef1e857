#include "crossview/data/ir_options.h"

#include <gtest/gtest.h>

#include "crossview/data/flight_pattern.h"
#include "crossview/util/errors.h"

namespace crossview::data {
namespace {

using Strings = std::vector<std::string>;

TEST(IrPresetTest, TinyMatchesTheSpecTable) {
  const IrSynthOptions o = IrPreset("tiny");
  EXPECT_NO_THROW(o.Check());
  EXPECT_EQ(o.train_families, (Strings{"australia_suburbs", "california-industry", "drycrop", "uk-countryside1"}));
  EXPECT_EQ(o.test_families, (Strings{"california-town2", "uk-countryside2"}));
  EXPECT_TRUE(o.validation_families.empty());
  EXPECT_EQ(o.train_targets_per_family, 4);
  EXPECT_EQ(o.test_targets_per_family, 4);
  EXPECT_EQ(o.distractors, 4);
  EXPECT_EQ(o.spiral.num_views, 4);
  EXPECT_EQ(o.drone_size_px, 96);
  EXPECT_EQ(o.satellite_size_px, 96);
  EXPECT_EQ(o.sues.views_per_height, 2);
  EXPECT_EQ(o.temporal, TemporalMode::kSame);
  EXPECT_FALSE(o.drone_photometric.off);
  EXPECT_FALSE(o.cross_test_set || o.occlusion_test_set);
  // Positions 1, 19, 36, 54 of the spiral.
  Strings names;
  for (const DroneViewSpec& v : SpiralViews(o.spiral)) names.push_back(v.name);
  EXPECT_EQ(names, (Strings{"image-01", "image-19", "image-36", "image-54"}));
}

TEST(IrPresetTest, CiAndFullMatchTheSpecTable) {
  const IrSynthOptions ci = IrPreset("ci");
  EXPECT_NO_THROW(ci.Check());
  EXPECT_TRUE(ci.train_families.empty() && ci.test_families.empty());  // every family of the split
  EXPECT_EQ(ci.validation_families, (Strings{"australia_suburbs", "drycrop"}));
  EXPECT_EQ(ci.train_targets_per_family, 8);
  EXPECT_EQ(ci.test_targets_per_family, 8);
  EXPECT_EQ(ci.distractors, 15);
  EXPECT_EQ(ci.spiral.num_views, 12);
  EXPECT_EQ(ci.drone_size_px, 128);
  EXPECT_EQ(ci.satellite_size_px, 128);
  EXPECT_EQ(ci.sues.views_per_height, 10);

  const IrSynthOptions full = IrPreset("full");
  EXPECT_NO_THROW(full.Check());
  EXPECT_EQ(full.train_targets_per_family, 40);
  EXPECT_EQ(full.test_targets_per_family, 40);
  EXPECT_DOUBLE_EQ(full.distractor_min_fraction, 0.35);
  EXPECT_EQ(full.spiral.num_views, 54);
  EXPECT_EQ(full.drone_size_px, 256);
  EXPECT_EQ(full.satellite_size_px, 256);
  EXPECT_EQ(full.sues.views_per_height, 50);
  EXPECT_TRUE(full.cross_test_set);
  EXPECT_TRUE(full.occlusion_test_set);
  EXPECT_EQ(SpiralViews(full.spiral).size(), 54u);
  EXPECT_EQ(SuesViews(full.sues, 150).size(), 50u);
  EXPECT_EQ(AllSuesViews(full.sues).size(), 200u);
}

TEST(IrPresetTest, UnknownNamesListTheValidOnes) {
  try {
    IrPreset("huge");
    FAIL() << "expected an error";
  } catch (const InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("tiny, ci, full"), std::string::npos) << e.what();
  }
  try {
    ParseIrLayout("u1652");
    FAIL() << "expected an error";
  } catch (const InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("university1652, sues200, multitemporal"), std::string::npos) << e.what();
  }
  EXPECT_THROW(ParseTemporalMode("seasonal"), InvalidArgumentError);
  EXPECT_EQ(ParseIrLayout("sues200"), IrLayout::kSues200);
  EXPECT_EQ(ParseTemporalMode("multi"), TemporalMode::kMulti);
}

TEST(IrOptionsTest, CheckRejectsInconsistentOptions) {
  IrSynthOptions o = IrPreset("tiny");
  o.layout = IrLayout::kMultitemporal;  // needs temporal = multi
  EXPECT_THROW(o.Check(), InvalidArgumentError);
  o.temporal = TemporalMode::kMulti;
  EXPECT_NO_THROW(o.Check());

  o = IrPreset("tiny");
  o.test_families.push_back("drycrop");  // already a train family
  EXPECT_THROW(o.Check(), InvalidArgumentError);

  o = IrPreset("tiny");
  o.drone_size_px = 0;
  EXPECT_THROW(o.Check(), InvalidArgumentError);

  o = IrPreset("tiny");
  o.source.gsd_m = 1.0;  // without --source
  EXPECT_THROW(o.Check(), InvalidArgumentError);

  o = IrPreset("tiny");
  o.spiral.num_views = 60;  // more than the 54 positions
  EXPECT_THROW(o.Check(), InvalidArgumentError);
}

TEST(FlightPatternTest, SpiralSubsetKeepsPositionsAndNames) {
  EXPECT_EQ(SpiralSubsetIndices(54, 4), (std::vector<int>{0, 18, 35, 53}));
  EXPECT_EQ(SpiralSubsetIndices(54, 2), (std::vector<int>{0, 53}));
  const std::vector<int> all = SpiralSubsetIndices(54, 54);
  for (int k = 0; k < 54; ++k) EXPECT_EQ(all[static_cast<size_t>(k)], k);
  // image-NN means the same height and bearing step in every preset.
  SpiralPattern p;
  const std::vector<DroneViewSpec> full = SpiralViews(p);
  p.num_views = 12;
  for (const DroneViewSpec& v : SpiralViews(p)) {
    const DroneViewSpec& same = full[static_cast<size_t>(v.index)];
    EXPECT_EQ(v.name, same.name);
    EXPECT_DOUBLE_EQ(v.height_m, same.height_m);
    EXPECT_DOUBLE_EQ(v.bearing_offset_deg, same.bearing_offset_deg);
  }
  EXPECT_EQ(full.front().name, "image-01");
  EXPECT_EQ(full.back().name, "image-54");
  EXPECT_DOUBLE_EQ(full.front().height_m, 256.0);
  EXPECT_DOUBLE_EQ(full.back().height_m, 121.5);
  EXPECT_DOUBLE_EQ(full.front().tilt_deg, 30.0);
  EXPECT_DOUBLE_EQ(full.back().tilt_deg, 45.0);
  EXPECT_DOUBLE_EQ(full[19].bearing_offset_deg, 380.0);
}

TEST(FlightPatternTest, ReachMatchesTheFootprintBudget) {
  // data.md §3.4: 288 m (first spiral view), 260 m (last), 122 m (SUES 150 m), 244 m (SUES 300 m).
  SpiralPattern p;
  const std::vector<DroneViewSpec> spiral = SpiralViews(p);
  EXPECT_NEAR(MaxLookAtReachM({spiral.front()}, 256), 288.0, 0.5);
  EXPECT_NEAR(MaxLookAtReachM({spiral.back()}, 256), 260.0, 0.5);
  EXPECT_NEAR(MaxLookAtReachM(spiral, 256), 288.0, 0.5);
  SuesPattern s;
  EXPECT_NEAR(MaxLookAtReachM(SuesViews(s, 150), 256), 122.0, 0.5);
  EXPECT_NEAR(MaxLookAtReachM(SuesViews(s, 300), 256), 244.0, 0.5);
  // Bearings go round the full circle in v steps; names 01 … v.
  s.views_per_height = 4;
  const std::vector<DroneViewSpec> views = SuesViews(s, 200);
  ASSERT_EQ(views.size(), 4u);
  EXPECT_EQ(views[0].name, "01");
  EXPECT_EQ(views[3].name, "04");
  EXPECT_DOUBLE_EQ(views[1].bearing_offset_deg, 90.0);
  EXPECT_EQ(views[2].group_height_m, 200);
  // The look-at target projects to the image centre.
  const CameraPose pose = views[1].Pose({10.0, -20.0}, 33.0);
  const auto xy = ProjectGroundToImage(views[1].Camera(96), pose, {10.0, -20.0});
  ASSERT_TRUE(xy.has_value());
  EXPECT_NEAR((*xy)[0], 48.0, 1e-9);
  EXPECT_NEAR((*xy)[1], 48.0, 1e-9);
}

}  // namespace
}  // namespace crossview::data

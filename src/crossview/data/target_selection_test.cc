#include "crossview/data/target_selection.h"

#include <gtest/gtest.h>

#include "crossview/data/ir_options.h"
#include "crossview/data/synth_sources.h"
#include "crossview/data/synth_test_support.h"
#include "crossview/data/test_images.h"
#include "crossview/geo/texture_georef.h"
#include "crossview/util/errors.h"
#include "crossview/util/paths.h"

namespace crossview::data {
namespace {

// One FlightGear texture, loaded and aligned.
struct Texture {
  MapSource source;
  LoadedMap map;
};

Texture LoadTexture(const std::string& name) {
  const std::filesystem::path cache = AerialCacheDir();
  const geo::TextureTable table = geo::ReadTextureTable(cache / testing::kTexturesTsv);
  IrSynthOptions o = IrPreset("tiny");
  const SynthCatalog catalog = TextureCatalog(table, cache, o);
  for (const MapSource& s : catalog.sources) {
    if (s.name == name) return {s, LoadMapSource(s)};
  }
  throw CV_ERROR(NotFoundError, "no such texture").With("name", name);
}

TEST(PoissonDiskTest, PointsAreSpacedInsideTheRegionAndSeeded) {
  const cv::Rect2d region(-300.0, 100.0, 800.0, 500.0);
  Rng a(11), b(11), c(12);
  const std::vector<cv::Vec2d> p = PoissonDiskSamples(region, 100.0, 30, a);
  ASSERT_GT(p.size(), 20u);  // ~40 m² per point at 100 m: a dense packing
  for (size_t i = 0; i < p.size(); ++i) {
    EXPECT_TRUE(p[i][0] >= region.x && p[i][0] <= region.x + region.width) << p[i];
    EXPECT_TRUE(p[i][1] >= region.y && p[i][1] <= region.y + region.height) << p[i];
    for (size_t j = i + 1; j < p.size(); ++j) EXPECT_GE(cv::norm(p[i] - p[j]), 100.0);
  }
  const std::vector<cv::Vec2d> q = PoissonDiskSamples(region, 100.0, 30, b);
  ASSERT_EQ(p.size(), q.size());
  for (size_t i = 0; i < p.size(); ++i) EXPECT_EQ(p[i], q[i]);
  const std::vector<cv::Vec2d> r = PoissonDiskSamples(region, 100.0, 30, c);
  EXPECT_TRUE(r.size() != p.size() || r[0] != p[0]);
  // A degenerate region is a line (or a point); an empty one has no points.
  Rng d(1);
  const std::vector<cv::Vec2d> line = PoissonDiskSamples(cv::Rect2d(0, 0, 0, 1000), 100.0, 30, d);
  EXPECT_GE(line.size(), 1u);
  for (const cv::Vec2d& pt : line) EXPECT_EQ(pt[0], 0.0);
  EXPECT_TRUE(PoissonDiskSamples(cv::Rect2d(0, 0, -1, 10), 100.0, 30, d).empty());
  EXPECT_THROW(PoissonDiskSamples(region, 0.0, 30, d), InvalidArgumentError);
}

TEST(ThumbnailTest, UniformTileIsFeaturelessAndTexturedTileIsNormalised) {
  const cv::Mat flat(64, 64, CV_8UC3, cv::Scalar(120, 130, 90));
  EXPECT_NEAR(MakeTileThumbnail(flat).highpass_std, 0.0, 1e-6);
  const TileThumbnail busy = MakeTileThumbnail(data::testing::MakeBusyTexture(64, 64));
  EXPECT_GT(busy.highpass_std, 10.0);
  cv::Scalar mean, stddev;
  cv::meanStdDev(busy.normalized, mean, stddev);
  EXPECT_NEAR(mean[0], 0.0, 1e-4);
  EXPECT_NEAR(stddev[0], 1.0, 1e-4);
}

TEST(ShiftedNccTest, FindsShiftedCopiesAndIgnoresUnrelatedContent) {
  const cv::Mat big = data::testing::MakeBusyTexture(96, 96, 3);
  const TileThumbnail a = MakeTileThumbnail(big(cv::Rect(10, 10, 64, 64)).clone());
  const TileThumbnail shifted = MakeTileThumbnail(big(cv::Rect(15, 7, 64, 64)).clone());
  cv::Mat noise(64, 64, CV_8UC3);
  Rng rng(99);
  for (auto it = noise.begin<cv::Vec3b>(); it != noise.end<cv::Vec3b>(); ++it) {
    const auto v = static_cast<uint8_t>(rng.UniformInt(0, 255));
    *it = cv::Vec3b(v, v, v);
  }
  const TileThumbnail other = MakeTileThumbnail(noise);
  EXPECT_NEAR(ShiftedNcc(a.normalized, a.normalized), 1.0, 1e-5);
  EXPECT_GT(ShiftedNcc(a.normalized, shifted.normalized), 0.9);
  EXPECT_DOUBLE_EQ(ShiftedNcc(a.normalized, shifted.normalized), ShiftedNcc(shifted.normalized, a.normalized));
  // Beyond the ±8 px search the copy is not found.
  const TileThumbnail far = MakeTileThumbnail(big(cv::Rect(30, 10, 64, 64)).clone());
  EXPECT_LT(ShiftedNcc(a.normalized, far.normalized), 0.7);
  EXPECT_LT(ShiftedNcc(a.normalized, other.normalized), 0.5);
  EXPECT_THROW(ShiftedNcc(a.normalized, cv::Mat(32, 32, CV_32FC1, cv::Scalar(0))), InvalidArgumentError);
}

TEST(DuplicateTest, FlagsThePeriodicRepeatOnCemetery) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  const Texture t = LoadTexture("cemetery");
  const MapFrame& f = t.source.frame;
  const TargetSelectionOptions sel;
  // (x, y) and (x + W/2, y + H/2) show the same ground content (data.md §1.3); both tiles inside.
  for (const cv::Vec2d& xy : {cv::Vec2d(300.0, 300.0), cv::Vec2d(350.5, 160.25), cv::Vec2d(200.0, 330.0)}) {
    const cv::Vec2d twin = xy + cv::Vec2d(0.5 * f.width_px, 0.5 * f.height_px);
    const TileThumbnail a = RenderTileThumbnail(*t.map.pyramid, f, f.EnFromXy(xy), 300.0);
    const TileThumbnail b = RenderTileThumbnail(*t.map.pyramid, f, f.EnFromXy(twin), 300.0);
    DuplicateIndex index(sel.thumbnail_max_shift_px);
    index.Add(a);
    EXPECT_GE(index.BestMatch(b), sel.duplicate_ncc) << "at " << xy;
    EXPECT_GT(ShiftedNcc(a.normalized, b.normalized), 0.95) << "at " << xy;
  }
}

TEST(DuplicateTest, AcceptsAdjacentTilesOnCaliforniaTown2) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  const Texture t = LoadTexture("california-town2");
  const MapFrame& f = t.source.frame;
  const TargetSelectionOptions sel;
  // Two 300 m tiles side by side (sharing an edge, not overlapping), across and down the grid.
  for (const auto& [a_en, b_en] : {std::pair<cv::Vec2d, cv::Vec2d>{{-150.0, 0.0}, {150.0, 0.0}},
                                   std::pair<cv::Vec2d, cv::Vec2d>{{0.0, 150.0}, {0.0, -150.0}},
                                   std::pair<cv::Vec2d, cv::Vec2d>{{-200.0, 200.0}, {100.0, 200.0}}}) {
    const TileThumbnail a = RenderTileThumbnail(*t.map.pyramid, f, a_en, 300.0);
    const TileThumbnail b = RenderTileThumbnail(*t.map.pyramid, f, b_en, 300.0);
    DuplicateIndex index(sel.thumbnail_max_shift_px);
    index.Add(a);
    EXPECT_LT(index.BestMatch(b), sel.duplicate_ncc) << a_en << " vs " << b_en;
    EXPECT_GT(a.highpass_std, sel.featureless_highpass_std);
  }
}

TEST(FeaturelessTest, CaliforniaAirportFailsAndTownsPass) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  const TargetSelectionOptions sel;
  const Texture airport = LoadTexture("california-airport");  // 256 m: 250 m tiles are the largest that fit
  for (const cv::Vec2d& en : {cv::Vec2d(0.0, 0.0), cv::Vec2d(2.0, -2.5), cv::Vec2d(-2.0, 1.0)}) {
    EXPECT_LT(RenderTileThumbnail(*airport.map.pyramid, airport.source.frame, en, 250.0).highpass_std,
              sel.featureless_highpass_std);
  }
  const Texture town = LoadTexture("california-town2");
  for (const cv::Vec2d& en : {cv::Vec2d(0.0, 0.0), cv::Vec2d(-200.0, 150.0), cv::Vec2d(250.0, -100.0)}) {
    EXPECT_GT(RenderTileThumbnail(*town.map.pyramid, town.source.frame, en, 300.0).highpass_std,
              3.0 * sel.featureless_highpass_std);
  }
}

}  // namespace
}  // namespace crossview::data

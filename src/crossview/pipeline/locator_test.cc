#include "crossview/pipeline/locator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "crossview/data/image_io.h"
#include "crossview/eval/drl_metrics.h"
#include "crossview/geo/distance.h"
#include "crossview/pipeline/pipeline_test_support.h"
#include "crossview/pipeline/retrieval_confidence.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"
#include "crossview/util/testing.h"

namespace crossview::pipeline {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::Shared;

// The map pixels of a tile, cut from the same source as the map (the exact-crop query).
cv::Mat TileCrop(const TileRecord& t) {
  const cv::Mat map = testing::TextureCrop(400, 300);
  return map(cv::Rect(t.window.col_off, t.window.row_off, t.window.width_px, t.window.height_px)).clone();
}

// The score of an exact match: the squared norm of an MSBA descriptor, (6 + 1.5²)/7.
constexpr double kSelfScore = (6.0 + 1.5 * 1.5) / 7.0;

Locator OpenShared(const std::string& drl = "") {
  LocatorOptions lo;
  lo.index = Shared().index.string();
  lo.device = "cpu";
  lo.drl_checkpoint = drl;
  return Locator::Open(lo);
}

TEST(LocatorTest, ExactTileCropRanksItsTileFirstWithItsCentre) {
  CV_REQUIRE_FILE(testing::TextureFile());
  Locator loc = OpenShared();
  const auto& tiles = loc.index().tiles();
  for (size_t i : {size_t{0}, tiles.size() / 3, tiles.size() / 2, tiles.size() - 1}) {
    const TileRecord& t = tiles[i];
    LocateResult r = loc.Locate(TileCrop(t), LocateOptions{});
    ASSERT_EQ(r.candidates.size(), 5u);
    EXPECT_EQ(r.candidates[0].tile_id, t.id);
    EXPECT_NEAR(r.candidates[0].score, kSelfScore, 1e-4);
    EXPECT_EQ(r.lat_lon.lat_deg, t.centre.lat_deg);
    EXPECT_EQ(r.lat_lon.lon_deg, t.centre.lon_deg);
    EXPECT_EQ(r.method, "retrieval");
    EXPECT_EQ(r.searched_tiles, loc.index().size());
    for (size_t k = 1; k < r.candidates.size(); ++k) EXPECT_LE(r.candidates[k].score, r.candidates[k - 1].score);
    EXPECT_GT(r.confidence, 0.0);
    EXPECT_LE(r.confidence, 1.0);
    EXPECT_GE(r.uncertainty_m, 32.0 / std::sqrt(6.0) - 1e-9);
  }
}

TEST(LocatorTest, PriorExcludesTilesOutsideItsCircle) {
  CV_REQUIRE_FILE(testing::TextureFile());
  Locator loc = OpenShared();
  const auto& tiles = loc.index().tiles();
  const TileRecord& target = tiles.front();
  const TileRecord& far = tiles.back();
  LocateOptions o;
  o.prior = SearchPrior{far.centre, 60.0};
  LocateResult r = loc.Locate(TileCrop(target), o);
  ASSERT_FALSE(r.candidates.empty());
  EXPECT_EQ(r.searched_tiles, static_cast<int64_t>(loc.index().TilesWithin(*o.prior).size()));
  EXPECT_LT(r.searched_tiles, loc.index().size());
  for (const TileCandidate& c : r.candidates) {
    EXPECT_NE(c.tile_id, target.id);
    EXPECT_LE(geo::HaversineDistanceM(far.centre, c.centre), 60.0);
  }
  // Exact scores inside the circle agree with the unrestricted FAISS search.
  o.prior = SearchPrior{target.centre, 80.0};
  LocateResult in = loc.Locate(TileCrop(target), o);
  EXPECT_EQ(in.candidates[0].tile_id, target.id);
  EXPECT_NEAR(in.candidates[0].score, kSelfScore, 1e-4);
  // A circle without tiles.
  const geo::LatLonDeg corner = target.corners[0];
  o.prior = SearchPrior{{corner.lat_deg + 0.01, corner.lon_deg - 0.01}, 5.0};
  EXPECT_THROW(loc.Locate(TileCrop(target), o), NotFoundError);
}

TEST(LocatorTest, RefusesAModelOrMapOtherThanTheIndexs) {
  CV_REQUIRE_FILE(testing::TextureFile());
  TempDir tmp;
  testing::MakeTinyRetrievalModel(tmp.path() / "other", 32, 99);
  LocatorOptions lo;
  lo.index = Shared().index.string();
  lo.checkpoint = (tmp.path() / "other").string();
  lo.device = "cpu";
  try {
    Locator::Open(lo);
    FAIL() << "expected InvalidArgumentError";
  } catch (const InvalidArgumentError& e) {
    EXPECT_THAT(e.what(), HasSubstr("does not match the index"));
  }
  testing::MakeTinyDrlModel(tmp.path() / "drl");
  testing::WriteTextureMap(tmp.path() / "other.tif", 400, 299);
  lo.checkpoint.clear();
  lo.drl_checkpoint = (tmp.path() / "drl").string();
  lo.map = (tmp.path() / "other.tif").string();
  Locator loc = Locator::Open(lo);
  LocateOptions o;
  o.refine = true;
  EXPECT_THROW(loc.Locate(TileCrop(loc.index().tiles()[3]), o), InvalidArgumentError);
  // Refinement without a DRL model is a usage error.
  Locator plain = OpenShared();
  EXPECT_THROW(plain.Locate(TileCrop(plain.index().tiles()[3]), o), InvalidArgumentError);
}

TEST(LocatorTest, DrlRefinementStaysInsideItsWindowAndReportsTheDocumentedFields) {
  CV_REQUIRE_FILE(testing::TextureFile());
  TempDir tmp;
  testing::MakeTinyDrlModel(tmp.path() / "drl");
  Locator loc = OpenShared((tmp.path() / "drl").string());
  ASSERT_TRUE(loc.can_refine());
  const TileRecord& t = loc.index().tiles()[40];
  LocateOptions o;
  o.refine = true;
  o.refine_options.candidates = 2;
  LocateResult r = loc.Locate(TileCrop(t), o);
  ASSERT_TRUE(r.refined);
  EXPECT_EQ(r.method, "retrieval+drl");
  const RefineResult& f = *r.refined;
  EXPECT_EQ(f.input_size, 128);
  EXPECT_EQ(f.search_map_rgb.size(), cv::Size(128, 128));
  EXPECT_GE(f.lat_lon.lat_deg, f.window_bottom_right.lat_deg);
  EXPECT_LE(f.lat_lon.lat_deg, f.window_top_left.lat_deg);
  EXPECT_GE(f.lat_lon.lon_deg, f.window_top_left.lon_deg);
  EXPECT_LE(f.lat_lon.lon_deg, f.window_bottom_right.lon_deg);
  // The window is 2 tile sides (128 m ≈ 131 px), inside the 400 × 300 map.
  EXPECT_EQ(f.window.width_px, 131);
  EXPECT_GE(f.window.col_off, 0);
  EXPECT_LE(f.window.col_off + f.window.width_px, 400);
  EXPECT_LE(f.window.row_off + f.window.height_px, 300);
  EXPECT_EQ(r.uncertainty_m, f.spread_m);
  EXPECT_GT(f.peak, 0.0f);
  EXPECT_LE(f.peak, 1.0f);

  const nlohmann::json j = ToJson(r);
  for (const char* key : {"lat", "lon", "method", "confidence", "uncertainty_m", "uncertainty", "retrieval", "top_k", "prior", "searched_tiles",
                          "refined", "timing_s"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  for (const char* key : {"lat", "lon", "peak", "spread_m", "candidate_rank", "peak_rc", "input_size", "window", "window_corners"}) {
    EXPECT_TRUE(j["refined"].contains(key)) << key;
  }
  EXPECT_EQ(j["lat"], f.lat_lon.lat_deg);
  EXPECT_EQ(j["top_k"].size(), 5u);
  EXPECT_EQ(j["top_k"][0]["tile_id"], t.id);
  EXPECT_THAT(FormatLocateText(r), HasSubstr("retrieval+drl"));

  WriteHeatmapPicture(tmp.path() / "heat.png", f);
  EXPECT_EQ(data::LoadImageRgb(tmp.path() / "heat.png").size(), cv::Size(128, 128));
}

TEST(LocatorTest, WholeImageDrlQueryEqualsRefiningWithTheWholeMapAsWindow) {
  CV_REQUIRE_FILE(testing::TextureFile());
  TempDir tmp;
  testing::MakeTinyDrlModel(tmp.path() / "drl");
  DrlRefiner refiner = DrlRefiner::Load(tmp.path() / "drl", "cpu");
  const geo::GeoRaster map = geo::GeoRaster::Open(Shared().map);
  const cv::Mat map_rgb = testing::TextureCrop(300, 300);
  const cv::Mat query = map_rgb(cv::Rect(120, 80, 60, 60)).clone();
  // A square map (the 300 × 300 top-left of the shared one): one window covering all of it.
  RefineResult whole = refiner.LocateInImage(map_rgb, query);
  RefineOptions ro;
  RefineResult windowed = refiner.Refine(map, {}, query, {{150.0, 150.0}}, 300 * map.pixel_width_m(), ro);
  ASSERT_EQ(windowed.window.width_px, 300);
  ASSERT_EQ(windowed.window.col_off, 0);
  EXPECT_EQ(whole.window.width_px, 300);
  EXPECT_EQ(whole.peak_rc.row, windowed.peak_rc.row);
  EXPECT_EQ(whole.peak_rc.col, windowed.peak_rc.col);
  EXPECT_FLOAT_EQ(whole.peak, windowed.peak);
  EXPECT_THROW(refiner.LocateInImage(cv::Mat(), query), InvalidArgumentError);
}

TEST(DrlGeometryTest, SearchPixelToMapPixelAndLatLonOnACraftedWindow) {
  CV_REQUIRE_FILE(testing::TextureFile());
  const geo::GeoRaster map = geo::GeoRaster::Open(Shared().map);
  const geo::PixelWindow w{37, 21, 150, 150};
  const int s = 384;
  // §1.2: no half-pixel offset; (0, 0) is the window's top-left corner.
  geo::PixelColRow p = MapPixelFromSearchPixel(w, {0, 0}, s);
  EXPECT_EQ(p.col, 37.0);
  EXPECT_EQ(p.row, 21.0);
  p = MapPixelFromSearchPixel(w, {192, 96}, s);  // row 192, col 96
  EXPECT_DOUBLE_EQ(p.col, 37.0 + 96.0 * 150 / 384);
  EXPECT_DOUBLE_EQ(p.row, 21.0 + 192.0 * 150 / 384);
  // Through the georeference equals the spec's corner formula for this EPSG:4326 map.
  const geo::LatLonDeg tl = map.lat_lon_from_pixel({37.0, 21.0}), br = map.lat_lon_from_pixel({187.0, 171.0});
  eval::SearchMapCorners corners{tl.lon_deg, tl.lat_deg, br.lon_deg, br.lat_deg};
  for (eval::PixelRc rc : {eval::PixelRc{0, 0}, eval::PixelRc{383, 383}, eval::PixelRc{100, 250}, eval::PixelRc{311, 7}}) {
    double lon = 0, lat = 0;
    eval::LonLatFromPixel(corners, rc, s, &lon, &lat);
    const geo::LatLonDeg got = LatLonFromSearchPixel(map, w, rc, s);
    EXPECT_NEAR(got.lat_deg, lat, 1e-12) << rc.row << "," << rc.col;
    EXPECT_NEAR(got.lon_deg, lon, 1e-12) << rc.row << "," << rc.col;
  }
  // And equals the synthetic georeference at the map pixel.
  const geo::LatLonDeg want = Shared().georef.lat_lon_from_pixel({37.0 + 250.0 * 150 / 384, 21.0 + 100.0 * 150 / 384});
  const geo::LatLonDeg got = LatLonFromSearchPixel(map, w, {100, 250}, s);
  EXPECT_NEAR(got.lat_deg, want.lat_deg, 1e-12);
  EXPECT_NEAR(got.lon_deg, want.lon_deg, 1e-12);
}

TEST(DrlGeometryTest, SearchWindowIsShiftedInsideAndShrunkToTheMap) {
  geo::PixelWindow w = SearchWindowAround(400, 300, {200.0, 150.0}, 100, 80);
  EXPECT_EQ(w.col_off, 150);
  EXPECT_EQ(w.row_off, 110);
  w = SearchWindowAround(400, 300, {10.0, 295.0}, 100, 80);
  EXPECT_EQ(w.col_off, 0);
  EXPECT_EQ(w.row_off, 220);
  EXPECT_EQ(w.width_px, 100);
  w = SearchWindowAround(400, 300, {200.0, 150.0}, 1000, 1000);
  EXPECT_EQ(w.col_off, 0);
  EXPECT_EQ(w.row_off, 0);
  EXPECT_EQ(w.width_px, 400);
  EXPECT_EQ(w.height_px, 300);
}

TEST(DrlGeometryTest, HeatmapSpreadOfCraftedMaps) {
  // One hot pixel at the peak: no spread.
  cv::Mat p(64, 64, CV_32FC1, cv::Scalar(0.1f));
  p.at<float>(32, 16) = 0.9f;
  EXPECT_NEAR(HeatmapSpreadM(p, {64, 32}, 128, 64.0, 64.0), 0.0, 1e-12);  // output (32, 16) = input (64, 32)
  // Two equal hot pixels 10 px (= 10 m) either side of the peak: spread 10 m.
  cv::Mat q(64, 64, CV_32FC1, cv::Scalar(0.0f));
  q.at<float>(20, 10) = 1.0f;
  q.at<float>(20, 30) = 1.0f;
  EXPECT_NEAR(HeatmapSpreadM(q, {40, 40}, 128, 64.0, 64.0), 10.0, 1e-9);
  // A flat map: half the window diagonal.
  cv::Mat flat(64, 64, CV_32FC1, cv::Scalar(0.5f));
  EXPECT_NEAR(HeatmapSpreadM(flat, {0, 0}, 128, 30.0, 40.0), 25.0, 1e-12);
}

TEST(RetrievalConfidenceTest, DefinitionsOnCraftedRankings) {
  const geo::LatLonDeg a{40.0, -30.0};
  const geo::LatLonDeg near{40.0 + 20.0 / 111319.49079327357, -30.0};  // 20 m north
  const geo::LatLonDeg far{40.0 + 500.0 / 111319.49079327357, -30.0};  // 500 m north
  // One candidate: no evidence either way.
  RetrievalConfidence c = EstimateRetrievalConfidence({{a, 0.9}}, 64.0, 32.0);
  EXPECT_EQ(c.confidence, 1.0);
  EXPECT_EQ(c.spread_m, 0.0);
  EXPECT_NEAR(c.uncertainty_m, 32.0 / std::sqrt(6.0), 1e-12);
  // Two equal scores far apart: half the weight agrees; RMS distance d/√2.
  c = EstimateRetrievalConfidence({{a, 0.9}, {far, 0.9}}, 64.0, 32.0);
  EXPECT_NEAR(c.confidence, 0.5, 1e-12);
  EXPECT_NEAR(c.spread_m, 500.0 / std::sqrt(2.0), 0.01);
  EXPECT_EQ(c.score_gap, 0.0);
  // An overlapping neighbour agrees; a far tile 0.1 lower weighs exp(-2).
  c = EstimateRetrievalConfidence({{a, 0.9}, {near, 0.9}, {far, 0.8}}, 64.0, 32.0);
  const double wf = std::exp(-0.1 / 0.05);
  EXPECT_NEAR(c.confidence, 2.0 / (2.0 + wf), 1e-12);
  EXPECT_NEAR(c.score_gap, 0.0, 1e-12);
  EXPECT_THROW(EstimateRetrievalConfidence({}, 64.0, 32.0), InvalidArgumentError);
}

}  // namespace
}  // namespace crossview::pipeline

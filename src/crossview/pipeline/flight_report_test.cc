#include "crossview/pipeline/flight_report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include "crossview/data/image_io.h"
#include "crossview/geo/distance.h"
#include "crossview/pipeline/pipeline_test_support.h"
#include "crossview/pipeline/tile_table.h"
#include "crossview/pipeline/track.h"
#include "crossview/pipeline/track_io.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"
#include "crossview/util/testing.h"

namespace crossview::pipeline {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

ReportFrame Frame(int i, int64_t tile, std::optional<geo::LatLonDeg> truth, double error_m) {
  ReportFrame f;
  f.frame = i;
  f.name = "f" + std::to_string(i);
  f.top1_tile = tile;
  f.truth = truth;
  f.error_m = error_m;
  return f;
}

TEST(FlightReportTest, MetricsOnCraftedFrames) {
  // Two tiles: [0, 10) x [0, 10) and [10, 20) x [0, 10) in (col, row); lat = row, lon = col.
  std::vector<TileRecord> tiles(2);
  tiles[0].window = {0, 0, 10, 10};
  tiles[1].window = {10, 0, 10, 10};
  const auto pixel_of = [](geo::LatLonDeg ll) { return geo::PixelColRow{ll.lon_deg, ll.lat_deg}; };
  const std::vector<ReportFrame> frames = {
      Frame(0, 0, geo::LatLonDeg{5, 5}, 5.0),     // hit, within 10
      Frame(1, 1, geo::LatLonDeg{5, 9.99}, 15.0),  // truth in tile 0: miss; within 20
      Frame(2, 1, geo::LatLonDeg{0, 10}, 30.0),    // top-left corner is inside: hit; within 50
      Frame(3, 0, geo::LatLonDeg{5, 10}, 60.0),    // right edge is outside: miss
      Frame(4, -1, geo::LatLonDeg{5, 5}, 10.0),    // no tile: miss; 10 m counts as within 10
      Frame(5, 0, std::nullopt, 0.0),              // no truth: not counted
      Frame(6, 7, geo::LatLonDeg{5, 5}, 100.0),    // unknown tile id: miss
  };
  const TrackMetrics m = ComputeTrackMetrics("t", frames, tiles, pixel_of, {10, 20, 50});
  EXPECT_EQ(m.frames, 7);
  EXPECT_EQ(m.with_truth, 6);
  EXPECT_DOUBLE_EQ(m.recall_at_1, 2.0 / 6.0);
  EXPECT_DOUBLE_EQ(m.ma.at(10), 2.0 / 6.0);
  EXPECT_DOUBLE_EQ(m.ma.at(20), 3.0 / 6.0);
  EXPECT_DOUBLE_EQ(m.ma.at(50), 4.0 / 6.0);
  EXPECT_DOUBLE_EQ(m.mean_m, (5.0 + 15 + 30 + 60 + 10 + 100) / 6.0);
  EXPECT_DOUBLE_EQ(m.median_m, 22.5);
  EXPECT_DOUBLE_EQ(m.max_m, 100.0);
  EXPECT_THROW(ComputeTrackMetrics("t", {Frame(0, 0, std::nullopt, 0)}, tiles, pixel_of, {10}), InvalidArgumentError);
}

TEST(FlightReportTest, RejectsBadOptionsAndTrackFiles) {
  TempDir tmp;
  FlightReportOptions o;
  o.index = tmp.path();
  EXPECT_THROW(o.Check(), InvalidArgumentError);  // no track
  o.tracks = {{"a", tmp.path(), {}}, {"a", tmp.path(), {}}};
  EXPECT_THROW(o.Check(), InvalidArgumentError);  // duplicate label
  o.tracks = {{"a", tmp.path(), {}}};
  o.ks = {0};
  EXPECT_THROW(o.Check(), InvalidArgumentError);
  EXPECT_THROW(ReadTrackFrames(tmp.path() / "none.geojson"), NotFoundError);
  WriteFileAtomic(tmp.path() / "bad.geojson", "{not json");
  EXPECT_THROW(ReadTrackFrames(tmp.path() / "bad.geojson"), InvalidArgumentError);
  WriteFileAtomic(tmp.path() / "empty.geojson", R"({"type":"FeatureCollection","features":[]})");
  EXPECT_THROW(ReadTrackFrames(tmp.path() / "empty.geojson"), InvalidArgumentError);
  WriteFileAtomic(tmp.path() / "nolat.geojson",
                  R"({"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[0,0]},"properties":{"frame":0}}]})");
  EXPECT_THROW(ReadTrackFrames(tmp.path() / "nolat.geojson"), InvalidArgumentError);
}

// Two tracks written by WriteTrack over the shared index: one reports each frame at its true
// tile, the other two tile steps (64 px) east. The report reads them back through the index's
// tile table and map.
TEST(FlightReportTest, ReportOverTheSharedIndex) {
  CV_REQUIRE_FILE(testing::TextureFile());
  const testing::SharedIndex& shared = testing::Shared();
  TempDir tmp;
  const std::vector<TileRecord> tiles = ReadTileTable(shared.index / "tiles.sqlite");
  std::vector<const TileRecord*> row, east;
  int stride_px = 0;
  for (const TileRecord& t : tiles) {
    if (t.grid_row == 0 && t.grid_col == 1) stride_px = t.window.col_off;
  }
  ASSERT_GT(stride_px, 0);
  for (const TileRecord& t : tiles) {
    if (t.grid_row != 3) continue;
    for (const TileRecord& u : tiles) {
      // Exactly two strides east; the edge-aligned last column is closer and is skipped.
      if (u.grid_row == 3 && u.grid_col == t.grid_col + 2 && u.window.col_off == t.window.col_off + 2 * stride_px) {
        row.push_back(&t);
        east.push_back(&u);
      }
    }
  }
  ASSERT_GE(row.size(), 4u);
  Track exact, shifted;
  std::string truth = "frame,lat,lon\n";
  fs::create_directories(tmp.path() / "frames");
  fs::create_directories(tmp.path() / "heatmaps");
  const cv::Mat map = testing::TextureCrop(400, 300);
  for (size_t i = 0; i < row.size(); ++i) {
    TrackFrame f;
    f.index = static_cast<int>(i);
    f.name = "frame-" + std::to_string(i) + ".png";
    const geo::PixelWindow& w = row[i]->window;
    data::SaveImage(tmp.path() / "frames" / f.name, map(cv::Rect(w.col_off, w.row_off, w.width_px, w.height_px)));
    data::SaveImage(tmp.path() / "heatmaps" / ("frame-" + std::to_string(i) + ".jpg"), cv::Mat(8, 8, CV_8UC3, cv::Scalar(i, 0, 0)));
    f.result.lat_lon = row[i]->centre;
    TileCandidate c;
    c.tile_id = row[i]->id;
    f.result.candidates = {c};
    exact.frames.push_back(f);
    f.result.lat_lon = east[i]->centre;
    f.result.candidates[0].tile_id = east[i]->id;
    shifted.frames.push_back(f);
    std::ostringstream line;
    line.precision(17);
    line << f.name << "," << row[i]->centre.lat_deg << "," << row[i]->centre.lon_deg << "\n";
    truth += line.str();
  }
  WriteFileAtomic(tmp.path() / "truth.csv", truth);
  const auto truth_map = ReadTruthCsv(tmp.path() / "truth.csv");
  AttachTruth(&exact, truth_map);
  AttachTruth(&shifted, truth_map);
  WriteTrack(tmp.path() / "exact", exact, nlohmann::json::object());
  WriteTrack(tmp.path() / "shifted", shifted, nlohmann::json::object());

  FlightReportOptions o;
  o.index = shared.index;
  o.flight = tmp.path() / "frames";
  o.tracks = {{"exact", tmp.path() / "exact", tmp.path() / "heatmaps"}, {"shifted", tmp.path() / "shifted", {}}};
  o.examples = 2;
  o.overview_px = 200;
  const FlightReport r = WriteFlightReport(o, tmp.path() / "report");
  ASSERT_EQ(r.tracks.size(), 2u);
  EXPECT_EQ(r.tracks[0].with_truth, static_cast<int>(row.size()));
  EXPECT_DOUBLE_EQ(r.tracks[0].recall_at_1, 1.0);
  EXPECT_DOUBLE_EQ(r.tracks[0].ma.at(10), 1.0);
  EXPECT_NEAR(r.tracks[0].max_m, 0.0, 1e-6);
  EXPECT_DOUBLE_EQ(r.tracks[1].recall_at_1, 0.0);  // 64 px east: outside the 64 px window
  EXPECT_DOUBLE_EQ(r.tracks[1].ma.at(50), 0.0);
  const double step_m = geo::HaversineDistanceM(row[0]->centre, east[0]->centre, 6378137.0);
  EXPECT_NEAR(r.tracks[1].median_m, step_m, 1e-6);
  EXPECT_DOUBLE_EQ(r.tracks[1].ma.at(10), 0.0);

  const fs::path out = tmp.path() / "report";
  const nlohmann::json j = nlohmann::json::parse(ReadFile(out / "report.json"));
  EXPECT_EQ(j["tracks"][0]["recall@1"], 1.0);
  EXPECT_EQ(j["tracks"][1]["ma"]["MA@50"], 0.0);
  EXPECT_EQ(j["tiles"], tiles.size());
  ASSERT_EQ(j["examples"].size(), 2u);
  EXPECT_EQ(j["examples"][1]["frame"], static_cast<int>(row.size()) - 1);
  EXPECT_TRUE(fs::exists(out / j["examples"][0]["image"].get<std::string>()));
  EXPECT_TRUE(fs::exists(out / j["examples"][0]["heatmaps"]["exact"].get<std::string>()));
  const cv::Mat overview = data::LoadImageRgb(out / "overview.png");
  EXPECT_EQ(std::max(overview.cols, overview.rows), 200);
  EXPECT_EQ(overview.cols, 200);  // the map is 400 x 300
  EXPECT_EQ(overview.rows, 150);
  EXPECT_FALSE(data::LoadImageRgb(out / "errors.png").empty());
  const std::string html = ReadFile(out / "report.html");
  EXPECT_THAT(html, HasSubstr("overview.png"));
  EXPECT_THAT(html, HasSubstr("<th>MA@20 %</th>"));
  EXPECT_THAT(html, HasSubstr(j["examples"][0]["heatmaps"]["exact"].get<std::string>()));
  // The printed table carries the same numbers as the JSON.
  const std::string text = FormatFlightReportText(r);
  EXPECT_THAT(text, HasSubstr("exact"));
  EXPECT_THAT(text, HasSubstr("100.0"));
  EXPECT_EQ(ReadFile(out / "report.md").find(text) != std::string::npos, true);

  // A map that is not the index's is refused.
  testing::WriteTextureMap(tmp.path() / "other.tif", 100, 100);
  o.map = tmp.path() / "other.tif";
  EXPECT_THROW(WriteFlightReport(o, tmp.path() / "report2"), InvalidArgumentError);
}

}  // namespace
}  // namespace crossview::pipeline

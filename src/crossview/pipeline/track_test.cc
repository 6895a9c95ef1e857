#include "crossview/pipeline/track.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <tuple>
#include <fstream>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <sstream>

#include "crossview/data/image_io.h"
#include "crossview/geo/distance.h"
#include "crossview/pipeline/pipeline_test_support.h"
#include "crossview/pipeline/track_io.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"
#include "crossview/util/testing.h"

namespace crossview::pipeline {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::Shared;

TEST(TrackPolicyTest, PlansTheSearchCircleFromTheLastFix) {
  TrackOptions o;
  o.radius_m = 250.0;
  o.recovery_confidence = 0.6;
  TrackState s;
  EXPECT_FALSE(PlanPrior(s, o));  // first frame, no initial prior: whole index
  o.initial_prior = SearchPrior{{40.0, -30.0}, 900.0};
  auto p = PlanPrior(s, o);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->radius_m, 900.0);
  s.frames = 3;
  s.last_fix = geo::LatLonDeg{40.1, -29.9};
  s.last_confidence = 0.6;  // confident (≥ threshold): circle around the fix
  p = PlanPrior(s, o);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->centre.lat_deg, 40.1);
  EXPECT_EQ(p->centre.lon_deg, -29.9);
  EXPECT_EQ(p->radius_m, 250.0);
  s.last_confidence = 0.59;  // lost: whole index
  EXPECT_FALSE(PlanPrior(s, o));
  EXPECT_TRUE(NeedsRecovery(0.59, o));
  EXPECT_FALSE(NeedsRecovery(0.6, o));
  EXPECT_TRUE(NeedsRecovery(std::nan(""), o));
}

// A scripted locator: records the searches and answers with a given confidence per call.
struct FakeLocator {
  std::vector<std::optional<SearchPrior>> calls;
  std::vector<double> confidences;  // consumed in order
  std::vector<bool> empty_circle;   // per call: throw NotFoundError when searched with a prior
  LocateResult operator()(const cv::Mat&, const LocateOptions& o) {
    const size_t i = calls.size();
    calls.push_back(o.prior);
    if (o.prior && i < empty_circle.size() && empty_circle[i]) throw NotFoundError("no tile centre lies within the prior circle");
    LocateResult r;
    r.confidence = confidences.at(i);
    r.lat_lon = {40.0 + 0.001 * static_cast<double>(i), -30.0};
    r.method = "retrieval";
    return r;
  }
};

TEST(TrackPolicyTest, RecoverySearchesTheWholeIndexAndKeepsTheMoreConfidentAnswer) {
  auto fake = std::make_shared<FakeLocator>();
  // frame 0: full (0.9); frame 1: circle 0.8 (kept); frame 2: circle 0.2 → full 0.7 (kept);
  // frame 3: circle 0.3 → full 0.1 (circle kept, still recovery); frame 4: lost (last 0.3) → full
  // 0.9; frame 5: empty circle → full 0.8.
  fake->confidences = {0.9, 0.8, 0.2, 0.7, 0.3, 0.1, 0.9, 0.8};
  fake->empty_circle = {false, false, false, false, false, false, false, true};
  fake->confidences.insert(fake->confidences.begin() + 7, 0.0);  // the empty-circle call never answers
  TrackOptions o;
  o.radius_m = 300.0;
  o.recovery_confidence = 0.5;
  Tracker tracker([fake](const cv::Mat& m, const LocateOptions& lo) { return (*fake)(m, lo); }, LocateOptions{}, o);
  Frame f;
  f.rgb = cv::Mat(8, 8, CV_8UC3, cv::Scalar(1, 2, 3));
  std::vector<TrackFrame> out;
  for (int i = 0; i < 6; ++i) {
    f.index = i;
    f.name = "f" + std::to_string(i);
    out.push_back(tracker.Step(f));
  }
  EXPECT_EQ(out[0].mode, SearchMode::kFull);
  EXPECT_EQ(out[1].mode, SearchMode::kPrior);
  EXPECT_EQ(out[2].mode, SearchMode::kRecovery);
  EXPECT_TRUE(out[2].recovered_from_circle);
  EXPECT_EQ(out[2].result.confidence, 0.7);
  EXPECT_EQ(out[2].circle_confidence, 0.2);
  EXPECT_EQ(out[3].mode, SearchMode::kRecovery);
  EXPECT_FALSE(out[3].recovered_from_circle);
  EXPECT_EQ(out[3].result.confidence, 0.3);
  EXPECT_EQ(out[4].mode, SearchMode::kFull);  // lost after a weak fix
  EXPECT_EQ(out[5].mode, SearchMode::kRecovery);
  EXPECT_TRUE(out[5].recovered_from_circle);
  EXPECT_TRUE(std::isnan(out[5].circle_confidence));
  // The searches: the circle is centred on the previous answer with the radius.
  ASSERT_EQ(fake->calls.size(), 9u);
  const std::vector<bool> with_prior = {false, true, true, false, true, false, false, true, false};
  for (size_t i = 0; i < with_prior.size(); ++i) EXPECT_EQ(fake->calls[i].has_value(), with_prior[i]) << i;
  EXPECT_EQ(fake->calls[1]->centre.lat_deg, 40.0);  // answer of call 0
  EXPECT_EQ(fake->calls[1]->radius_m, 300.0);
  EXPECT_EQ(fake->calls[2]->centre.lat_deg, 40.001);  // answer of call 1
}

TEST(TrackIoTest, ErrorSummaryAndPercentiles) {
  const ErrorSummary s = SummariseErrors({40.0, 10.0, 100.0, 20.0, 30.0});
  EXPECT_EQ(s.n, 5);
  EXPECT_DOUBLE_EQ(s.mean_m, 40.0);
  EXPECT_DOUBLE_EQ(s.median_m, 30.0);
  EXPECT_DOUBLE_EQ(s.p90_m, 76.0);  // 40 + 0.6·(100 − 40)
  EXPECT_DOUBLE_EQ(s.max_m, 100.0);
  EXPECT_DOUBLE_EQ(s.within_25m, 0.4);
  EXPECT_DOUBLE_EQ(s.within_50m, 0.8);
  EXPECT_DOUBLE_EQ(Percentile({1.0, 2.0}, 25.0), 1.25);
  EXPECT_THROW(Percentile({}, 50.0), InvalidArgumentError);
}

TEST(NorthUpQueryTest, TurnsTheCompassHeadingToNorthUp) {
  // A 101 x 101 grey view with a red block where north is: for a camera heading east (90°), north
  // is on the image's left; heading west (270°), on its right; heading south (180°), at the bottom.
  auto view = [](int col, int row) {
    cv::Mat m(101, 101, CV_8UC3, cv::Scalar(90, 90, 90));
    cv::rectangle(m, cv::Rect(col - 5, row - 5, 11, 11), cv::Scalar(255, 0, 0), cv::FILLED);
    return m;
  };
  const cv::Vec3b red(255, 0, 0), grey(90, 90, 90);
  for (const auto& [heading, col, row] : std::vector<std::tuple<double, int, int>>{{90, 10, 50}, {270, 90, 50}, {180, 50, 90}, {-90, 90, 50}, {450, 10, 50}}) {
    const cv::Mat up = NorthUpQuery(view(col, row), heading);
    ASSERT_EQ(up.cols, 101) << heading;
    ASSERT_EQ(up.rows, 101);
    EXPECT_EQ(up.at<cv::Vec3b>(10, 50), red) << heading;  // top centre
    EXPECT_EQ(up.at<cv::Vec3b>(50, 10), grey) << heading;
    EXPECT_EQ(up.at<cv::Vec3b>(90, 50), grey) << heading;
  }
  const cv::Mat plain = view(50, 10);
  const cv::Mat same = NorthUpQuery(plain, 0.0);
  EXPECT_EQ(cv::norm(same, plain, cv::NORM_INF), 0.0);
  EXPECT_EQ(NorthUpQuery(plain, 45.0).cols, 71);  // 101 / (cos 45° + sin 45°) = 71.4
  EXPECT_EQ(NorthUpQuery(cv::Mat(60, 100, CV_8UC3, cv::Scalar(1, 2, 3)), 0.0).cols, 60);  // square crop
  EXPECT_THROW(NorthUpQuery(plain, std::nan("")), InvalidArgumentError);
  LocateOptions o;
  o.heading_deg = std::numeric_limits<double>::infinity();
  EXPECT_THROW(o.Check(), InvalidArgumentError);
}

TEST(TrackIoTest, HeadingCsvReadsHeadingOrYawColumns) {
  TempDir tmp;
  WriteFileAtomic(tmp.path() / "truth.csv", "frame,lat,lon,height_m,yaw_deg\nframe-0000.jpg,40,-30,100,12.5\nframe-0001.jpg,40,-30,100,-7\n");
  const auto h = ReadHeadingCsv(tmp.path() / "truth.csv");
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(FindHeading(h, "frame-0000.jpg", 5), 12.5);
  EXPECT_EQ(FindHeading(h, "frame-0001.png", 1), std::nullopt);  // stem "frame-0001" is not a key; index 1 neither
  WriteFileAtomic(tmp.path() / "h.csv", "heading_deg,frame,yaw_deg\n30,0,99\n");
  EXPECT_EQ(FindHeading(ReadHeadingCsv(tmp.path() / "h.csv"), "frame-x.jpg", 0), 30.0);  // heading_deg wins over yaw_deg
  WriteFileAtomic(tmp.path() / "bad.csv", "frame,lat\n0,1\n");
  EXPECT_THROW(ReadHeadingCsv(tmp.path() / "bad.csv"), InvalidArgumentError);
  WriteFileAtomic(tmp.path() / "nan.csv", "frame,heading_deg\n0,abc\n");
  EXPECT_THROW(ReadHeadingCsv(tmp.path() / "nan.csv"), InvalidArgumentError);
  EXPECT_THROW(ReadHeadingCsv(tmp.path() / "none.csv"), NotFoundError);
}

TEST(TrackIoTest, TruthCsvMatchesNamesStemsAndIndices) {
  TempDir tmp;
  WriteFileAtomic(tmp.path() / "truth.csv", "lon,frame,lat\n-30.5,frame-000.png,40.5\n-30.1,frame-001,40.1\n-30.2,2,40.2\n");
  const auto truth = ReadTruthCsv(tmp.path() / "truth.csv");
  EXPECT_EQ(FindTruth(truth, "frame-000.png", 0)->lat_deg, 40.5);
  EXPECT_EQ(FindTruth(truth, "frame-001.png", 1)->lon_deg, -30.1);
  EXPECT_EQ(FindTruth(truth, "frame-002.png", 2)->lat_deg, 40.2);
  EXPECT_FALSE(FindTruth(truth, "frame-003.png", 3));
  WriteFileAtomic(tmp.path() / "bad.csv", "frame,lat,lon\n0,40.0,-30\n1,north,-30\n");
  try {
    ReadTruthCsv(tmp.path() / "bad.csv");
    FAIL() << "expected InvalidArgumentError";
  } catch (const InvalidArgumentError& e) {
    EXPECT_THAT(e.what(), HasSubstr("line=3"));
  }
  WriteFileAtomic(tmp.path() / "nohdr.csv", "a,b,c\n");
  EXPECT_THROW(ReadTruthCsv(tmp.path() / "nohdr.csv"), InvalidArgumentError);
}

// A synthetic flight along a row of tiles of the shared map, frames cut exactly at the tiles.
TEST(TrackTest, FlightOverTheMapWritesTrackFilesAndHonoursThePriorRadius) {
  CV_REQUIRE_FILE(testing::TextureFile());
  TempDir tmp;
  LocatorOptions lo;
  lo.index = Shared().index.string();
  lo.device = "cpu";
  Locator loc = Locator::Open(lo);
  const cv::Mat map = testing::TextureCrop(400, 300);
  std::vector<TileRecord> path;
  for (const TileRecord& t : loc.index().tiles()) {
    if (t.grid_row == 4) path.push_back(t);
  }
  ASSERT_GE(path.size(), 8u);
  fs::create_directories(tmp.path() / "frames");
  std::string truth = "frame,lat,lon\n";
  for (size_t i = 0; i < path.size(); ++i) {
    char name[32];
    std::snprintf(name, sizeof(name), "frame-%03zu.png", i);
    const geo::PixelWindow& w = path[i].window;
    data::SaveImage(tmp.path() / "frames" / name, map(cv::Rect(w.col_off, w.row_off, w.width_px, w.height_px)));
    std::ostringstream row;
    row.precision(17);
    row << (i % 2 == 0 ? std::string(name) : std::to_string(i)) << "," << path[i].centre.lat_deg << "," << path[i].centre.lon_deg << "\n";
    truth += row.str();
  }
  WriteFileAtomic(tmp.path() / "truth.csv", truth);

  TrackOptions to;
  to.radius_m = 50.0;  // a tile step is 32 m
  to.recovery_confidence = 0.0;  // never recover: every later frame stays inside its circle
  auto frames = OpenFrameSource(tmp.path() / "frames");
  Track track = LocateSequence(loc, *frames, LocateOptions{}, to, false);
  ASSERT_EQ(track.frames.size(), path.size());
  EXPECT_EQ(track.frames[0].mode, SearchMode::kFull);
  for (size_t i = 1; i < track.frames.size(); ++i) {
    EXPECT_EQ(track.frames[i].mode, SearchMode::kPrior);
    const geo::LatLonDeg previous = track.frames[i - 1].result.lat_lon;
    for (const TileCandidate& c : track.frames[i].result.candidates) EXPECT_LE(geo::HaversineDistanceM(previous, c.centre), 50.0);
  }
  EXPECT_EQ(AttachTruth(&track, ReadTruthCsv(tmp.path() / "truth.csv")), static_cast<int>(path.size()));
  for (const TrackFrame& f : track.frames) EXPECT_LT(f.error_m, 1e-6) << f.name;

  WriteTrack(tmp.path() / "out", track, {{"track", ToJson(to)}});
  const nlohmann::json gj = nlohmann::json::parse(ReadFile(tmp.path() / "out" / "track.geojson"));
  EXPECT_EQ(gj["type"], "FeatureCollection");
  ASSERT_EQ(gj["features"].size(), path.size() + 1);
  EXPECT_EQ(gj["features"][0]["geometry"]["type"], "LineString");
  EXPECT_EQ(gj["features"][0]["geometry"]["coordinates"].size(), path.size());
  EXPECT_EQ(gj["features"][1]["geometry"]["type"], "Point");
  EXPECT_EQ(gj["features"][1]["geometry"]["coordinates"][0].get<double>(), path[0].centre.lon_deg);  // [lon, lat]
  EXPECT_EQ(gj["features"][1]["geometry"]["coordinates"][1].get<double>(), path[0].centre.lat_deg);
  EXPECT_EQ(gj["features"][2]["properties"]["mode"], "prior");
  EXPECT_TRUE(gj["features"][2]["properties"].contains("error_m"));
  std::istringstream csv(ReadFile(tmp.path() / "out" / "track.csv"));
  std::string line;
  size_t rows = 0;
  std::getline(csv, line);
  EXPECT_THAT(line, HasSubstr("frame,name,mode,lat,lon"));
  while (std::getline(csv, line)) ++rows;
  EXPECT_EQ(rows, path.size());
  const nlohmann::json summary = nlohmann::json::parse(ReadFile(tmp.path() / "out" / "summary.json"));
  EXPECT_EQ(summary["frames"], path.size());
  EXPECT_EQ(summary["errors"]["n"], path.size());
  EXPECT_EQ(summary["errors"]["within_25m"], 1.0);
  EXPECT_EQ(summary["modes"]["prior"], path.size() - 1);
}

TEST(FrameSourceTest, DirectoriesSortByNameAndVideosDecode) {
  CV_REQUIRE_FILE(testing::TextureFile());
  TempDir tmp;
  fs::create_directories(tmp.path() / "d");
  const cv::Mat crop = testing::TextureCrop(64, 48);
  for (const char* n : {"b.png", "a.JPG", "c.txt", "c.tif"}) {
    if (std::string(n) == "c.txt") {
      WriteFileAtomic(tmp.path() / "d" / n, "not an image");
    } else {
      data::SaveImage(tmp.path() / "d" / (std::string(n) == "a.JPG" ? "a.jpg" : n), crop);
    }
  }
  fs::rename(tmp.path() / "d" / "a.jpg", tmp.path() / "d" / "a.JPG");
  auto dir = OpenFrameSource(tmp.path() / "d");
  EXPECT_EQ(dir->size_hint(), 3);
  std::vector<std::string> names;
  Frame f;
  while (dir->Next(&f)) names.push_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{"a.JPG", "b.png", "c.tif"}));

  // An MJPEG AVI through OpenCV's built-in codec.
  const fs::path video = tmp.path() / "flight.avi";
  cv::VideoWriter writer(video.string(), cv::CAP_OPENCV_MJPEG, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 10.0, cv::Size(64, 48));
  ASSERT_TRUE(writer.isOpened());
  cv::Mat bgr;
  cv::cvtColor(crop, bgr, cv::COLOR_RGB2BGR);
  for (int i = 0; i < 5; ++i) writer.write(bgr);
  writer.release();
  auto vid = OpenFrameSource(video, 2);
  int n = 0;
  while (vid->Next(&f)) {
    EXPECT_EQ(f.rgb.size(), cv::Size(64, 48));
    cv::Mat diff;
    cv::absdiff(f.rgb, crop, diff);
    EXPECT_LT(cv::mean(diff)[0], 12.0);  // JPEG-compressed, same colours (RGB order kept)
    ++n;
  }
  EXPECT_EQ(n, 3);  // frames 0, 2, 4
  EXPECT_EQ(f.name, "frame-000004");
  WriteFileAtomic(tmp.path() / "junk.avi", "not a video");
  EXPECT_THROW(OpenFrameSource(tmp.path() / "junk.avi"), IoError);
  EXPECT_THROW(OpenFrameSource(tmp.path() / "none"), NotFoundError);
  fs::create_directories(tmp.path() / "empty");
  EXPECT_THROW(OpenFrameSource(tmp.path() / "empty"), InvalidArgumentError);
}

}  // namespace
}  // namespace crossview::pipeline

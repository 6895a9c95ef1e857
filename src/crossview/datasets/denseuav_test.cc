#include "crossview/datasets/denseuav.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "crossview/datasets/fake_datasets.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"

namespace crossview::datasets {
namespace {

using ::testing::ElementsAre;
using testing::ErrorMessage;
using ::testing::HasSubstr;
using testing::MakeFakeDenseUav;
using testing::Rel;

TEST(DenseUavTest, ListsViewsAndTheDroneToSatellitePair) {
  TempDir tmp;
  MakeFakeDenseUav(tmp.path());
  const DenseUav d = DenseUav::Open(tmp.path());
  EXPECT_THAT(d.PresentViews("test"), ElementsAre("query_drone", "gallery_satellite"));
  const ViewListing drone = d.List("train", "drone");
  ASSERT_EQ(drone.num_images(), 6u);
  // String order: H100 < H80 < H90.
  EXPECT_EQ(Rel(drone.images[0].path, tmp.path()), "train/drone/000001/H100.JPG");
  EXPECT_EQ(Rel(drone.images[1].path, tmp.path()), "train/drone/000001/H80.JPG");
  EXPECT_EQ(drone.images[5].label, 2);
  EXPECT_EQ(drone.images[5].class_index, 1);
  EXPECT_EQ(DenseUavHeightFromFileName(drone.images[1].path.filename().string()), 80);

  const std::vector<ViewListing> train = d.TrainingViews();
  EXPECT_EQ(train[0].num_images(), 12u);
  const EvalPair ds = d.Evaluation(Direction::kDroneToSatellite);
  EXPECT_EQ(ds.query.num_images(), 3u);
  EXPECT_THAT(ds.gallery.ids, ElementsAre(3, 4));
  EXPECT_THAT(ds.distractor_ids, ElementsAre(4));
  EXPECT_THAT(ErrorMessage<NotFoundError>([&] { d.Evaluation(Direction::kSatelliteToDrone); }),
              HasSubstr("DenseUAV view folder 'test/query_satellite' not found"));
  const ViewCounts expected = {
      {"train/satellite", 12}, {"train/drone", 6}, {"test/query_drone", 3}, {"test/gallery_satellite", 12}};
  EXPECT_EQ(d.Counts(), expected);

  EXPECT_TRUE(d.CheckImageCounts().empty());
  fs::remove(tmp.path() / "train/satellite/000002/H90_old.tif");
  const std::vector<DenseUavCountIssue> issues = d.CheckImageCounts();
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].view, "train/satellite");
  EXPECT_EQ(issues[0].id_folder, "000002");
  EXPECT_EQ(issues[0].images, 5u);
  EXPECT_EQ(issues[0].expected, 6u);
}

TEST(DenseUavTest, ReadsGpsFile) {
  TempDir tmp;
  MakeFakeDenseUav(tmp.path());
  const DenseUav d = DenseUav::Open(tmp.path());
  ASSERT_TRUE(d.HasGps());
  const std::vector<DenseUavGpsRecord> gps = d.ReadGps();
  ASSERT_EQ(gps.size(), 4u);
  EXPECT_EQ(gps[0].path, "train/drone/000001/H100.JPG");
  EXPECT_EQ(gps[0].id_folder, "000001");
  EXPECT_DOUBLE_EQ(gps[0].lat_lon.lon_deg, 120.387);
  EXPECT_DOUBLE_EQ(gps[0].lat_lon.lat_deg, 30.324);
  EXPECT_DOUBLE_EQ(gps[0].height_m, 100.0);
  EXPECT_EQ(gps[3].line, 5);  // the empty line 4 is skipped
  const auto by_id = DenseUavPositionsById(gps);
  EXPECT_EQ(by_id.size(), 4u);
  EXPECT_DOUBLE_EQ(by_id.at("000004").lat_deg, 30.327);
  EXPECT_FALSE(d.HasGps("Dense_GPS_test.txt"));
  EXPECT_THAT(ErrorMessage<NotFoundError>([&] { d.ReadGps("Dense_GPS_test.txt"); }), HasSubstr("DenseUAV GPS file not found"));
}

TEST(DenseUavTest, GpsLinesAreParsedStrictly) {
  // Bare values follow the evaluator's order (lon, lat); prefixed ones go by their letter.
  auto r = ParseDenseUavGps("a/000007/H90.JPG 120.5 30.25\nb/000008/H80.JPG N30.5 E121\n", "g.txt");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_DOUBLE_EQ(r[0].lat_lon.lon_deg, 120.5);
  EXPECT_DOUBLE_EQ(r[0].lat_lon.lat_deg, 30.25);
  EXPECT_TRUE(std::isnan(r[0].height_m));
  EXPECT_DOUBLE_EQ(r[1].lat_lon.lon_deg, 121.0);
  EXPECT_DOUBLE_EQ(r[1].lat_lon.lat_deg, 30.5);
  // Same ID twice: the last line wins, as in the reference evaluator.
  r = ParseDenseUavGps("x/000001/H80.JPG E1 N2\nx/000001/H90.JPG E3 N4\n", "g.txt");
  EXPECT_DOUBLE_EQ(DenseUavPositionsById(r).at("000001").lon_deg, 3.0);

  struct Case {
    std::string text;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"only/two E1\n", "expected 3 or 4 fields, got 2 (file=g.txt, line=1"},
      {"ok/000001/a.jpg E1 N2\nbad/000002/b.jpg Efoo N2\n", "field 2 is not a number (file=g.txt, line=2"},
      {"p/000001/a.jpg E200 N30\n", "coordinate out of range"},
      {"p/000001/a.jpg Enan N30\n", "field 2 is not a number"},
      {"p/000001/a.jpg E1 Ninf\n", "field 3 is not a number"},
      {"p/000001/a.jpg E1 E2\n", "two longitudes"},
      {"p/000001/a.jpg E1 N2 high\n", "field 4 (height) is not a number"},
      {"noslash E1 N2\n", "the path has no ID folder"},
      {"p/000001/a.jpg E1 N2 3 4\n", "expected 3 or 4 fields, got 5"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(ErrorMessage<IoError>([&] { ParseDenseUavGps(c.text, "g.txt"); }), HasSubstr(c.expected)) << c.text;
  }
  EXPECT_TRUE(ParseDenseUavGps("", "g.txt").empty());
}

TEST(DenseUavTest, HeightsFromFileNames) {
  EXPECT_EQ(DenseUavHeightFromFileName("H100.JPG"), 100);
  EXPECT_EQ(DenseUavHeightFromFileName("H80_old.tif"), 80);
  EXPECT_EQ(DenseUavHeightFromFileName("H90.tif"), 90);
  for (const char* no : {"image-01.jpeg", "H.jpg", "Hx.jpg", "H100", "h100.jpg", "H12345678.jpg", ""}) {
    EXPECT_EQ(DenseUavHeightFromFileName(no), -1) << no;
  }
}

TEST(DenseUavTest, PartialDatasetNeedsWhatExistsScope) {
  TempDir tmp;
  MakeFakeDenseUav(tmp.path());
  fs::remove_all(tmp.path() / "train");
  const std::string msg = ErrorMessage<NotFoundError>([&] { DenseUav::Open(tmp.path()); });
  EXPECT_THAT(msg, HasSubstr("DenseUAV split folder 'train' not found"));
  DenseUavOptions o;
  o.scope = ReadScope::kWhatExists;
  const DenseUav d = DenseUav::Open(tmp.path(), o);
  EXPECT_NO_THROW(d.Evaluation(Direction::kDroneToSatellite));
  EXPECT_THAT(ErrorMessage<NotFoundError>([&] { d.TrainingViews(); }), HasSubstr("DenseUAV split folder 'train' not found"));
  EXPECT_THAT(ErrorMessage<InvalidArgumentError>([&] { DenseUav::KnownViews("val"); }), HasSubstr("valid=train, test"));
}

}  // namespace
}  // namespace crossview::datasets

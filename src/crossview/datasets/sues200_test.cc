#include "crossview/datasets/sues200.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "crossview/datasets/fake_datasets.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"

namespace crossview::datasets {
namespace {

using ::testing::ElementsAre;
using testing::ErrorMessage;
using ::testing::HasSubstr;
using testing::MakeFakeSues200Raw;
using testing::MakeFakeSues200Split;
using testing::Rel;

Sues200Options Heights(std::vector<int> heights, ReadScope scope = ReadScope::kComplete) {
  Sues200Options o;
  o.heights_m = std::move(heights);
  o.scope = scope;
  return o;
}

TEST(Sues200Test, SplitFormListsPerHeight) {
  TempDir tmp;
  MakeFakeSues200Split(tmp.path(), {150, 200, 250, 300});
  const Sues200 d = Sues200::Open(tmp.path());
  EXPECT_TRUE(d.has_split());
  EXPECT_FALSE(d.has_raw());
  EXPECT_THAT(d.Heights(Sues200Part::kTraining), ElementsAre(150, 200, 250, 300));
  EXPECT_THAT(d.Heights(Sues200Part::kTesting), ElementsAre(150, 200, 250, 300));

  const ViewListing drone = d.List(Sues200Part::kTraining, 250, "drone");
  EXPECT_EQ(drone.view, "Training/250/drone");
  ASSERT_EQ(drone.num_images(), 4u);
  EXPECT_EQ(Rel(drone.images[0].path, tmp.path()), "Training/250/drone/0001/01.jpg");
  EXPECT_EQ(Rel(drone.images[3].path, tmp.path()), "Training/250/drone/0002/02.jpg");
  EXPECT_EQ(drone.images[3].label, 2);
  EXPECT_EQ(drone.images[3].class_index, 1);

  const std::vector<ViewListing> train = d.TrainingViews(150);
  ASSERT_EQ(train.size(), 2u);
  EXPECT_EQ(train[0].view, "Training/150/satellite");
  EXPECT_THAT(train[0].ids, ElementsAre(1, 2));

  // Galleries hold every place; training places are the distractors.
  const EvalPair ds = d.Evaluation(300, Direction::kDroneToSatellite);
  EXPECT_EQ(ds.query.view, "Testing/300/query_drone");
  EXPECT_EQ(ds.gallery.view, "Testing/300/gallery_satellite");
  EXPECT_EQ(ds.query.num_images(), 2u);
  EXPECT_EQ(ds.gallery.num_images(), 3u);
  EXPECT_THAT(ds.distractor_ids, ElementsAre(1, 2));
  EXPECT_TRUE(ds.query_ids_without_match.empty());
  const EvalPair sd = d.Evaluation(300, Direction::kSatelliteToDrone);
  EXPECT_EQ(sd.query.view, "Testing/300/query_satellite");
  EXPECT_EQ(sd.query.num_images(), 1u);
  EXPECT_EQ(sd.gallery.num_images(), 6u);

  const ViewCounts counts = d.Counts();
  EXPECT_EQ(counts.size(), 24u);  // 4 heights × (2 training + 4 testing views)
  EXPECT_EQ(counts.at("Training/150/drone"), 4u);
  EXPECT_EQ(counts.at("Testing/200/gallery_drone"), 6u);
  EXPECT_EQ(counts.at("Testing/300/query_satellite"), 1u);
}

TEST(Sues200Test, RawFormListsDroneHeightsAndTheSharedSatellites) {
  TempDir tmp;
  MakeFakeSues200Raw(tmp.path(), {150, 200, 250, 300});
  const Sues200 d = Sues200::Open(tmp.path());
  EXPECT_TRUE(d.has_raw());
  EXPECT_FALSE(d.has_split());
  EXPECT_THAT(d.Heights(Sues200Part::kRaw), ElementsAre(150, 200, 250, 300));
  const ViewListing drone = d.List(Sues200Part::kRaw, 200, "drone");
  EXPECT_EQ(drone.view, "drone_view_512/200");
  ASSERT_EQ(drone.num_images(), 4u);
  EXPECT_EQ(Rel(drone.images[1].path, tmp.path()), "drone_view_512/200/0001/2.jpg");
  const ViewListing sat = d.List(Sues200Part::kRaw, 0, "satellite");
  EXPECT_EQ(sat.view, "satellite-view");
  ASSERT_EQ(sat.num_images(), 2u);
  EXPECT_EQ(Rel(sat.images[1].path, tmp.path()), "satellite-view/0002/0.png");
  EXPECT_EQ(sat.images[1].label, 2);
  const ViewCounts counts = d.Counts();
  EXPECT_EQ(counts.at("drone_view_512/150"), 4u);
  EXPECT_EQ(counts.at("satellite-view"), 2u);
  EXPECT_EQ(counts.size(), 5u);
  EXPECT_THAT(ErrorMessage<NotFoundError>([&] { d.Evaluation(150, Direction::kDroneToSatellite); }),
              HasSubstr("SUES-200 split folder 'Testing' not found"));
}

TEST(Sues200Test, MissingHeightsAndSplitsAreErrorsUnlessOnlyWhatExistsIsAsked) {
  TempDir tmp;
  MakeFakeSues200Split(tmp.path(), {150, 200});
  std::string msg = ErrorMessage<NotFoundError>([&] { Sues200::Open(tmp.path()); });
  EXPECT_THAT(msg, HasSubstr("SUES-200 height folder '250' not found"));
  EXPECT_THAT(msg, HasSubstr("=150, 200, 250, 300"));
  EXPECT_NO_THROW(Sues200::Open(tmp.path(), Heights({150, 200})));

  const Sues200 partial = Sues200::Open(tmp.path(), Heights({150, 200, 250, 300}, ReadScope::kWhatExists));
  EXPECT_THAT(partial.Heights(Sues200Part::kTesting), ElementsAre(150, 200));
  msg = ErrorMessage<NotFoundError>([&] { partial.List(Sues200Part::kTesting, 250, "query_drone"); });
  EXPECT_THAT(msg, HasSubstr("SUES-200 height folder 'Testing/250' not found"));

  fs::remove_all(tmp.path() / "Testing/200/gallery_satellite");
  msg = ErrorMessage<NotFoundError>([&] { Sues200::Open(tmp.path(), Heights({150, 200})); });
  EXPECT_THAT(msg, HasSubstr("view folder 'Testing/200/gallery_satellite' not found"));
  EXPECT_THAT(msg, HasSubstr("query_drone, query_satellite, gallery_drone, gallery_satellite"));

  fs::remove_all(tmp.path() / "Testing");
  msg = ErrorMessage<NotFoundError>([&] { Sues200::Open(tmp.path(), Heights({150, 200})); });
  EXPECT_THAT(msg, HasSubstr("SUES-200 split folder 'Testing' not found"));
  const Sues200 train_only = Sues200::Open(tmp.path(), Heights({150, 200}, ReadScope::kWhatExists));
  EXPECT_EQ(train_only.TrainingViews(200).size(), 2u);
  EXPECT_THAT(ErrorMessage<InvalidArgumentError>([&] { train_only.List(Sues200Part::kTraining, 150, "query_drone"); }),
              HasSubstr("valid=drone, satellite"));
}

TEST(Sues200Test, RejectsStrayHeightFoldersAndEmptyRoots) {
  TempDir tmp;
  MakeFakeSues200Split(tmp.path(), {150});
  fs::create_directories(tmp.path() / "Training/backup");
  const std::string msg = ErrorMessage<InvalidArgumentError>([&] { Sues200::Open(tmp.path(), Heights({150})); });
  EXPECT_THAT(msg, HasSubstr("SUES-200 height folder name is not a number"));
  EXPECT_THAT(msg, HasSubstr("Training/backup"));

  TempDir empty;
  fs::create_directories(empty.path() / "images");
  const std::string msg2 = ErrorMessage<NotFoundError>([&] { Sues200::Open(empty.path()); });
  EXPECT_THAT(msg2, HasSubstr("no SUES-200 folders under the root"));
  EXPECT_THAT(msg2, HasSubstr("present=images"));
  EXPECT_THAT(ErrorMessage<NotFoundError>([&] { Sues200::Open(empty.path() / "missing"); }),
              HasSubstr("SUES-200 dataset root not found"));
}

}  // namespace
}  // namespace crossview::datasets

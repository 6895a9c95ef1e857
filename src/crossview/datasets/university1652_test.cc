#include "crossview/datasets/university1652.h"

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
using testing::MakeFakeUniversity1652;
using testing::Rel;
using testing::WriteImages;

std::vector<std::string> RelPaths(const ViewListing& l, const fs::path& root) {
  std::vector<std::string> out;
  for (const ImageEntry& e : l.images) out.push_back(Rel(e.path, root));
  return out;
}

class University1652Test : public ::testing::Test {
 protected:
  void SetUp() override { MakeFakeUniversity1652(root()); }
  fs::path root() const { return tmp_.path() / "University-Release"; }
  TempDir tmp_;
};

TEST_F(University1652Test, ListsTrainingViewsInImageFolderOrder) {
  const University1652 d = University1652::Open(root());
  EXPECT_THAT(d.PresentViews(U1652Split::kTrain), ElementsAre("satellite", "drone", "street", "google"));
  EXPECT_THAT(d.PresentViews(U1652Split::kTest),
              ElementsAre("query_satellite", "query_drone", "gallery_satellite", "gallery_drone"));

  const ViewListing drone = d.List(U1652Split::kTrain, "drone");
  EXPECT_EQ(drone.view, "train/drone");
  EXPECT_THAT(drone.id_folders, ElementsAre("0001", "0002", "0010"));
  EXPECT_THAT(RelPaths(drone, root()),
              ElementsAre("train/drone/0001/image-01.jpeg", "train/drone/0001/image-02.jpeg", "train/drone/0001/image-10.jpeg",
                          "train/drone/0002/B.PNG", "train/drone/0002/a.webp", "train/drone/0002/image-01.jpeg",
                          "train/drone/0002/image-02.jpeg", "train/drone/0002/image-10.jpeg", "train/drone/0010/image-01.jpeg",
                          "train/drone/0010/image-02.jpeg", "train/drone/0010/image-10.jpeg"));
  // Labels are the building IDs; class indices the ImageFolder indices 0..K−1.
  EXPECT_EQ(drone.images[0].label, 1);
  EXPECT_EQ(drone.images[0].class_index, 0);
  EXPECT_EQ(drone.images[3].label, 2);
  EXPECT_EQ(drone.images[3].class_index, 1);
  EXPECT_EQ(drone.images[10].label, 10);
  EXPECT_EQ(drone.images[10].class_index, 2);

  // train/google keeps its empty ID folders (and their class indices).
  const ViewListing google = d.List(U1652Split::kTrain, "google");
  EXPECT_THAT(google.ids, ElementsAre(1, 2, 10));
  EXPECT_THAT(google.images_per_id, ElementsAre(0u, 1u, 0u));
  ASSERT_EQ(google.num_images(), 1u);
  EXPECT_EQ(Rel(google.images[0].path, root()), "train/google/0002/g.jpg");
  EXPECT_EQ(google.images[0].class_index, 1);

  const std::vector<ViewListing> aligned = d.TrainingViews();
  ASSERT_EQ(aligned.size(), 2u);
  EXPECT_EQ(aligned[0].view, "train/satellite");
  EXPECT_THAT(RelPaths(aligned[0], root()),
              ElementsAre("train/satellite/0001/0001.jpg", "train/satellite/0002/0002.jpg", "train/satellite/0010/0010.jpg"));
  EXPECT_EQ(aligned[0].images[2].class_index, 2);
  EXPECT_EQ(d.TrainingViews({"satellite", "drone", "street", "google"}).size(), 4u);
}

TEST_F(University1652Test, CountsPerView) {
  const ViewCounts counts = University1652::Open(root()).Counts();
  const ViewCounts expected = {{"train/satellite", 3},        {"train/drone", 11},         {"train/street", 3},
                               {"train/google", 1},           {"test/query_satellite", 2}, {"test/query_drone", 4},
                               {"test/gallery_satellite", 3}, {"test/gallery_drone", 6}};
  EXPECT_EQ(counts, expected);
}

TEST_F(University1652Test, EvaluationPairsAreTheStandardDirections) {
  const University1652 d = University1652::Open(root());
  const EvalPair ds = d.Evaluation(Direction::kDroneToSatellite);
  EXPECT_EQ(ds.query.view, "test/query_drone");
  EXPECT_EQ(ds.gallery.view, "test/gallery_satellite");
  EXPECT_EQ(ds.query.num_images(), 4u);
  EXPECT_THAT(ds.gallery.ids, ElementsAre(5, 7, 9));
  EXPECT_THAT(ds.distractor_ids, ElementsAre(9));
  EXPECT_TRUE(ds.query_ids_without_match.empty());
  std::vector<int> query_labels;
  for (const ImageEntry& e : ds.query.images) query_labels.push_back(e.label);
  EXPECT_THAT(query_labels, ElementsAre(5, 5, 7, 7));

  const EvalPair sd = d.Evaluation(Direction::kSatelliteToDrone);
  EXPECT_EQ(sd.query.view, "test/query_satellite");
  EXPECT_EQ(sd.gallery.view, "test/gallery_drone");
  EXPECT_THAT(RelPaths(sd.query, root()),
              ElementsAre("test/query_satellite/0005/0005.jpg", "test/query_satellite/0007/0007.jpg"));
  EXPECT_EQ(sd.gallery.num_images(), 6u);
  EXPECT_THAT(sd.distractor_ids, ElementsAre(9));
}

TEST_F(University1652Test, MisalignedTrainingViewsAreRejected) {
  fs::remove_all(root() / "train/satellite/0010");
  const std::string msg = ErrorMessage<InvalidArgumentError>([&] { University1652::Open(root()).TrainingViews(); });
  EXPECT_THAT(msg, HasSubstr("training views do not have the same ID folders"));
  EXPECT_THAT(msg, HasSubstr("=0010"));
}

TEST_F(University1652Test, PartialDatasetNeedsWhatExistsScope) {
  fs::remove_all(root() / "test");
  std::string msg = ErrorMessage<NotFoundError>([&] { University1652::Open(root()); });
  EXPECT_THAT(msg, HasSubstr("University-1652 split folder 'test' not found"));
  EXPECT_THAT(msg, HasSubstr("expected in " + root().string() + "=train, test"));
  EXPECT_THAT(msg, HasSubstr("present=train"));
  EXPECT_THAT(msg, HasSubstr("kWhatExists"));

  University1652Options only_present;
  only_present.scope = ReadScope::kWhatExists;
  const University1652 d = University1652::Open(root(), only_present);
  EXPECT_TRUE(d.HasSplit(U1652Split::kTrain));
  EXPECT_FALSE(d.HasSplit(U1652Split::kTest));
  EXPECT_EQ(d.List(U1652Split::kTrain, "drone").num_images(), 11u);
  EXPECT_EQ(d.Counts().size(), 4u);
  msg = ErrorMessage<NotFoundError>([&] { d.Evaluation(Direction::kDroneToSatellite); });
  EXPECT_THAT(msg, HasSubstr("split folder 'test' not found"));
}

TEST_F(University1652Test, MissingViewFolderIsNamedWithTheExpectedOnes) {
  fs::remove_all(root() / "test/gallery_drone");
  const std::string msg = ErrorMessage<NotFoundError>([&] { University1652::Open(root()); });
  EXPECT_THAT(msg, HasSubstr("view folder 'test/gallery_drone' not found"));
  EXPECT_THAT(msg, HasSubstr("query_drone, gallery_satellite, query_satellite, gallery_drone"));
  University1652Options only_present;
  only_present.scope = ReadScope::kWhatExists;
  const University1652 d = University1652::Open(root(), only_present);
  EXPECT_THAT(ErrorMessage<NotFoundError>([&] { d.Evaluation(Direction::kSatelliteToDrone); }),
              HasSubstr("view folder 'test/gallery_drone' not found"));
  EXPECT_NO_THROW(d.Evaluation(Direction::kDroneToSatellite));
  EXPECT_THAT(ErrorMessage<InvalidArgumentError>([&] { d.List(U1652Split::kTest, "gallery_sat"); }),
              HasSubstr("valid=query_satellite, query_drone"));
}

TEST_F(University1652Test, MissingRootAndNestedRootAreExplained) {
  EXPECT_THAT(ErrorMessage<NotFoundError>([&] { University1652::Open(tmp_.path() / "nowhere"); }),
              HasSubstr("University-1652 dataset root not found"));
  // Pointing at University-1652/ that holds University-Release/: the hint names the right folder.
  const std::string msg = ErrorMessage<NotFoundError>([&] { University1652::Open(tmp_.path()); });
  EXPECT_THAT(msg, HasSubstr("no University-1652 split or view folders under the root"));
  EXPECT_THAT(msg, HasSubstr("try " + root().string()));
}

TEST_F(University1652Test, DamagedIdFoldersAreNamedWhenListed) {
  WriteImages(root() / "test/gallery_satellite/building-9", {"x.jpg"});
  const University1652 d = University1652::Open(root());  // folders only: opening still works
  std::string msg = ErrorMessage<InvalidArgumentError>([&] { d.Evaluation(Direction::kDroneToSatellite); });
  EXPECT_THAT(msg, HasSubstr("ID folder name is not a number"));
  EXPECT_THAT(msg, HasSubstr("test/gallery_satellite/building-9"));

  fs::remove_all(root() / "test/gallery_satellite/building-9");
  fs::remove(root() / "test/query_satellite/0007/0007.jpg");
  msg = ErrorMessage<InvalidArgumentError>([&] { d.Counts(); });
  EXPECT_THAT(msg, HasSubstr("ID folder holds no images"));
  EXPECT_THAT(msg, HasSubstr("test/query_satellite/0007"));
}

}  // namespace
}  // namespace crossview::datasets

#include "crossview/datasets/ul14.h"

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
using testing::MakeFakeUl14;
using testing::Rel;
using testing::WorkedExampleGpsInfo;
using testing::WorkedExampleLabels;
using testing::WriteFile;
using testing::WriteImages;

class Ul14Test : public ::testing::Test {
 protected:
  void SetUp() override { MakeFakeUl14(root()); }
  fs::path root() const { return tmp_.path(); }
  fs::path sample() const { return root() / "test/town-europe_100_0017"; }
  TempDir tmp_;
};

TEST_F(Ul14Test, ListsTrainingPairs) {
  const Ul14 d = Ul14::Open(root());
  EXPECT_TRUE(d.has_train());
  EXPECT_EQ(d.TestDir(), root() / "test");
  const std::vector<Ul14TrainSample> train = d.ListTrain();
  ASSERT_EQ(train.size(), 2u);
  EXPECT_EQ(train[0].folder, "california-town2_80_0001");
  EXPECT_EQ(train[0].name.place, "california-town2");
  EXPECT_EQ(train[0].name.height_m, 80);
  EXPECT_EQ(train[0].name.index, 1);
  EXPECT_EQ(Rel(train[0].uav_image, root()), "train/california-town2_80_0001/UAV/0.JPG");
  ASSERT_EQ(train[1].satellite_images.size(), 1u);
  EXPECT_EQ(Rel(train[1].satellite_images[0], root()), "train/town-europe_100_0007/Satellite/0.tif");
}

TEST_F(Ul14Test, ReadsTestSamplesWithLabelsAndGps) {
  const Ul14 d = Ul14::Open(root());
  const std::vector<Ul14TestSample> test = d.ListTest();
  ASSERT_EQ(test.size(), 1u);
  const Ul14TestSample& s = test[0];
  EXPECT_EQ(s.folder, "town-europe_100_0017");
  EXPECT_EQ(s.name.place, "town-europe");
  EXPECT_EQ(s.name.height_m, 100);
  EXPECT_EQ(s.name.index, 17);
  EXPECT_EQ(Rel(s.uav_image, root()), "test/town-europe_100_0017/UAV/0.JPG");
  EXPECT_DOUBLE_EQ(s.uav_lat_lon.lon_deg, -29.698962189421792);
  EXPECT_DOUBLE_EQ(s.uav_lat_lon.lat_deg, 40.001003867330006);
  std::vector<std::string> names;
  for (const Ul14SearchMapRecord& m : s.maps) names.push_back(m.name);
  EXPECT_THAT(names, ElementsAre("0.jpg", "1.jpg", "2.jpg", "10.jpg"));  // numeric order
  EXPECT_EQ(Rel(s.maps[3].path, root()), "test/town-europe_100_0017/Satellite/10.jpg");
  EXPECT_EQ(s.maps[0].label.row, 230);
  EXPECT_EQ(s.maps[0].label.col, 499);
  EXPECT_DOUBLE_EQ(s.maps[0].gps.tl_e_deg, -29.70124889069581);
  EXPECT_DOUBLE_EQ(s.maps[0].gps.br_n_deg, 39.99911740523335);
  EXPECT_EQ(s.maps[0].gps.map_size, 300);
  EXPECT_TRUE(CheckLabels(s).empty());
  EXPECT_TRUE(d.CheckAllLabels().empty());
}

TEST_F(Ul14Test, WorkedExampleSampleReadsBackAndInconsistentLabelsAreReported) {
  // The §4.3 worked example alone, as the synthesiser writes it.
  const fs::path one = root() / "worked/town-europe_100_0017";
  WriteImages(one / "UAV", {"0.JPG"});
  WriteImages(one / "Satellite", {"0.jpg"});
  WriteFile(one / "GPS_info.json", WorkedExampleGpsInfo());
  WriteFile(one / "labels.json", WorkedExampleLabels());
  const Ul14TestSample s = ReadUl14TestSample(one);
  ASSERT_EQ(s.maps.size(), 1u);
  EXPECT_TRUE(CheckLabels(s, 1.0).empty());
  const std::vector<Ul14LabelViolation> tight = CheckLabels(s, 0.3);
  ASSERT_EQ(tight.size(), 1u);
  EXPECT_NEAR(tight[0].error_row_px, 0.4, 1e-6);
  EXPECT_NEAR(tight[0].error_col_px, 0.2, 1e-6);

  // One label moved by 3 rows in the dataset: reported by name, nothing thrown.
  WriteFile(sample() / "labels.json", R"({"0.jpg": [230, 499], "1.jpg": [230, 499], "2.jpg": [233, 499], "10.jpg": [230, 499]})");
  const std::vector<Ul14LabelViolation> v = Ul14::Open(root()).CheckAllLabels();
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].sample, "town-europe_100_0017");
  EXPECT_EQ(v[0].map, "2.jpg");
  EXPECT_NEAR(v[0].error_row_px, -2.6, 1e-6);
}

TEST_F(Ul14Test, PartialDatasetNeedsWhatExistsScope) {
  fs::remove_all(root() / "test");
  fs::remove_all(root() / "worked");
  std::string msg = ErrorMessage<NotFoundError>([&] { Ul14::Open(root()); });
  EXPECT_THAT(msg, HasSubstr("UL14 test folder not found"));
  EXPECT_THAT(msg, HasSubstr("present=train"));
  Ul14Options o;
  o.scope = ReadScope::kWhatExists;
  const Ul14 d = Ul14::Open(root(), o);
  EXPECT_FALSE(d.has_test());
  EXPECT_EQ(d.ListTrain().size(), 2u);
  EXPECT_THAT(ErrorMessage<NotFoundError>([&] { d.ListTest(); }), HasSubstr("UL14 test folder not found"));

  fs::remove_all(root() / "train");
  msg = ErrorMessage<NotFoundError>([&] { Ul14::Open(root(), o); });
  EXPECT_THAT(msg, HasSubstr("no UL14 train or test folder under the root"));
  EXPECT_THAT(ErrorMessage<NotFoundError>([&] { Ul14::Open(root() / "absent"); }), HasSubstr("UL14 dataset root not found"));
}

TEST_F(Ul14Test, ReleaseTestFolderNameIsFoundOrChosen) {
  const std::string release = "merge_test_700-1800_cr0.95_stride100";
  fs::rename(root() / "test", root() / release);
  EXPECT_EQ(Ul14::Open(root()).TestDir(), root() / release);
  EXPECT_EQ(Ul14::Open(root()).ListTest().size(), 1u);

  fs::create_directories(root() / "val");
  fs::copy(root() / release, root() / "val", fs::copy_options::recursive);
  const std::string msg = ErrorMessage<InvalidArgumentError>([&] { Ul14::Open(root()); });
  EXPECT_THAT(msg, HasSubstr("several UL14 test folders"));
  EXPECT_THAT(msg, HasSubstr("candidates=" + release + ", val"));
  Ul14Options o;
  o.test_dir = "val";
  EXPECT_EQ(Ul14::Open(root(), o).TestDir(), root() / "val");
  o.test_dir = "nope";
  EXPECT_THAT(ErrorMessage<NotFoundError>([&] { Ul14::Open(root(), o); }), HasSubstr("UL14 test folder 'nope' not found"));
}

TEST_F(Ul14Test, AcceptsReadmeSpellingAndAnyUavImageName) {
  fs::rename(sample() / "labels.json", sample() / "label.json");
  fs::rename(sample() / "UAV/0.JPG", sample() / "UAV/frame.jpg");
  const Ul14TestSample s = ReadUl14TestSample(sample());
  EXPECT_EQ(s.maps.size(), 4u);
  EXPECT_EQ(s.uav_image.filename(), "frame.jpg");
}

TEST_F(Ul14Test, DamagedSamplesNameTheFileAndProblem) {
  const std::string labels = (sample() / "labels.json").string();
  const std::string gps = (sample() / "GPS_info.json").string();

  WriteFile(sample() / "GPS_info.json", "");
  EXPECT_THAT(ErrorMessage<IoError>([&] { ReadUl14TestSample(sample()); }), HasSubstr("JSON file is empty (file=" + gps));
  WriteFile(sample() / "GPS_info.json", R"({"UAV": {"E": -29.7, "N": "40"}, "Satellite": {}})");
  EXPECT_THAT(ErrorMessage<IoError>([&] { ReadUl14TestSample(sample()); }), HasSubstr("file=" + gps + ", key=UAV.N"));
  fs::remove(sample() / "GPS_info.json");
  EXPECT_THAT(ErrorMessage<NotFoundError>([&] { Ul14::Open(root()).ListTest(); }),
              HasSubstr("UL14 test sample has no GPS_info.json"));
  MakeFakeUl14(root());

  WriteFile(sample() / "labels.json", R"({"0.jpg": [230, 800]})");
  EXPECT_THAT(ErrorMessage<IoError>([&] { ReadUl14TestSample(sample()); }),
              HasSubstr("label lies outside the search map (file=" + labels + ", key=[\"0.jpg\"], row=230, col=800"));
  MakeFakeUl14(root());

  fs::remove(sample() / "Satellite/2.jpg");
  std::string msg = ErrorMessage<NotFoundError>([&] { ReadUl14TestSample(sample()); });
  EXPECT_THAT(msg, HasSubstr("search map named in labels.json is not in Satellite/"));
  EXPECT_THAT(msg, HasSubstr("keys=2.jpg"));
  MakeFakeUl14(root());

  WriteImages(sample() / "Satellite", {"11.jpg"});
  msg = ErrorMessage<IoError>([&] { ReadUl14TestSample(sample()); });
  EXPECT_THAT(msg, HasSubstr("search map in Satellite/ has no label (maps=11.jpg"));
  fs::remove(sample() / "Satellite/11.jpg");

  WriteFile(sample() / "labels.json", R"({"0.jpg": [1, 2], "1.jpg": [1, 2], "2.jpg": [1, 2]})");
  msg = ErrorMessage<IoError>([&] { ReadUl14TestSample(sample()); });
  EXPECT_THAT(msg, HasSubstr("labels.json and GPS_info.json list different search maps"));
  EXPECT_THAT(msg, HasSubstr("only in GPS_info.json Satellite=10.jpg"));
  MakeFakeUl14(root());

  fs::remove(sample() / "UAV/0.JPG");
  EXPECT_THAT(ErrorMessage<InvalidArgumentError>([&] { ReadUl14TestSample(sample()); }),
              HasSubstr("UL14 folder holds no images (folder=" + (sample() / "UAV").string()));
  fs::remove_all(sample() / "UAV");
  EXPECT_THAT(ErrorMessage<NotFoundError>([&] { ReadUl14TestSample(sample()); }), HasSubstr("UL14 sample has no UAV/ folder"));
  MakeFakeUl14(root());

  fs::create_directories(root() / "train/notes");
  msg = ErrorMessage<InvalidArgumentError>([&] { Ul14::Open(root()).ListTrain(); });
  EXPECT_THAT(msg, HasSubstr("UL14 sample folder name is not <Place>_<Height>_<Index> (folder=notes"));
  fs::remove_all(root() / "train/notes");
  fs::remove_all(root() / "train/town-europe_100_0007/Satellite");
  EXPECT_THAT(ErrorMessage<NotFoundError>([&] { Ul14::Open(root()).ListTrain(); }),
              HasSubstr("UL14 sample has no Satellite/ folder"));
}

}  // namespace
}  // namespace crossview::datasets

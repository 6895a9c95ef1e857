#include "crossview/datasets/detect.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "crossview/datasets/fake_datasets.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"

namespace crossview::datasets {
namespace {

using testing::ErrorMessage;
using ::testing::HasSubstr;
using testing::WriteFile;

const char* kManifest = R"({"schema": "crossview.synth/1", "generator": {"name": "crossview", "version": "0.3.0"},
  "kind": "ir", "layout": "university1652", "preset": "tiny", "seed": 5, "options": {"unknown": 1},
  "sources": [], "targets": [], "images": [], "future_field": {"x": [1, 2]}})";

TEST(DetectLayoutTest, RecognisesEveryFakeLayout) {
  struct Case {
    std::function<void(const fs::path&)> make;
    DatasetLayout layout;
    std::string evidence;
  };
  const std::vector<Case> cases = {
      {testing::MakeFakeUniversity1652, DatasetLayout::kUniversity1652, "train/drone/"},
      {[](const fs::path& r) { testing::MakeFakeSues200Split(r, {150}); }, DatasetLayout::kSues200, "Training/, Testing/"},
      {[](const fs::path& r) { testing::MakeFakeSues200Raw(r, {150}); }, DatasetLayout::kSues200,
       "drone_view_512/, satellite-view/"},
      {testing::MakeFakeUl14, DatasetLayout::kUl14, "train/california-town2_80_0001/UAV/, test/ (UL14 test samples)"},
      {testing::MakeFakeDenseUav, DatasetLayout::kDenseUav, "Dense_GPS_ALL.txt"},
  };
  for (const Case& c : cases) {
    TempDir tmp;
    c.make(tmp.path());
    const LayoutDetection d = DetectLayout(tmp.path());
    EXPECT_EQ(d.layout, c.layout) << c.evidence;
    EXPECT_EQ(d.root, tmp.path());
    EXPECT_THAT(d.evidence, HasSubstr(c.evidence));
    EXPECT_FALSE(d.has_crossview_manifest);
  }
  EXPECT_STREQ(DatasetLayoutName(DatasetLayout::kDenseUav), "denseuav");
}

TEST(DetectLayoutTest, DenseUavWithoutGpsFilesIsKnownByItsSixDigitIds) {
  TempDir tmp;
  testing::MakeFakeDenseUav(tmp.path());
  fs::remove(tmp.path() / "Dense_GPS_ALL.txt");
  const LayoutDetection d = DetectLayout(tmp.path());
  EXPECT_EQ(d.layout, DatasetLayout::kDenseUav);
  EXPECT_THAT(d.evidence, HasSubstr("6-digit IDs in train/drone/"));
}

TEST(DetectLayoutTest, DescendsIntoTheOneSubfolderThatMatches) {
  TempDir tmp;
  testing::MakeFakeUniversity1652(tmp.path() / "University-Release");
  const LayoutDetection d = DetectLayout(tmp.path());
  EXPECT_EQ(d.layout, DatasetLayout::kUniversity1652);
  EXPECT_EQ(d.root, tmp.path() / "University-Release");
  EXPECT_THAT(d.evidence, HasSubstr("(in University-Release/)"));
}

TEST(DetectLayoutTest, NothingMatchesListsWhatWasLookedFor) {
  TempDir tmp;
  fs::create_directories(tmp.path() / "photos");
  const std::string msg = ErrorMessage<NotFoundError>([&] { DetectLayout(tmp.path()); });
  EXPECT_THAT(msg, HasSubstr("no known dataset layout under the folder"));
  for (const char* looked : {"SUES-200 (Training/<h>/", "UL14 (train/<Place>_<H>_<Index>/UAV/0.JPG", "DenseUAV (",
                             "University-1652 (train/{drone,satellite,street,google}", "crossview manifest.json"}) {
    EXPECT_THAT(msg, HasSubstr(looked));
  }
  EXPECT_THAT(msg, HasSubstr("present=photos"));
  EXPECT_THAT(ErrorMessage<NotFoundError>([&] { DetectLayout(tmp.path() / "absent"); }), HasSubstr("dataset root not found"));
}

TEST(DetectLayoutTest, ReadsCrossviewManifestAndChecksItAgainstTheFolders) {
  TempDir tmp;
  testing::MakeFakeUniversity1652(tmp.path());
  WriteFile(tmp.path() / "manifest.json", kManifest);
  LayoutDetection d = DetectLayout(tmp.path());
  EXPECT_EQ(d.layout, DatasetLayout::kUniversity1652);
  EXPECT_TRUE(d.has_crossview_manifest);
  EXPECT_EQ(d.manifest_schema, "crossview.synth/1");
  EXPECT_EQ(d.manifest_kind, "ir");
  EXPECT_EQ(d.manifest_layout, "university1652");

  WriteFile(tmp.path() / "manifest.json", R"({"schema": "crossview.synth/1", "kind": "ir", "layout": "sues200"})");
  std::string msg = ErrorMessage<InvalidArgumentError>([&] { DetectLayout(tmp.path()); });
  EXPECT_THAT(msg, HasSubstr("manifest.json declares a different layout than the folders hold"));
  EXPECT_THAT(msg, HasSubstr("manifest layout=sues200"));
  EXPECT_THAT(msg, HasSubstr("folders=university1652"));

  WriteFile(tmp.path() / "manifest.json", R"({"schema": "crossview.synth/1", "layout": 7})");
  msg = ErrorMessage<IoError>([&] { DetectLayout(tmp.path()); });
  EXPECT_THAT(msg, HasSubstr("expected a string (file=" + (tmp.path() / "manifest.json").string() + ", key=layout"));
  WriteFile(tmp.path() / "manifest.json", "{\"schema\": ");
  EXPECT_THAT(ErrorMessage<IoError>([&] { DetectLayout(tmp.path()); }), HasSubstr("malformed JSON"));

  // Someone else's manifest.json is not ours to read.
  WriteFile(tmp.path() / "manifest.json", R"({"name": "my photos", "layout": "sues200"})");
  d = DetectLayout(tmp.path());
  EXPECT_FALSE(d.has_crossview_manifest);
  EXPECT_EQ(d.layout, DatasetLayout::kUniversity1652);
}

TEST(DetectLayoutTest, ManifestOfADrlDatasetAndAManifestWithoutFolders) {
  TempDir tmp;
  testing::MakeFakeUl14(tmp.path());
  WriteFile(tmp.path() / "manifest.json", R"({"schema": "crossview.synth/1", "kind": "drl"})");
  const LayoutDetection d = DetectLayout(tmp.path());
  EXPECT_EQ(d.layout, DatasetLayout::kUl14);
  EXPECT_EQ(d.manifest_kind, "drl");

  TempDir bare;
  WriteFile(bare.path() / "manifest.json", kManifest);
  const std::string msg = ErrorMessage<NotFoundError>([&] { DetectLayout(bare.path()); });
  EXPECT_THAT(msg, HasSubstr("manifest layout=university1652"));
  EXPECT_THAT(msg, HasSubstr("dataset folders are missing"));
}

}  // namespace
}  // namespace crossview::datasets

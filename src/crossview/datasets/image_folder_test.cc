#include "crossview/datasets/image_folder.h"

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
using testing::Rel;
using testing::WriteFile;
using testing::WriteImages;

std::vector<std::string> RelPaths(const ViewListing& l, const fs::path& root) {
  std::vector<std::string> out;
  for (const ImageEntry& e : l.images) out.push_back(Rel(e.path, root));
  return out;
}

TEST(ImageFolderTest, ImageExtensionsAreImageFoldersCaseInsensitiveAndSkipHiddenNames) {
  for (const char* yes : {"a.jpg", "A.JPG", "image-01.jpeg", "0.png", "x.ppm", "x.bmp", "x.pgm", "0.tif", "x.TIFF", "x.webp"}) {
    EXPECT_TRUE(IsImageFileName(yes)) << yes;
  }
  for (const char* no : {"notes.txt", "a.jpg.txt", "jpg", ".jpg", "._image-01.jpeg", ".DS_Store", "x.gif", ""}) {
    EXPECT_FALSE(IsImageFileName(no)) << no;
  }
}

TEST(ImageFolderTest, LocationIdsAreTheIntegerValueOfAllDigitNames) {
  EXPECT_EQ(ParseLocationId("0000", "v/0000"), 0);
  EXPECT_EQ(ParseLocationId("0042", "v/0042"), 42);
  EXPECT_EQ(ParseLocationId("000123", "v/000123"), 123);
  EXPECT_THAT(ErrorMessage<InvalidArgumentError>([] { ParseLocationId("12a", "v/12a"); }),
              HasSubstr("ID folder name is not a number (folder=v/12a)"));
  EXPECT_THAT(ErrorMessage<InvalidArgumentError>([] { ParseLocationId("-1", "v/-1"); }), HasSubstr("not a number"));
  EXPECT_THAT(ErrorMessage<InvalidArgumentError>([] { ParseLocationId("1234567890", "v/1234567890"); }), HasSubstr("too long"));
}

// Folder names sort as strings (so "10" < "9"), files by (sub-folder, name) with the ID folder's
// own files first, as sorted(os.walk) does; class indices follow the folder order, labels the names.
TEST(ImageFolderTest, ListsInImageFolderOrderWithLabelsAndClassIndices) {
  TempDir tmp;
  const fs::path v = tmp.path() / "view";
  WriteImages(v / "9", {"x.jpg"});
  WriteImages(v / "10", {"b.jpg", "A.jpg", "a.png"});
  WriteImages(v / "10/sub", {"x.jpg"});
  WriteImages(v / "10/sub-b", {"y.jpg"});
  WriteImages(v / "10/sub/deep", {"z.jpg"});
  WriteImages(v / "0003", {"k.jpeg"});
  WriteFile(v / "loose.jpg");           // beside the ID folders: ignored
  WriteFile(v / "10/readme.txt", "x");  // not an image: ignored
  fs::create_directories(v / ".hidden");

  const ViewListing l = ListImageFolder(v, "view");
  EXPECT_EQ(l.view, "view");
  EXPECT_THAT(l.id_folders, ElementsAre("0003", "10", "9"));
  EXPECT_THAT(l.ids, ElementsAre(3, 10, 9));
  EXPECT_THAT(l.images_per_id, ElementsAre(1u, 6u, 1u));
  EXPECT_THAT(RelPaths(l, v), ElementsAre("0003/k.jpeg", "10/A.jpg", "10/a.png", "10/b.jpg", "10/sub/x.jpg", "10/sub-b/y.jpg",
                                          "10/sub/deep/z.jpg", "9/x.jpg"));
  std::vector<int> labels, classes;
  for (const ImageEntry& e : l.images) {
    labels.push_back(e.label);
    classes.push_back(e.class_index);
  }
  EXPECT_THAT(labels, ElementsAre(3, 10, 10, 10, 10, 10, 10, 9));
  EXPECT_THAT(classes, ElementsAre(0, 1, 1, 1, 1, 1, 1, 2));
}

TEST(ImageFolderTest, SymlinkLoopsInsideAnIdFolderAreListedOnce) {
  TempDir tmp;
  const fs::path v = tmp.path() / "view";
  WriteImages(v / "0001", {"a.jpg"});
  fs::create_directory_symlink("..", v / "0001/loop");  // points back at the view folder
  fs::create_directory_symlink(".", v / "0001/self");   // points at the ID folder itself
  fs::create_symlink("does-not-exist.jpg", v / "0001/broken.jpg");
  const ViewListing l = ListImageFolder(v, "view");
  // Every folder is walked once (by its canonical path), so neither link lists a.jpg again, and
  // the broken link is not an image.
  EXPECT_THAT(RelPaths(l, v), ElementsAre("0001/a.jpg"));
}

TEST(ImageFolderTest, RejectsEmptyNonNumericAndDuplicateIdFolders) {
  TempDir tmp;
  const fs::path v = tmp.path() / "view";
  WriteImages(v / "0001", {"a.jpg"});
  WriteFile(v / "0002/notes.txt", "x");
  std::string msg = ErrorMessage<InvalidArgumentError>([&] { ListImageFolder(v, "view"); });
  EXPECT_THAT(msg, HasSubstr("ID folder holds no images"));
  EXPECT_THAT(msg, HasSubstr((v / "0002").string()));
  EXPECT_THAT(msg, HasSubstr("other files=notes.txt"));

  ListOptions allow;
  allow.allow_empty_id_folders = true;
  const ViewListing l = ListImageFolder(v, "view", allow);
  EXPECT_THAT(l.ids, ElementsAre(1, 2));
  EXPECT_THAT(l.images_per_id, ElementsAre(1u, 0u));
  EXPECT_EQ(l.num_images(), 1u);

  WriteImages(v / "0002", {"b.jpg"});
  WriteImages(v / "extra", {"c.jpg"});
  msg = ErrorMessage<InvalidArgumentError>([&] { ListImageFolder(v, "view"); });
  EXPECT_THAT(msg, HasSubstr("not a number"));
  EXPECT_THAT(msg, HasSubstr((v / "extra").string()));
  fs::remove_all(v / "extra");

  WriteImages(v / "01", {"d.jpg"});
  msg = ErrorMessage<InvalidArgumentError>([&] { ListImageFolder(v, "view"); });
  EXPECT_THAT(msg, HasSubstr("two ID folders have the same integer ID"));
  EXPECT_THAT(msg, HasSubstr("0001, 01"));
}

TEST(ImageFolderTest, MissingViewFolderIsNotFound) {
  TempDir tmp;
  EXPECT_THAT(ErrorMessage<NotFoundError>([&] { ListImageFolder(tmp.path() / "nope", "test/nope"); }),
              HasSubstr("view folder not found (view=test/nope"));
}

TEST(ImageFolderTest, RequireSameIdsNamesTheIdsInOneViewOnly) {
  ViewListing a, b;
  a.dir = "train/satellite";
  a.ids = {1, 2, 3};
  a.id_folders = {"0001", "0002", "0003"};
  b.dir = "train/drone";
  b.ids = {1, 3, 4};
  b.id_folders = {"0001", "0003", "0004"};
  const std::string msg = ErrorMessage<InvalidArgumentError>([&] { RequireSameIds(a, b); });
  EXPECT_THAT(msg, HasSubstr("only in train/satellite=0002"));
  EXPECT_THAT(msg, HasSubstr("only in train/drone=0004"));
  EXPECT_NO_THROW(RequireSameIds(a, a));
}

TEST(ImageFolderTest, EvalPairListsDistractorsAndUnmatchedQueries) {
  ViewListing q, g;
  q.ids = {5, 7, 8};
  g.ids = {5, 7, 9, 10};
  const EvalPair p = MakeEvalPair(Direction::kDroneToSatellite, q, g);
  EXPECT_STREQ(DirectionName(p.direction), "D→S");
  EXPECT_STREQ(DirectionName(Direction::kSatelliteToDrone), "S→D");
  EXPECT_THAT(p.query_ids_without_match, ElementsAre(8));
  EXPECT_THAT(p.distractor_ids, ElementsAre(9, 10));
}

}  // namespace
}  // namespace crossview::datasets

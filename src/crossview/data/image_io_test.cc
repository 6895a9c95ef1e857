#include "crossview/data/image_io.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "crossview/data/test_images.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"
#include "crossview/util/testing.h"

namespace crossview::data {
namespace {

std::string Encode(const cv::Mat& bgr_or_bgra, const std::string& ext) {
  std::vector<uchar> buf;
  EXPECT_TRUE(cv::imencode(ext, bgr_or_bgra, buf));
  return std::string(buf.begin(), buf.end());
}

TEST(ImageIoTest, RgbaLoadsAsRgbWithoutCompositing) {
  // BGRA with alpha 0, 77 and 255: the colours must come back untouched, in R, G, B order.
  cv::Mat bgra(2, 3, CV_8UC4);
  const uchar alphas[3] = {0, 77, 255};
  for (int r = 0; r < 2; ++r) {
    for (int c = 0; c < 3; ++c) {
      bgra.at<cv::Vec4b>(r, c) =
          cv::Vec4b(uchar(10 + c), uchar(100 + r), uchar(200 + c), alphas[c]);
    }
  }
  TempDir dir;
  const auto path = dir.path() / "rgba.png";
  WriteFileAtomic(path, Encode(bgra, ".png"));
  const cv::Mat rgb = LoadImageRgb(path);
  ASSERT_EQ(rgb.type(), CV_8UC3);
  for (int r = 0; r < 2; ++r) {
    for (int c = 0; c < 3; ++c) {
      EXPECT_EQ(rgb.at<cv::Vec3b>(r, c), cv::Vec3b(uchar(200 + c), uchar(100 + r), uchar(10 + c)));
    }
  }
}

TEST(ImageIoTest, GreySixteenBitAndGreyAlphaBecomeEightBitRgb) {
  cv::Mat grey(3, 2, CV_8UC1, cv::Scalar(90));
  const cv::Mat from_grey = DecodeImageRgb(Encode(grey, ".pgm"));
  ASSERT_EQ(from_grey.type(), CV_8UC3);
  EXPECT_EQ(from_grey.at<cv::Vec3b>(2, 1), cv::Vec3b(90, 90, 90));

  cv::Mat deep(1, 3, CV_16UC3);
  deep.at<cv::Vec3w>(0, 0) = cv::Vec3w(0, 257 * 100, 65535);  // B, G, R
  deep.at<cv::Vec3w>(0, 1) = cv::Vec3w(128, 32768, 65534);
  const cv::Mat from_deep = DecodeImageRgb(Encode(deep, ".png"));
  ASSERT_EQ(from_deep.type(), CV_8UC3);
  EXPECT_EQ(from_deep.at<cv::Vec3b>(0, 0), cv::Vec3b(255, 100, 0));
  EXPECT_EQ(from_deep.at<cv::Vec3b>(0, 1), cv::Vec3b(255, 128, 0));

  cv::Mat deep_grey(2, 2, CV_16UC1, cv::Scalar(257 * 33));
  EXPECT_EQ(DecodeImageRgb(Encode(deep_grey, ".png")).at<cv::Vec3b>(1, 1), cv::Vec3b(33, 33, 33));
}

TEST(ImageIoTest, DecodesByContentNotByExtension) {
  const cv::Mat rgb = testing::MakeBusyTexture(17, 9);
  TempDir dir;
  const auto path = dir.path() / "photo.jpg";  // PNG bytes under a .jpg name, like leaflet's
  SaveImage(dir.path() / "photo.png", rgb);
  std::filesystem::rename(dir.path() / "photo.png", path);
  const cv::Mat back = LoadImageRgb(path);
  EXPECT_EQ(cv::norm(back, rgb, cv::NORM_INF), 0.0);  // lossless: it really was read as PNG
}

TEST(ImageIoTest, MissingEmptyAndCorruptFilesGiveClearErrors) {
  TempDir dir;
  EXPECT_THROW(LoadImageRgb(dir.path() / "nope.png"), NotFoundError);
  const auto empty = dir.path() / "empty.png";
  WriteFileAtomic(empty, "");
  try {
    LoadImageRgb(empty);
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("empty.png"), std::string::npos) << e.what();
  }
  const auto garbage = dir.path() / "garbage.jpg";
  WriteFileAtomic(garbage, std::string(1000, 'x'));
  EXPECT_THROW(LoadImageRgb(garbage), IoError);
  // A PNG cut in half.
  const std::string png = Encode(testing::MakeBusyTexture(64, 64), ".png");
  const auto truncated = dir.path() / "truncated.png";
  WriteFileAtomic(truncated, png.substr(0, png.size() / 2));
  EXPECT_THROW(LoadImageRgb(truncated), IoError);
  // A directory is not an image.
  EXPECT_THROW(LoadImageRgb(dir.path()), Error);
}

TEST(ImageIoTest, SavesDeterministicallyAndAtomically) {
  const cv::Mat rgb = testing::MakeBusyTexture(41, 23);
  // PNG and TIFF are lossless; JPEG is close; every format gives the same bytes twice.
  for (ImageFormat f : {ImageFormat::kJpeg, ImageFormat::kPng, ImageFormat::kTiff}) {
    EXPECT_EQ(EncodeImage(rgb, f), EncodeImage(rgb, f));
  }
  TempDir dir;
  for (const char* name : {"a.png", "b.TIF", "sub/dir/c.tiff"}) {
    SaveImage(dir.path() / name, rgb);
    EXPECT_EQ(cv::norm(LoadImageRgb(dir.path() / name), rgb, cv::NORM_INF), 0.0) << name;
  }
  ImageEncodeOptions q60;
  q60.jpeg_quality = 60;
  const std::string hi = EncodeImage(rgb, ImageFormat::kJpeg);
  const std::string lo = EncodeImage(rgb, ImageFormat::kJpeg, q60);
  EXPECT_LT(lo.size(), hi.size());
  SaveImage(dir.path() / "d.JPEG", rgb);
  EXPECT_EQ(ReadFile(dir.path() / "d.JPEG"), hi);
  // Channel order survives JPEG: a red image stays red.
  const cv::Mat red(16, 16, CV_8UC3, cv::Scalar(220, 10, 10));
  const cv::Vec3b back = DecodeImageRgb(EncodeImage(red, ImageFormat::kJpeg)).at<cv::Vec3b>(8, 8);
  EXPECT_GT(back[0], 200);
  EXPECT_LT(back[2], 40);
  // A failed save leaves the old file untouched.
  const auto keep = dir.path() / "keep.png";
  SaveImage(keep, rgb);
  const std::string before = ReadFile(keep);
  EXPECT_THROW(SaveImage(keep, cv::Mat()), InvalidArgumentError);
  EXPECT_THROW(SaveImage(dir.path() / "x.gif", rgb), InvalidArgumentError);
  EXPECT_EQ(ReadFile(keep), before);
  q60.jpeg_quality = 101;
  EXPECT_THROW(EncodeImage(rgb, ImageFormat::kJpeg, q60), InvalidArgumentError);
}

// Real files from the aerial cache (§1.3 quirks).
TEST(ImageIoTest, RealTextureAlphaIsDroppedNotComposited) {
  // town-europe-autumn's alpha is a shader mask (only 32 % opaque).
  const auto path = crossview::testing::AerialFile("flightgear/town-europe-autumn.png");
  CV_REQUIRE_FILE(path);
  const cv::Mat raw = cv::imread(path.string(), cv::IMREAD_UNCHANGED);
  ASSERT_EQ(raw.channels(), 4);
  const cv::Mat rgb = LoadImageRgb(path);
  ASSERT_EQ(rgb.type(), CV_8UC3);
  ASSERT_EQ(rgb.size(), raw.size());
  std::vector<cv::Mat> planes;
  cv::split(raw, planes);  // B, G, R, A
  std::vector<cv::Mat> ours;
  cv::split(rgb, ours);  // R, G, B
  EXPECT_EQ(cv::norm(ours[0], planes[2], cv::NORM_INF), 0.0);
  EXPECT_EQ(cv::norm(ours[1], planes[1], cv::NORM_INF), 0.0);
  EXPECT_EQ(cv::norm(ours[2], planes[0], cv::NORM_INF), 0.0);
  EXPECT_LT(cv::mean(planes[3])[0], 250.0);  // the mask really is not opaque
}

TEST(ImageIoTest, HeldOutRealImagesDecode) {
  const auto leaflet = crossview::testing::AerialFile("leaflet/example.png");
  const auto aero = crossview::testing::AerialFile("pywt/aero.pgm");
  const auto oblique = crossview::testing::AerialFile("opencv/aero1.jpg");
  CV_REQUIRE_FILE(leaflet);
  CV_REQUIRE_FILE(aero);
  CV_REQUIRE_FILE(oblique);
  const cv::Mat l = LoadImageRgb(leaflet);
  EXPECT_EQ(l.size(), cv::Size(521, 348));
  EXPECT_EQ(l.type(), CV_8UC3);
  // The same bytes under the npm package's original .jpg name decode the same.
  TempDir dir;
  WriteFileAtomic(dir.path() / "example.jpg", ReadFile(leaflet));
  EXPECT_EQ(cv::norm(LoadImageRgb(dir.path() / "example.jpg"), l, cv::NORM_INF), 0.0);

  const cv::Mat a = LoadImageRgb(aero);
  EXPECT_EQ(a.size(), cv::Size(512, 512));
  EXPECT_EQ(a.type(), CV_8UC3);
  std::vector<cv::Mat> ch;
  cv::split(a, ch);
  EXPECT_EQ(cv::norm(ch[0], ch[1], cv::NORM_INF), 0.0);  // grey: equal channels
  EXPECT_EQ(cv::norm(ch[1], ch[2], cv::NORM_INF), 0.0);

  const cv::Mat o = LoadImageRgb(oblique);
  EXPECT_EQ(o.size(), cv::Size(640, 480));
  EXPECT_EQ(o.type(), CV_8UC3);
}

}  // namespace
}  // namespace crossview::data

namespace crossview::data {
namespace {

// Header sizes of real encodings, and headers that claim huge images refused before decoding.
TEST(ImageIoTest, HugeHeadersAreRefusedBeforeDecoding) {
  const cv::Mat rgb = testing::MakeBusyTexture(41, 23);
  for (const char* ext : {".png", ".jpg", ".bmp"}) {
    SCOPED_TRACE(ext);
    std::vector<unsigned char> buf;
    ASSERT_TRUE(cv::imencode(ext, rgb, buf));
    const auto size = PeekImageSize(std::string(buf.begin(), buf.end()));
    ASSERT_TRUE(size.has_value());
    EXPECT_EQ(size->width, 41u);
    EXPECT_EQ(size->height, 23u);
  }
  std::vector<unsigned char> tif;
  ASSERT_TRUE(cv::imencode(".tif", rgb, tif));
  EXPECT_FALSE(PeekImageSize(std::string(tif.begin(), tif.end())).has_value());
  EXPECT_FALSE(PeekImageSize("\x89PNG").has_value());
  EXPECT_FALSE(PeekImageSize(std::string("\xFF\xD8\xFF", 3)).has_value());

  auto expect_too_large = [](const std::string& bytes, const std::string& what) {
    try {
      DecodeImageRgb(bytes, what);
      ADD_FAILURE() << what << " decoded";
    } catch (const InvalidArgumentError& e) {
      EXPECT_NE(std::string(e.what()).find("too large"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  // A 33-byte PNG header (signature + IHDR) claiming 30000 x 30000 (900 M pixels).
  std::string png("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16);
  png += std::string("\x00\x00\x75\x30\x00\x00\x75\x30\x08\x02\x00\x00\x00", 13);
  png += std::string(4, '\0');
  ASSERT_EQ(PeekImageSize(png)->width, 30000u);
  expect_too_large(png, "huge.png");
  // A real JPEG whose frame header is patched to 60000 x 60000.
  std::vector<unsigned char> jpg;
  ASSERT_TRUE(cv::imencode(".jpg", rgb, jpg));
  std::string j(jpg.begin(), jpg.end());
  for (size_t i = 2; i + 9 < j.size(); ++i) {
    if (static_cast<unsigned char>(j[i]) == 0xFF && static_cast<unsigned char>(j[i + 1]) == 0xC0) {
      j[i + 5] = j[i + 7] = '\xEA';
      j[i + 6] = j[i + 8] = '\x60';
      break;
    }
  }
  ASSERT_EQ(PeekImageSize(j)->height, 60000u);
  expect_too_large(j, "huge.jpg");
  // A JPEG cut in half (libjpeg alone would decode it with grey rows) is an IoError.
  const std::string whole(jpg.begin(), jpg.end());
  EXPECT_EQ(DecodeImageRgb(whole).cols, 41);
  try {
    DecodeImageRgb(whole.substr(0, whole.size() / 2), "cut.jpg");
    ADD_FAILURE() << "a truncated JPEG decoded";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }

  // The limit is configurable: 100 pixels refuses the 41 x 23 PNG (header) and TIFF (decoded).
  EXPECT_EQ(MaxImagePixels(), uint64_t{1} << 28);
  ::setenv("CROSSVIEW_MAX_IMAGE_PIXELS", "100", 1);
  EXPECT_EQ(MaxImagePixels(), 100u);
  std::vector<unsigned char> small;
  ASSERT_TRUE(cv::imencode(".png", rgb, small));
  expect_too_large(std::string(small.begin(), small.end()), "small.png");
  expect_too_large(std::string(tif.begin(), tif.end()), "small.tif");
  ::setenv("CROSSVIEW_MAX_IMAGE_PIXELS", "not-a-number", 1);
  EXPECT_EQ(MaxImagePixels(), uint64_t{1} << 28);
  ::unsetenv("CROSSVIEW_MAX_IMAGE_PIXELS");
  EXPECT_EQ(DecodeImageRgb(std::string(small.begin(), small.end())).cols, 41);
}

}  // namespace
}  // namespace crossview::data

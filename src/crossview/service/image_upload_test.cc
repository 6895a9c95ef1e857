// Upload checks without a server: header sizes, truncation at every length, the limits, query
// parameters, base64, the error mapping.
#include "crossview/service/image_upload.h"

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "crossview/data/image_io.h"
#include "crossview/service/http_error.h"
#include "crossview/service/locate_request.h"
#include "crossview/service/pictures.h"

namespace crossview::service {
namespace {

// A 37 x 23 gradient (odd sizes, so width and height cannot be swapped unnoticed).
cv::Mat Gradient() {
  cv::Mat m(23, 37, CV_8UC3);
  for (int r = 0; r < m.rows; ++r) {
    for (int c = 0; c < m.cols; ++c) m.at<cv::Vec3b>(r, c) = {static_cast<uchar>(c * 6), static_cast<uchar>(r * 10), 128};
  }
  return m;
}

int StatusOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const HttpError& e) {
    return e.status();
  }
  return 200;
}

TEST(ServiceUploadTest, HeaderGivesFormatAndSizeOfJpegAndPng) {
  const std::string png = data::EncodeImage(Gradient(), data::ImageFormat::kPng);
  const std::string jpeg = data::EncodeImage(Gradient(), data::ImageFormat::kJpeg);
  const ImageHeader p = ReadImageHeader(png), j = ReadImageHeader(jpeg);
  EXPECT_EQ(p.format, UploadFormat::kPng);
  EXPECT_EQ(j.format, UploadFormat::kJpeg);
  for (const ImageHeader& h : {p, j}) {
    EXPECT_EQ(h.width_px, 37);
    EXPECT_EQ(h.height_px, 23);
  }
  const DecodedUpload d = DecodeUpload(png, 37 * 23);
  EXPECT_EQ(cv::norm(d.rgb, Gradient(), cv::NORM_INF), 0.0);  // PNG is lossless, RGB order kept
  EXPECT_EQ(StatusOf([&] { DecodeUpload(png, 37 * 23 - 1); }), 413);
  EXPECT_EQ(StatusOf([&] { DecodeUpload(jpeg, 37 * 23 - 1); }), 413);
  // Grey PNG: decoded to RGB.
  cv::Mat grey;
  cv::cvtColor(Gradient(), grey, cv::COLOR_RGB2GRAY);
  EXPECT_EQ(DecodeUpload(data::EncodeImage(grey, data::ImageFormat::kPng), 1000).rgb.channels(), 3);
}

TEST(ServiceUploadTest, EveryTruncationIsA400AndNeverACrash) {
  const std::string png = data::EncodeImage(Gradient(), data::ImageFormat::kPng);
  const std::string jpeg = data::EncodeImage(Gradient(), data::ImageFormat::kJpeg);
  for (const std::string& full : {png, jpeg}) {
    EXPECT_EQ(StatusOf([&] { DecodeUpload(full, 1 << 20); }), 200);
    for (size_t n = 1; n < full.size(); ++n) {
      const std::string cut = full.substr(0, n);
      const int status = StatusOf([&] { DecodeUpload(cut, 1 << 20); });
      // The first bytes are not yet recognisable (415); every other cut is caught as truncated.
      if (n < 3 || (full == png && n < 8)) {
        EXPECT_EQ(status, 415) << n;
      } else {
        EXPECT_EQ(status, 400) << "cut at " << n << " of " << full.size();
      }
    }
  }
  EXPECT_EQ(StatusOf([] { DecodeUpload("", 1); }), 400);
}

TEST(ServiceUploadTest, OtherFormatsAre415) {
  const std::string bmp = [] {
    std::vector<uchar> b;
    cv::imencode(".bmp", Gradient(), b);
    return std::string(b.begin(), b.end());
  }();
  EXPECT_EQ(StatusOf([&] { DecodeUpload(bmp, 1 << 20); }), 415);
  EXPECT_EQ(StatusOf([] { DecodeUpload("GIF89a......", 1 << 20); }), 415);
  EXPECT_EQ(StatusOf([] { DecodeUpload("\xff\xd8", 1 << 20); }), 415);  // too short to tell
}

TEST(ServiceUploadTest, LocateParamsParseAndRefuseWithTheValidNames) {
  using Params = std::multimap<std::string, std::string>;
  const pipeline::LocateOptions d = ParseLocateParams({}, 100, false);
  EXPECT_EQ(d.top_k, pipeline::LocateOptions{}.top_k);
  EXPECT_FALSE(d.prior);
  EXPECT_FALSE(d.refine);
  const pipeline::LocateOptions o = ParseLocateParams(Params{{"top_k", "12"}, {"prior", "-33.5,151.25,250"}, {"refine", "drl"}}, 100, true);
  EXPECT_EQ(o.top_k, 12);
  ASSERT_TRUE(o.prior);
  EXPECT_EQ(o.prior->centre.lat_deg, -33.5);
  EXPECT_EQ(o.prior->centre.lon_deg, 151.25);
  EXPECT_EQ(o.prior->radius_m, 250.0);
  EXPECT_TRUE(o.refine);
  EXPECT_FALSE(ParseLocateParams(Params{{"refine", "none"}}, 100, false).refine);
  for (const Params& bad : {Params{{"k", "1"}}, Params{{"top_k", "1e9"}}, Params{{"top_k", " 3"}}, Params{{"top_k", "3x"}},
                            Params{{"prior", "1,2,nan"}}, Params{{"prior", "1,,2"}}, Params{{"refine", "drl"}}}) {
    EXPECT_EQ(StatusOf([&] {
                try {
                  ParseLocateParams(bad, 100, false);
                } catch (const InvalidArgumentError& e) {
                  throw HttpError(400, e.message());
                }
              }),
              400)
        << bad.begin()->first << "=" << bad.begin()->second;
  }
}

TEST(ServiceUploadTest, Base64MatchesRfc4648Vectors) {
  EXPECT_EQ(Base64(""), "");
  EXPECT_EQ(Base64("f"), "Zg==");
  EXPECT_EQ(Base64("fo"), "Zm8=");
  EXPECT_EQ(Base64("foo"), "Zm9v");
  EXPECT_EQ(Base64("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64(std::string("\xff\xfe\x00", 3)), "//4A");
}

TEST(ServiceUploadTest, ErrorsMapToTheDocumentedStatuses) {
  auto status_of = [](auto error) { return ErrorReplyFor(std::make_exception_ptr(error)).status; };
  EXPECT_EQ(status_of(CV_ERROR(InvalidArgumentError, "x")), 400);
  EXPECT_EQ(status_of(CV_ERROR(NotFoundError, "x")), 404);
  EXPECT_EQ(status_of(CV_ERROR(UnavailableError, "x")), 503);
  EXPECT_EQ(status_of(CV_ERROR(IoError, "x")), 500);
  EXPECT_EQ(status_of(CV_ERROR(InternalError, "x")), 500);
  EXPECT_EQ(status_of(CV_HTTP_ERROR(413, "x")), 413);
  EXPECT_EQ(status_of(std::runtime_error("x")), 500);
  const ErrorReply r = ErrorReplyFor(std::make_exception_ptr(CV_ERROR(NotFoundError, "no tile").With("radius_m", 5).Hint("widen it")));
  EXPECT_EQ(r.body, nlohmann::json({{"error", {{"code", 404}, {"message", "no tile (radius_m=5)"}, {"hint", "widen it"}}}}));
  const ErrorReply busy = MakeErrorReply(503, "busy", "");
  ASSERT_EQ(busy.headers.size(), 1u);
  EXPECT_EQ(busy.headers[0].first, "Retry-After");
}

}  // namespace
}  // namespace crossview::service

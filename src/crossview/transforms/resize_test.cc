#include "crossview/transforms/resize.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>
#include <sstream>

#include "crossview/util/errors.h"

namespace crossview::transforms {
namespace {

// 13×11 RGB pattern; the expected values below were produced by PIL 9.4 (Debian 12 python3-pil)
// Image.resize on the same pixels: this is a parity test against the reference resampler.
cv::Mat Pattern() {
  cv::Mat a(11, 13, CV_8UC3);
  for (int y = 0; y < 11; ++y)
    for (int x = 0; x < 13; ++x)
      a.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uint8_t>((x * 37 + y * 11) % 256), static_cast<uint8_t>((x * x * 7 + y * 3) % 256),
                                        static_cast<uint8_t>(((255 - x * 19 - y * 5) % 256 + 256) % 256));
  return a;
}

std::string First60(const cv::Mat& m) {
  std::ostringstream os;
  const uint8_t* p = m.ptr<uint8_t>(0);
  for (int i = 0; i < 60 && i < static_cast<int>(m.total() * m.channels()); ++i) os << (i ? "," : "") << int(p[i]);
  return os.str();
}

TEST(PilResizeTest, BicubicDownscaleMatchesPil) {
  cv::Mat r = PilResize(Pattern(), cv::Size(5, 4), PilFilter::kBicubic);
  EXPECT_EQ(First60(r),
            "42,10,234,143,92,186,158,159,136,65,126,86,166,159,38,71,18,221,174,100,173,132,96,123,94,134,73,199,167,25,105,26,207,"
            "188,108,159,80,106,109,132,149,52,190,106,77,139,34,194,165,116,146,65,114,96,169,158,39,134,95,119");
  EXPECT_EQ(cv::sum(r)[0] + cv::sum(r)[1] + cv::sum(r)[2], 7177);
}

TEST(PilResizeTest, BicubicUpscaleMatchesPil) {
  cv::Mat r = PilResize(Pattern(), cv::Size(29, 23), PilFilter::kBicubic);
  EXPECT_EQ(First60(r),
            "0,0,255,3,1,253,19,3,245,39,8,235,55,16,226,72,27,218,88,41,209,105,57,201,121,77,192,138,99,184,155,124,175,171,152,"
            "167,189,184,158,222,233,150,221,252,141,126,180,132,15,94,124,0,113,115,27,181,107,48,170,98");
  EXPECT_EQ(cv::sum(r)[0] + cv::sum(r)[1] + cv::sum(r)[2], 239293);
}

TEST(PilResizeTest, BilinearMixedMatchesPil) {
  cv::Mat r = PilResize(Pattern(), cv::Size(6, 9), PilFilter::kBilinear);
  EXPECT_EQ(First60(r),
            "32,9,239,103,58,202,180,170,161,73,153,119,91,125,78,162,162,41,44,12,233,115,61,196,192,150,155,85,134,113,103,128,72,"
            "174,165,35,57,16,227,128,65,190,205,118,149,98,102,107,116,132,66,187,169,29,70,19,222,141,68,185");
  EXPECT_EQ(cv::sum(r)[0] + cv::sum(r)[1] + cv::sum(r)[2], 19354);
}

TEST(PilResizeTest, IdentityAndErrors) {
  cv::Mat p = Pattern();
  cv::Mat same = PilResize(p, p.size());
  EXPECT_EQ(cv::norm(same, p, cv::NORM_INF), 0.0);
  EXPECT_NE(same.data, p.data);
  EXPECT_THROW(PilResize(cv::Mat(), cv::Size(2, 2)), InvalidArgumentError);
  EXPECT_THROW(PilResize(p, cv::Size(0, 2)), InvalidArgumentError);
  EXPECT_EQ(OpenCvInterpolation("area"), cv::INTER_AREA);
  EXPECT_THROW(OpenCvInterpolation("lanczos"), InvalidArgumentError);
}

}  // namespace
}  // namespace crossview::transforms

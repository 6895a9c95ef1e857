#include "crossview/data/map_frame.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "crossview/data/renderer.h"
#include "crossview/data/test_images.h"
#include "crossview/util/errors.h"

namespace crossview::data {
namespace {

TEST(MapFrameTest, AffineMatchesTheSpec) {
  const MapFrame map{1024, 512, 0.98};
  const cv::Matx33d a = map.GroundFromMap();
  // Top-left corner (−W·g/2, +H·g/2); centre at the origin; y grows southwards.
  EXPECT_LT(cv::norm(map.EnFromXy({0, 0}) - cv::Vec2d(-1024 * 0.98 / 2, 512 * 0.98 / 2)), 1e-12);
  EXPECT_LT(cv::norm(map.EnFromXy({512, 256})), 1e-12);
  EXPECT_LT(cv::norm(map.EnFromXy({512, 257}) - cv::Vec2d(0, -0.98)), 1e-12);
  EXPECT_DOUBLE_EQ(a(0, 0), 0.98);
  EXPECT_DOUBLE_EQ(a(1, 1), -0.98);
  EXPECT_DOUBLE_EQ(a(0, 2), -1024 * 0.98 / 2);
  EXPECT_DOUBLE_EQ(a(1, 2), 512 * 0.98 / 2);
  EXPECT_LT(cv::norm(a * map.MapFromGround() - cv::Matx33d::eye()), 1e-12);
  const cv::Vec2d xy(123.25, 400.5);
  EXPECT_LT(cv::norm(map.XyFromEn(map.EnFromXy(xy)) - xy), 1e-12);
  EXPECT_DOUBLE_EQ(map.WidthM(), 1024 * 0.98);
  EXPECT_THROW((MapFrame{0, 10, 1.0}.Check()), InvalidArgumentError);
  EXPECT_THROW((MapFrame{10, 10, 0.0}.Check()), InvalidArgumentError);
}

TEST(MapFrameTest, CentreBasedConversionShiftsByHalfAPixel) {
  const cv::Matx33d h(1.3, 0.2, 5.0, -0.1, 0.9, 7.0, 1e-4, 2e-4, 1.0);
  const cv::Matx33d h_cv = CentreBasedFromCornerBased(h);
  const cv::Vec2d p_corner(10.0, 20.0);
  const cv::Vec2d q_corner = ApplyHomography(h, p_corner);
  // A corner-based point p is the centre-based point p − ½, on both sides.
  const cv::Vec2d q_cv = ApplyHomography(h_cv, p_corner - cv::Vec2d(0.5, 0.5));
  EXPECT_LT(cv::norm(q_cv - (q_corner - cv::Vec2d(0.5, 0.5))), 1e-12);
  EXPECT_LT(cv::norm(CornerBasedFromCentreBased(h_cv) - h), 1e-12);
  EXPECT_THROW(ApplyHomography(cv::Matx33d(1, 0, 0, 0, 1, 0, 1, 0, 0), {0.0, 5.0}),
               InvalidArgumentError);
}

// The conversion is what OpenCV needs: warpPerspective with H_cv matches our renderer when
// magnifying (plain bilinear on both sides).
TEST(MapFrameTest, OpenCvWarpWithConvertedHomographyMatchesTheRenderer) {
  const cv::Mat texture = testing::MakeBusyTexture(61, 47);
  // Magnify 2.5× about an arbitrary origin, with a slight rotation: s < 1 everywhere.
  const double c = 2.5 * std::cos(0.2), s = 2.5 * std::sin(0.2);
  const cv::Matx33d image_from_map(c, -s, -20.0, s, c, -35.0, 0.0, 0.0, 1.0);
  const cv::Size size(73, 59);
  const RenderResult ours = RenderImageFromMap(TexturePyramid(texture), image_from_map, size);
  ASSERT_EQ(ours.out_of_map_fraction, 0.0);
  cv::Mat theirs;
  cv::warpPerspective(texture, theirs, cv::Mat(CentreBasedFromCornerBased(image_from_map)), size,
                      cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  // OpenCV interpolates with 5-bit fixed-point weights: small differences only.
  cv::Mat diff;
  cv::absdiff(ours.image, theirs, diff);
  double max_diff = 0.0;
  cv::minMaxLoc(diff.reshape(1), nullptr, &max_diff);
  EXPECT_LE(max_diff, 4.0);
  EXPECT_LT(testing::MeanAbsDiff(ours.image, theirs), 0.6);
  // Without the conversion the images are half a pixel apart and differ clearly.
  cv::Mat wrong;
  cv::warpPerspective(texture, wrong, cv::Mat(image_from_map), size, cv::INTER_LINEAR,
                      cv::BORDER_REPLICATE);
  EXPECT_GT(testing::MeanAbsDiff(ours.image, wrong),
            2.0 * testing::MeanAbsDiff(ours.image, theirs));
}

TEST(MapFrameTest, NorthUpTileMapsCornersToCorners) {
  const MapFrame map{800, 600, 0.5};
  const cv::Vec2d centre_en_m(12.0, -30.0);
  const cv::Matx33d h = NorthUpTileImageFromMap(map, centre_en_m, 100.0, 256);
  // North-west corner → (0, 0); south-east → (256, 256); centre → (128, 128).
  EXPECT_LT(cv::norm(ApplyHomography(h, map.XyFromEn(centre_en_m + cv::Vec2d(-50, 50)))), 1e-9);
  EXPECT_LT(cv::norm(ApplyHomography(h, map.XyFromEn(centre_en_m + cv::Vec2d(50, -50))) -
                     cv::Vec2d(256, 256)),
            1e-9);
  EXPECT_LT(cv::norm(ApplyHomography(h, map.XyFromEn(centre_en_m)) - cv::Vec2d(128, 128)), 1e-9);
  EXPECT_THROW(NorthUpTileImageFromMap(map, centre_en_m, 0.0, 256), InvalidArgumentError);
  EXPECT_THROW(NorthUpTileImageFromMap(map, centre_en_m, 10.0, 0), InvalidArgumentError);
}

}  // namespace
}  // namespace crossview::data

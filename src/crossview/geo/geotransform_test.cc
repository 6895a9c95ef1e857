#include "crossview/geo/geotransform.h"

#include <gtest/gtest.h>

#include <cmath>

#include "crossview/util/errors.h"

namespace crossview::geo {
namespace {

// SP27GTIF.TIF's geotransform (US survey feet).
const std::array<double, 6> kSp27 = {681480.0, 32.8, 0.0, 1913050.0, 0.0, -32.8};

TEST(GeoTransformTest, ForwardUsesCornerBasedPixels) {
  const GeoTransform gt(kSp27);
  const CrsXY corner = gt.CrsFromPixel({0.0, 0.0});
  EXPECT_EQ(corner.x, 681480.0);
  EXPECT_EQ(corner.y, 1913050.0);
  // Centre of pixel (row 0, col 0) is half a pixel in: 16.4 ft east and south.
  const CrsXY centre = gt.CrsFromPixel({0.5, 0.5});
  EXPECT_DOUBLE_EQ(centre.x, 681496.4);
  EXPECT_DOUBLE_EQ(centre.y, 1913033.6);
  // Outer corner of the last pixel (699 × 929 raster).
  const CrsXY far = gt.CrsFromPixel({699.0, 929.0});
  EXPECT_NEAR(far.x, 704407.2, 1e-6);
  EXPECT_NEAR(far.y, 1882578.8, 1e-6);
}

TEST(GeoTransformTest, InverseRoundTripsNorthUp) {
  const GeoTransform gt(kSp27);
  for (double col : {0.0, 0.5, 123.25, 699.0}) {
    for (double row : {0.0, 0.5, 456.75, 929.0}) {
      const PixelColRow back = gt.PixelFromCrs(gt.CrsFromPixel({col, row}));
      EXPECT_NEAR(back.col, col, 1e-9);
      EXPECT_NEAR(back.row, row, 1e-9);
    }
  }
  EXPECT_TRUE(gt.is_north_up());
  EXPECT_DOUBLE_EQ(gt.pixel_width(), 32.8);
  EXPECT_DOUBLE_EQ(gt.pixel_height(), 32.8);
  EXPECT_DOUBLE_EQ(gt.up_grid_bearing_deg(), 0.0);
}

TEST(GeoTransformTest, RotatedThirtyDegreesAboutCentre) {
  const GeoTransform gt(kSp27);
  const CrsXY pivot = gt.CrsFromPixel({349.5, 464.5});
  const GeoTransform rotated = gt.RotatedAbout(pivot, 30.0);
  const auto& c = rotated.gdal();
  EXPECT_NE(c[2], 0.0);
  EXPECT_NE(c[4], 0.0);
  EXPECT_FALSE(rotated.is_north_up());
  // Pixel steps keep their length; the column step now points 30° north of east.
  EXPECT_NEAR(rotated.pixel_width(), 32.8, 1e-12);
  EXPECT_NEAR(rotated.pixel_height(), 32.8, 1e-12);
  EXPECT_NEAR(c[1], 32.8 * std::cos(M_PI / 6), 1e-12);
  EXPECT_NEAR(c[4], 32.8 * std::sin(M_PI / 6), 1e-12);
  EXPECT_NEAR(c[2], 32.8 * std::sin(M_PI / 6), 1e-12);
  EXPECT_NEAR(c[5], -32.8 * std::cos(M_PI / 6), 1e-12);
  EXPECT_NEAR(rotated.up_grid_bearing_deg(), -30.0, 1e-12);
  // The pivot stays put; every other pixel moves.
  const CrsXY pivot_after = rotated.CrsFromPixel({349.5, 464.5});
  EXPECT_NEAR(pivot_after.x, pivot.x, 1e-6);
  EXPECT_NEAR(pivot_after.y, pivot.y, 1e-6);
  const CrsXY corner = rotated.CrsFromPixel({0.0, 0.0});
  EXPECT_GT(std::hypot(corner.x - 681480.0, corner.y - 1913050.0), 1000.0);
  // The distance to the pivot is preserved.
  const CrsXY corner0 = gt.CrsFromPixel({0.0, 0.0});
  EXPECT_NEAR(std::hypot(corner.x - pivot.x, corner.y - pivot.y), std::hypot(corner0.x - pivot.x, corner0.y - pivot.y),
              1e-6);
  // Round trips through the general inverse.
  for (double col : {0.0, 10.5, 698.25}) {
    for (double row : {0.0, 300.5, 928.75}) {
      const PixelColRow back = rotated.PixelFromCrs(rotated.CrsFromPixel({col, row}));
      EXPECT_NEAR(back.col, col, 1e-8);
      EXPECT_NEAR(back.row, row, 1e-8);
    }
  }
}

TEST(GeoTransformTest, WindowAndResampling) {
  const GeoTransform gt(kSp27);
  const GeoTransform window = gt.ForWindow(100, 200);
  const CrsXY a = window.CrsFromPixel({0.0, 0.0});
  const CrsXY b = gt.CrsFromPixel({100.0, 200.0});
  EXPECT_DOUBLE_EQ(a.x, b.x);
  EXPECT_DOUBLE_EQ(a.y, b.y);
  const GeoTransform half = gt.Resampled(2.0);
  EXPECT_DOUBLE_EQ(half.pixel_width(), 16.4);
  const CrsXY c = half.CrsFromPixel({1398.0, 1858.0});
  const CrsXY d = gt.CrsFromPixel({699.0, 929.0});
  EXPECT_NEAR(c.x, d.x, 1e-6);
  EXPECT_NEAR(c.y, d.y, 1e-6);
}

TEST(GeoTransformTest, RejectsSingularAndNonFinite) {
  try {
    GeoTransform({0.0, 0.0, 0.0, 0.0, 0.0, 0.0});
    FAIL() << "expected InvalidArgumentError";
  } catch (const InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("singular"), std::string::npos) << e.what();
  }
  // Collinear column and row steps: zero area even though no coefficient is zero.
  EXPECT_THROW(GeoTransform({0.0, 1.0, 2.0, 0.0, 1.0, 2.0}), InvalidArgumentError);
  EXPECT_THROW(GeoTransform({0.0, NAN, 0.0, 0.0, 0.0, -1.0}), InvalidArgumentError);
  EXPECT_THROW(GeoTransform::NorthUp({0.0, 0.0}, -1.0, 1.0), InvalidArgumentError);
}

TEST(GeoTransformTest, NorthUpFactory) {
  const GeoTransform gt = GeoTransform::NorthUp({-30.5, 40.5}, 0.001, 0.002);
  EXPECT_EQ(gt.gdal(), (std::array<double, 6>{-30.5, 0.001, 0.0, 40.5, 0.0, -0.002}));
  EXPECT_DOUBLE_EQ(gt.pixel_area(), 0.001 * 0.002);
}

}  // namespace
}  // namespace crossview::geo

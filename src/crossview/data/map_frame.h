// The map (texture) frame and its link to the metric ground frame (spec data.md §2.1, §3.1).
//
// Map pixels use corner-based continuous coordinates (x = column, y = row): pixel (row i, col j)
// covers [j, j+1) × [i, i+1) and its centre is (j + 0.5, i + 0.5). The ground frame is the
// texture's local (east, north) in metres, origin at the texture centre, z up, ground at z = 0.
//
//   e = (x − W/2)·g        n = (H/2 − y)·g
//
// i.e. the affine A = [[g, 0, e0], [0, −g, n0], [0, 0, 1]] with (e0, n0) = (−W·g/2, +H·g/2), the
// ground position of the map's top-left corner.
#pragma once

#include <opencv2/core.hpp>

namespace crossview::data {

struct MapFrame {
  int width_px = 0;    // W, columns
  int height_px = 0;   // H, rows
  double gsd_m = 1.0;  // g, metres per map pixel

  // Throws InvalidArgumentError unless the size is positive and the GSD positive and finite.
  void Check() const;

  // A: homogeneous map pixel (x, y, 1) (col, row; corner-based) → ground (e, n, 1) in metres.
  cv::Matx33d GroundFromMap() const;
  // A⁻¹: ground (e, n, 1) → map pixel (x, y, 1).
  cv::Matx33d MapFromGround() const;

  // Point conversions with the same conventions. xy_px is (col, row), en_m is (east, north).
  cv::Vec2d EnFromXy(const cv::Vec2d& xy_px) const;
  cv::Vec2d XyFromEn(const cv::Vec2d& en_m) const;

  // Ground size of the whole map in metres (W·g, H·g).
  double WidthM() const { return width_px * gsd_m; }
  double HeightM() const { return height_px * gsd_m; }
};

// T(d): translates both axes by d pixels.
cv::Matx33d Translation2d(double d_px);

// Converts a homography between corner-based pixel frames into one between OpenCV's
// centre-based frames (integer coordinates at pixel centres, as warpPerspective/remap use):
// H_cv = T(−½)·H·T(+½).
cv::Matx33d CentreBasedFromCornerBased(const cv::Matx33d& h_corner);
// The inverse conversion: H = T(+½)·H_cv·T(−½).
cv::Matx33d CornerBasedFromCentreBased(const cv::Matx33d& h_cv);

// Applies a homography to a point: (x, y) → dehomogenised H·(x, y, 1). Throws
// InvalidArgumentError when the point maps to infinity (third coordinate 0).
cv::Vec2d ApplyHomography(const cv::Matx33d& h, const cv::Vec2d& xy);

// A north-up, axis-aligned tile (§3.5): the map → image homography of a nadir, ψ = 0 view of the
// ground square of side `side_m` centred on `centre_en_m`, rendered at `size_px` × `size_px`.
// It is an affine: image xy_px = (map xy_px − corner_xy_px)·size_px/(side_m/g).
cv::Matx33d NorthUpTileImageFromMap(const MapFrame& map, const cv::Vec2d& centre_en_m,
                                    double side_m, int size_px);

}  // namespace crossview::data

// GeoRaster: any GDAL-readable raster with its georeference (geotransform + CRS), mapped to
// latitude/longitude and ground metres, read as 8-bit RGB windows with a no-data mask.
//
//   GeoRaster map = GeoRaster::Open(path);
//   LatLonDeg ll = map.lat_lon_from_pixel({col + 0.5, row + 0.5});   // centre of pixel (row, col)
//   RgbImage rgb = map.ReadRgb({0, 0, 256, 256});
//
// Pixel coordinates are corner-based (coords.h). Files are opened read-only; set
// GDAL_PAM_ENABLED=NO to be sure GDAL never writes .aux.xml side files next to them.
// A GeoRaster is not safe to use from several threads at once (GDAL datasets are not): open
// one per thread.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "crossview/geo/coords.h"
#include "crossview/geo/crs.h"
#include "crossview/geo/geographic_transform.h"
#include "crossview/geo/geotransform.h"
#include "crossview/geo/image.h"

class GDALDataset;

namespace crossview::geo {

struct GeoRasterOptions {
  // Open rasters that carry no geotransform or CRS (plain PNG/JPEG). Geographic queries then
  // throw until AssignGeoreference() is called. When false (the default) opening such a file
  // throws InvalidArgumentError.
  bool allow_missing_georeference = false;
};

struct ReadRgbOptions {
  // 1-based band numbers read into R, G, B. Empty: bands 1, 2, 3 when there are 3 or more bands
  // (an RGBA alpha is dropped, not composited); band 1 replicated for 1 or 2 bands (grey,
  // grey + alpha). Landsat L7_ETMs.tif looks natural with {3, 2, 1}.
  std::vector<int> bands;
  // For non-8-bit data: the input values mapped to 0 and 255 (clamped outside). Unset: each
  // band's exact min and max. Ignored for 8-bit bands, which are copied as they are.
  std::optional<std::pair<double, double>> value_range;
};

struct NodataOptions {
  // Treat the value 0 as no-data even if the file declares none (erdas_spnad83.tif's black
  // corners).
  bool zero_is_nodata = false;
  // Bands that must ALL be no-data for a pixel to count as no-data. Empty: every band except
  // alpha bands. Declared no-data values, alpha bands and internal masks are honoured through
  // GDAL's mask bands.
  std::vector<int> bands;
};

class GeoRaster {
 public:
  // Opens `path` read-only. Throws NotFoundError if it does not exist, IoError if GDAL cannot
  // read it as a raster, InvalidArgumentError if it has zero area, a degenerate geotransform, or
  // (unless allowed) no georeference.
  static GeoRaster Open(const std::filesystem::path& path, const GeoRasterOptions& options = {});
  // Takes ownership of an open dataset (e.g. a MEM or VRT dataset built in memory). `name`
  // identifies it in error messages.
  static GeoRaster FromDataset(GDALDataset* dataset, const std::string& name, const GeoRasterOptions& options = {});

  GeoRaster(GeoRaster&&) noexcept;
  GeoRaster& operator=(GeoRaster&&) noexcept;
  ~GeoRaster();

  // The path or name it was opened with.
  const std::string& name() const { return name_; }
  int width_px() const { return width_px_; }
  int height_px() const { return height_px_; }
  int band_count() const { return band_count_; }
  // GDAL's name of band `band`'s data type: "Byte", "UInt16", "Float32", ...
  std::string data_type(int band = 1) const;
  // The AREA_OR_POINT metadata item ("Area" or "Point"), or "" when the file does not say.
  // The geotransform is corner-based either way (GDAL shifts PixelIsPoint rasters).
  std::string area_or_point() const;
  // The declared no-data value of `band`, if any.
  std::optional<double> nodata_value(int band = 1) const;
  PixelWindow full_window() const { return {0, 0, width_px_, height_px_}; }

  // --- Georeference (each throws InvalidArgumentError when the raster has none). ---
  bool has_georeference() const { return georef_ != nullptr; }
  const GeoTransform& geotransform() const;
  const Crs& crs() const;
  // Replaces (in memory only) the georeference, e.g. for a PNG of known corners and GSD.
  void AssignGeoreference(const GeoTransform& geotransform, const Crs& crs);

  CrsXY crs_from_pixel(PixelColRow pixel) const;
  PixelColRow pixel_from_crs(CrsXY crs) const;
  LatLonDeg lat_lon_from_pixel(PixelColRow pixel, LatLonDatum datum = LatLonDatum::kWgs84) const;
  PixelColRow pixel_from_lat_lon(LatLonDeg lat_lon, LatLonDatum datum = LatLonDatum::kWgs84) const;
  // The transformer used above; operation() says which PROJ operation was pinned.
  const GeographicTransform& lat_lon_transform(LatLonDatum datum = LatLonDatum::kWgs84) const;
  // Bounding box of the raster's outline in latitude/longitude.
  LatLonBox footprint(LatLonDatum datum = LatLonDatum::kWgs84) const;

  // Ground size of one pixel step along a row (width) and down a column (height), in metres.
  // Projected CRS: grid distance, i.e. CRS units × the CRS's linear unit (US survey feet are
  // 0.3048006096 m); the projection's point scale factor is not applied. Geographic CRS:
  // metres on the sphere R = 6378137 m at the raster's centre latitude (data.md §2.1).
  double pixel_width_m() const;
  double pixel_height_m() const;
  // sqrt(pixel_width_m · pixel_height_m): the GSD in metres per pixel.
  double gsd_m() const;
  // Grid convergence at `pixel` (GeographicTransform::GridConvergenceDeg): degrees, positive
  // when grid north points east of true north.
  double grid_convergence_deg(PixelColRow pixel) const;
  // True bearing (degrees clockwise from true north) of the image's up direction (decreasing
  // row) at `pixel`: the convergence for a north-up raster, plus any geotransform rotation.
  double up_bearing_deg(PixelColRow pixel) const;

  // --- Pixels. ---
  // Reads `window` (inside the raster) as 8-bit RGB. Throws InvalidArgumentError for a window
  // outside the raster or a bad band number.
  RgbImage ReadRgb(const PixelWindow& window, const ReadRgbOptions& options = {}) const;
  // The valid-data mask of `window`, read at `out_width_px` × `out_height_px` (nearest
  // sampling; 0 means the window's own size).
  ValidMask ReadValidMask(const PixelWindow& window, const NodataOptions& options = {}, int out_width_px = 0,
                          int out_height_px = 0) const;

  // A north-up, in-memory copy of a raster whose geotransform is rotated (GDAL warp, bilinear,
  // same CRS and GSD, an alpha band marking the area outside the source). Also works, as a
  // plain copy, for a raster that is already north-up.
  GeoRaster WarpedNorthUp() const;

  // The underlying dataset, for GDAL calls geo/ does not wrap. Owned by this GeoRaster.
  GDALDataset* gdal_dataset() const { return dataset_.get(); }

 private:
  struct Georef;
  GeoRaster(std::shared_ptr<GDALDataset> dataset, std::string name, const GeoRasterOptions& options);
  const Georef& georef() const;
  void CheckWindow(const PixelWindow& window) const;

  std::shared_ptr<GDALDataset> dataset_;
  std::string name_;
  int width_px_ = 0;
  int height_px_ = 0;
  int band_count_ = 0;
  std::unique_ptr<Georef> georef_;
  // Per-band (min, max), computed on first use, for scaling non-8-bit data.
  mutable std::vector<std::optional<std::pair<double, double>>> band_value_range_;
};

}  // namespace crossview::geo

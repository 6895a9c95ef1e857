#include "crossview/geo/geo_test_support.h"

#include <cpl_conv.h>
#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include <cstdlib>
#include <memory>
#include <stdexcept>

#include "crossview/geo/gdal_util.h"

namespace crossview::geo::testing {
namespace {

// Tests must never write .aux.xml side files into the aerial cache (data.md §1.3).
const bool kPamDisabled = [] {
  ::setenv("GDAL_PAM_ENABLED", "NO", 1);
  CPLSetConfigOption("GDAL_PAM_ENABLED", "NO");
  return true;
}();

struct Opened {
  GDALDataset* ds;
  ~Opened() { GDALClose(GDALDataset::ToHandle(ds)); }
};

LatLonDeg Reference(const std::filesystem::path& path, PixelColRow pixel, bool wgs84) {
  (void)kPamDisabled;
  internal::EnsureGdalRegistered();
  Opened opened{GDALDataset::FromHandle(GDALOpenEx(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, nullptr, nullptr, nullptr))};
  if (opened.ds == nullptr) throw std::runtime_error("cannot open " + path.string());
  double gt[6];
  if (opened.ds->GetGeoTransform(gt) != CE_None) throw std::runtime_error("no geotransform in " + path.string());
  double x = 0, y = 0;
  GDALApplyGeoTransform(gt, pixel.col, pixel.row, &x, &y);
  std::unique_ptr<OGRSpatialReference> src(opened.ds->GetSpatialRef()->Clone());
  src->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  std::unique_ptr<OGRSpatialReference> dst;
  OGRCoordinateTransformationOptions options;
  if (wgs84) {
    dst = std::make_unique<OGRSpatialReference>();
    dst->importFromEPSG(4326);
    // GDAL's own default: PROJ ranks candidate operations for the raster's area.
    std::unique_ptr<OGRSpatialReference> geog(src->CloneGeogCS());
    geog->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    std::unique_ptr<OGRCoordinateTransformation> to_geog(OGRCreateCoordinateTransformation(src.get(), geog.get()));
    double xs[2] = {gt[0], gt[0] + gt[1] * opened.ds->GetRasterXSize() + gt[2] * opened.ds->GetRasterYSize()};
    double ys[2] = {gt[3], gt[3] + gt[4] * opened.ds->GetRasterXSize() + gt[5] * opened.ds->GetRasterYSize()};
    to_geog->Transform(2, xs, ys);
    options.SetAreaOfInterest(std::min(xs[0], xs[1]), std::min(ys[0], ys[1]), std::max(xs[0], xs[1]), std::max(ys[0], ys[1]));
  } else {
    dst.reset(src->CloneGeogCS());
  }
  dst->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(src.get(), dst.get(), options));
  if (!ct || !ct->Transform(1, &x, &y)) throw std::runtime_error("GDAL transform failed for " + path.string());
  return {y, x};
}

}  // namespace

LatLonDeg GdalReferenceLatLonOwnDatum(const std::filesystem::path& path, PixelColRow pixel) {
  return Reference(path, pixel, false);
}

LatLonDeg GdalReferenceLatLonWgs84(const std::filesystem::path& path, PixelColRow pixel) {
  return Reference(path, pixel, true);
}

GeoRaster MemCopyWithGeotransform(const GeoRaster& raster, const GeoTransform& geotransform, const std::string& name) {
  internal::EnsureGdalRegistered();
  GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
  GDALDataset* copy = mem->CreateCopy("", raster.gdal_dataset(), FALSE, nullptr, nullptr, nullptr);
  if (copy == nullptr) throw std::runtime_error("MEM copy failed");
  std::array<double, 6> gt = geotransform.gdal();
  copy->SetGeoTransform(gt.data());
  return GeoRaster::FromDataset(copy, name);
}

double DmsToDeg(int degrees, int minutes, double seconds) { return degrees + minutes / 60.0 + seconds / 3600.0; }

}  // namespace crossview::geo::testing

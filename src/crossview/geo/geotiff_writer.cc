#include "crossview/geo/geotiff_writer.h"

#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include <system_error>
#include <vector>

#include "crossview/geo/gdal_util.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"

namespace crossview::geo {

void WriteGeoTiffRgb(const std::filesystem::path& path, const RgbImage& image, const GeoTransform& geotransform,
                     const Crs& crs, const GeoTiffWriteOptions& options) {
  if (image.empty()) throw CV_ERROR(InvalidArgumentError, "cannot write an empty image").With("path", path.string());
  const size_t expected = static_cast<size_t>(image.width_px) * static_cast<size_t>(image.height_px) * 3u;
  if (image.pixels.size() != expected) {
    throw CV_ERROR(InvalidArgumentError, "RGB buffer size does not match the image size")
        .With("path", path.string())
        .With("expected_bytes", expected)
        .With("actual_bytes", image.pixels.size());
  }
  internal::EnsureGdalRegistered();
  GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GTiff");
  if (driver == nullptr) {
    throw CV_ERROR(UnavailableError, "GDAL has no GTiff driver").Hint("install a GDAL build with GeoTIFF support");
  }
  if (path.has_parent_path()) EnsureDirectory(path.parent_path());

  AtomicPath out(path);
  {
    internal::GdalErrorScope errors;
    const std::string compress = "COMPRESS=" + options.compression;
    std::vector<const char*> creation = {compress.c_str(), "PHOTOMETRIC=RGB", "INTERLEAVE=PIXEL"};
    if (options.tiled) creation.push_back("TILED=YES");
    creation.push_back(nullptr);
    internal::DatasetPtr dataset = internal::AdoptDataset(driver->Create(out.temp_path().c_str(), image.width_px,
                                                                         image.height_px, 3, GDT_Byte,
                                                                         const_cast<char**>(creation.data())));
    auto fail = [&](const char* what) {
      return CV_ERROR(IoError, what).With("path", path.string()).With("gdal", errors.messages());
    };
    if (dataset == nullptr) throw fail("GDAL cannot create the GeoTIFF");
    std::array<double, 6> gt = geotransform.gdal();
    if (dataset->SetGeoTransform(gt.data()) != CE_None) throw fail("cannot set the geotransform");
    if (dataset->SetSpatialRef(&crs.ogr()) != CE_None) throw fail("cannot set the CRS");
    dataset->SetMetadataItem(GDALMD_AREA_OR_POINT, GDALMD_AOP_AREA);
    const int w = image.width_px, h = image.height_px;
    if (dataset->RasterIO(GF_Write, 0, 0, w, h, const_cast<uint8_t*>(image.pixels.data()), w, h, GDT_Byte, 3, nullptr, 3,
                          static_cast<GSpacing>(3) * w, 1, nullptr) != CE_None) {
      throw fail("writing pixels failed");
    }
    // Closing flushes; a failure there (disk full) must not be committed.
    dataset->FlushCache(false);
    dataset.reset();
    if (errors.failed()) throw fail("writing the GeoTIFF failed");
  }
  out.Commit();
  // A CRS the GeoTIFF keys cannot express goes into a PAM side file; keep it with the image.
  std::error_code ec;
  const std::filesystem::path side = out.temp_path().string() + ".aux.xml";
  if (std::filesystem::exists(side, ec)) std::filesystem::rename(side, path.string() + ".aux.xml", ec);
}

}  // namespace crossview::geo

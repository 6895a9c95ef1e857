#include "crossview/geo/raster.h"

#include <gdal_priv.h>
#include <gdal_utils.h>
#include <ogr_spatialref.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "crossview/geo/gdal_util.h"
#include "crossview/util/errors.h"

namespace crossview::geo {
namespace {

constexpr double kSphereRadiusM = 6378137.0;  // data.md §2.1, the UL14 metric's radius

const char* kNoGeoreferenceHint =
    "use a georeferenced raster (GeoTIFF), or pass --assume-gsd-m <metres per pixel> together with the "
    "image's corner coordinates (library: open with allow_missing_georeference and call AssignGeoreference)";

// Points along the raster outline, corner-based pixel coordinates.
std::vector<PixelColRow> OutlinePoints(int width, int height) {
  constexpr int kPerEdge = 8;
  std::vector<PixelColRow> points;
  for (int i = 0; i < kPerEdge; ++i) {
    const double t = static_cast<double>(i) / kPerEdge;
    points.push_back({t * width, 0.0});
    points.push_back({static_cast<double>(width), t * height});
    points.push_back({(1.0 - t) * width, static_cast<double>(height)});
    points.push_back({0.0, (1.0 - t) * height});
  }
  return points;
}

LatLonBox BoxOf(const std::vector<LatLonDeg>& points) {
  LatLonBox box{points.front().lon_deg, points.front().lat_deg, points.front().lon_deg, points.front().lat_deg};
  for (const LatLonDeg& p : points) {
    box.west_lon_deg = std::min(box.west_lon_deg, p.lon_deg);
    box.east_lon_deg = std::max(box.east_lon_deg, p.lon_deg);
    box.south_lat_deg = std::min(box.south_lat_deg, p.lat_deg);
    box.north_lat_deg = std::max(box.north_lat_deg, p.lat_deg);
  }
  return box;
}

}  // namespace

struct GeoRaster::Georef {
  GeoTransform gt;
  Crs crs;
  GeographicTransform to_base;
  GeographicTransform to_wgs84;
  LatLonBox footprint_base;
  LatLonBox footprint_wgs84;
  double pixel_width_m = 0.0;
  double pixel_height_m = 0.0;

  static std::unique_ptr<Georef> Make(const GeoTransform& gt, const Crs& crs, int width, int height) {
    GeographicTransform to_base(crs, {LatLonDatum::kCrsBase, std::nullopt});
    std::vector<LatLonDeg> outline;
    for (const PixelColRow& p : OutlinePoints(width, height)) outline.push_back(to_base.LatLonFromCrs(gt.CrsFromPixel(p)));
    const LatLonBox box_base = BoxOf(outline);
    GeographicTransform to_wgs84(crs, {LatLonDatum::kWgs84, box_base});
    std::vector<LatLonDeg> outline_wgs84;
    for (const PixelColRow& p : OutlinePoints(width, height)) {
      outline_wgs84.push_back(to_wgs84.LatLonFromCrs(gt.CrsFromPixel(p)));
    }
    auto georef = std::unique_ptr<Georef>(new Georef{gt, crs, std::move(to_base), std::move(to_wgs84), box_base,
                                                     BoxOf(outline_wgs84), 0.0, 0.0});
    const std::array<double, 6>& c = gt.gdal();
    if (crs.is_geographic()) {
      // Plate carrée on the sphere at the centre latitude; CRS angular units converted to degrees.
      const double deg_per_unit = crs.ogr().GetAngularUnits(nullptr) * 180.0 / M_PI;
      const double centre_lat = georef->to_base.LatLonFromCrs(gt.CrsFromPixel({width / 2.0, height / 2.0})).lat_deg;
      const double m_lat = kSphereRadiusM * M_PI / 180.0 * deg_per_unit;
      const double m_lon = m_lat * std::cos(centre_lat * M_PI / 180.0);
      georef->pixel_width_m = std::hypot(c[1] * m_lon, c[4] * m_lat);
      georef->pixel_height_m = std::hypot(c[2] * m_lon, c[5] * m_lat);
    } else {
      const double unit_m = crs.linear_unit_m();
      georef->pixel_width_m = gt.pixel_width() * unit_m;
      georef->pixel_height_m = gt.pixel_height() * unit_m;
    }
    return georef;
  }
};

GeoRaster::GeoRaster(std::shared_ptr<GDALDataset> dataset, std::string name, const GeoRasterOptions& options)
    : dataset_(std::move(dataset)), name_(std::move(name)) {
  width_px_ = dataset_->GetRasterXSize();
  height_px_ = dataset_->GetRasterYSize();
  band_count_ = dataset_->GetRasterCount();
  if (width_px_ <= 0 || height_px_ <= 0) {
    throw CV_ERROR(InvalidArgumentError, "raster has zero area")
        .With("raster", name_)
        .With("width_px", width_px_)
        .With("height_px", height_px_);
  }
  if (band_count_ <= 0) {
    throw CV_ERROR(InvalidArgumentError, "raster has no bands").With("raster", name_);
  }
  band_value_range_.resize(static_cast<size_t>(band_count_));

  std::array<double, 6> coefficients{};
  const bool has_gt = dataset_->GetGeoTransform(coefficients.data()) == CE_None;
  const OGRSpatialReference* srs = dataset_->GetSpatialRef();
  const bool has_crs = srs != nullptr && !srs->IsEmpty();
  if (has_gt && has_crs) {
    WithContext("raster", name_, [&] {
      georef_ = Georef::Make(GeoTransform(coefficients), Crs::FromOgr(*srs), width_px_, height_px_);
    });
  } else if (!options.allow_missing_georeference) {
    throw CV_ERROR(InvalidArgumentError, has_gt ? "raster has a geotransform but no CRS" : "raster has no georeference")
        .With("raster", name_)
        .With("has_geotransform", has_gt ? "yes" : "no")
        .With("has_crs", has_crs ? "yes" : "no")
        .Hint(kNoGeoreferenceHint);
  }
}

GeoRaster GeoRaster::Open(const std::filesystem::path& path, const GeoRasterOptions& options) {
  return GeoRaster(internal::OpenRasterReadOnly(path), path.string(), options);
}

GeoRaster GeoRaster::FromDataset(GDALDataset* dataset, const std::string& name, const GeoRasterOptions& options) {
  if (dataset == nullptr) throw CV_ERROR(InvalidArgumentError, "null GDAL dataset").With("name", name);
  return GeoRaster(internal::AdoptDataset(dataset), name, options);
}

GeoRaster::GeoRaster(GeoRaster&&) noexcept = default;
GeoRaster& GeoRaster::operator=(GeoRaster&&) noexcept = default;
GeoRaster::~GeoRaster() = default;

std::string GeoRaster::data_type(int band) const {
  if (band < 1 || band > band_count_) {
    throw CV_ERROR(InvalidArgumentError, "band out of range").With("band", band).With("bands", band_count_);
  }
  return GDALGetDataTypeName(dataset_->GetRasterBand(band)->GetRasterDataType());
}

std::string GeoRaster::area_or_point() const {
  const char* value = dataset_->GetMetadataItem(GDALMD_AREA_OR_POINT);
  return value != nullptr ? value : "";
}

std::optional<double> GeoRaster::nodata_value(int band) const {
  if (band < 1 || band > band_count_) {
    throw CV_ERROR(InvalidArgumentError, "band out of range").With("band", band).With("bands", band_count_);
  }
  int has = 0;
  const double value = dataset_->GetRasterBand(band)->GetNoDataValue(&has);
  if (!has) return std::nullopt;
  return value;
}

const GeoRaster::Georef& GeoRaster::georef() const {
  if (!georef_) {
    throw CV_ERROR(InvalidArgumentError, "raster has no georeference").With("raster", name_).Hint(kNoGeoreferenceHint);
  }
  return *georef_;
}

const GeoTransform& GeoRaster::geotransform() const { return georef().gt; }
const Crs& GeoRaster::crs() const { return georef().crs; }

void GeoRaster::AssignGeoreference(const GeoTransform& geotransform, const Crs& crs) {
  WithContext("raster", name_, [&] { georef_ = Georef::Make(geotransform, crs, width_px_, height_px_); });
}

CrsXY GeoRaster::crs_from_pixel(PixelColRow pixel) const { return georef().gt.CrsFromPixel(pixel); }
PixelColRow GeoRaster::pixel_from_crs(CrsXY crs) const { return georef().gt.PixelFromCrs(crs); }

const GeographicTransform& GeoRaster::lat_lon_transform(LatLonDatum datum) const {
  return datum == LatLonDatum::kWgs84 ? georef().to_wgs84 : georef().to_base;
}

LatLonDeg GeoRaster::lat_lon_from_pixel(PixelColRow pixel, LatLonDatum datum) const {
  return lat_lon_transform(datum).LatLonFromCrs(crs_from_pixel(pixel));
}

PixelColRow GeoRaster::pixel_from_lat_lon(LatLonDeg lat_lon, LatLonDatum datum) const {
  return pixel_from_crs(lat_lon_transform(datum).CrsFromLatLon(lat_lon));
}

LatLonBox GeoRaster::footprint(LatLonDatum datum) const {
  return datum == LatLonDatum::kWgs84 ? georef().footprint_wgs84 : georef().footprint_base;
}

double GeoRaster::pixel_width_m() const { return georef().pixel_width_m; }
double GeoRaster::pixel_height_m() const { return georef().pixel_height_m; }
double GeoRaster::gsd_m() const { return std::sqrt(georef().pixel_width_m * georef().pixel_height_m); }

double GeoRaster::grid_convergence_deg(PixelColRow pixel) const {
  return georef().to_base.GridConvergenceDeg(crs_from_pixel(pixel));
}

double GeoRaster::up_bearing_deg(PixelColRow pixel) const {
  // Grid bearing of "up" plus the angle by which grid north is east of true north.
  double bearing = georef().gt.up_grid_bearing_deg() + grid_convergence_deg(pixel);
  if (bearing > 180.0) bearing -= 360.0;
  if (bearing <= -180.0) bearing += 360.0;
  return bearing;
}

void GeoRaster::CheckWindow(const PixelWindow& w) const {
  if (w.width_px <= 0 || w.height_px <= 0 || w.col_off < 0 || w.row_off < 0 ||
      static_cast<long long>(w.col_off) + w.width_px > width_px_ ||
      static_cast<long long>(w.row_off) + w.height_px > height_px_) {
    std::ostringstream window;
    window << w;
    throw CV_ERROR(InvalidArgumentError, "pixel window is empty or outside the raster")
        .With("window", window.str())
        .With("raster_size", std::to_string(width_px_) + "x" + std::to_string(height_px_))
        .With("raster", name_);
  }
}

RgbImage GeoRaster::ReadRgb(const PixelWindow& window, const ReadRgbOptions& options) const {
  CheckWindow(window);
  std::vector<int> bands = options.bands;
  if (bands.empty()) bands = band_count_ >= 3 ? std::vector<int>{1, 2, 3} : std::vector<int>{1, 1, 1};
  if (bands.size() != 3) {
    throw CV_ERROR(InvalidArgumentError, "RGB reading needs exactly three band numbers").With("given", bands.size());
  }
  for (int b : bands) {
    if (b < 1 || b > band_count_) {
      throw CV_ERROR(InvalidArgumentError, "band out of range").With("band", b).With("bands", band_count_).With("raster", name_);
    }
  }
  RgbImage image(window.width_px, window.height_px);
  const int w = window.width_px, h = window.height_px;
  internal::GdalErrorScope errors;
  for (int c = 0; c < 3; ++c) {
    GDALRasterBand* band = dataset_->GetRasterBand(bands[static_cast<size_t>(c)]);
    CPLErr err = CE_None;
    if (band->GetRasterDataType() == GDT_Byte) {
      err = band->RasterIO(GF_Read, window.col_off, window.row_off, w, h, image.pixels.data() + c, w, h, GDT_Byte, 3,
                           static_cast<GSpacing>(3) * w, nullptr);
    } else {
      std::vector<double> values(static_cast<size_t>(w) * static_cast<size_t>(h));
      err = band->RasterIO(GF_Read, window.col_off, window.row_off, w, h, values.data(), w, h, GDT_Float64, 0, 0, nullptr);
      std::pair<double, double> range;
      if (options.value_range) {
        range = *options.value_range;
      } else {
        auto& cached = band_value_range_[static_cast<size_t>(bands[static_cast<size_t>(c)] - 1)];
        if (!cached) {
          double min_max[2] = {0.0, 0.0};
          if (band->ComputeRasterMinMax(FALSE, min_max) != CE_None) {
            throw CV_ERROR(IoError, "cannot compute the band's value range").With("raster", name_).With("gdal", errors.messages());
          }
          cached = std::make_pair(min_max[0], min_max[1]);
        }
        range = *cached;
      }
      const double span = range.second - range.first;
      for (size_t i = 0; i < values.size(); ++i) {
        double v = span > 0.0 ? (values[i] - range.first) / span * 255.0 : 0.0;
        v = std::isfinite(v) ? std::clamp(std::round(v), 0.0, 255.0) : 0.0;
        image.pixels[i * 3 + static_cast<size_t>(c)] = static_cast<uint8_t>(v);
      }
    }
    if (err != CE_None) {
      throw CV_ERROR(IoError, "reading raster pixels failed").With("raster", name_).With("gdal", errors.messages());
    }
  }
  return image;
}

ValidMask GeoRaster::ReadValidMask(const PixelWindow& window, const NodataOptions& options, int out_width_px,
                                   int out_height_px) const {
  CheckWindow(window);
  const int ow = out_width_px > 0 ? out_width_px : window.width_px;
  const int oh = out_height_px > 0 ? out_height_px : window.height_px;
  std::vector<int> bands = options.bands;
  if (bands.empty()) {
    for (int b = 1; b <= band_count_; ++b) {
      if (dataset_->GetRasterBand(b)->GetColorInterpretation() != GCI_AlphaBand) bands.push_back(b);
    }
    if (bands.empty()) bands.push_back(1);
  }
  const size_t n = static_cast<size_t>(ow) * static_cast<size_t>(oh);
  std::vector<uint8_t> all_invalid(n, 1);
  std::vector<uint8_t> buffer(n);
  std::vector<double> values;
  internal::GdalErrorScope errors;
  auto check = [&](CPLErr err) {
    if (err != CE_None) {
      throw CV_ERROR(IoError, "reading the no-data mask failed").With("raster", name_).With("gdal", errors.messages());
    }
  };
  for (int b : bands) {
    if (b < 1 || b > band_count_) {
      throw CV_ERROR(InvalidArgumentError, "band out of range").With("band", b).With("bands", band_count_).With("raster", name_);
    }
    GDALRasterBand* band = dataset_->GetRasterBand(b);
    std::vector<uint8_t> band_invalid(n, 0);
    if ((band->GetMaskFlags() & GMF_ALL_VALID) == 0) {
      check(band->GetMaskBand()->RasterIO(GF_Read, window.col_off, window.row_off, window.width_px, window.height_px,
                                          buffer.data(), ow, oh, GDT_Byte, 0, 0, nullptr));
      for (size_t i = 0; i < n; ++i) band_invalid[i] = buffer[i] == 0;
    }
    if (options.zero_is_nodata) {
      values.resize(n);
      check(band->RasterIO(GF_Read, window.col_off, window.row_off, window.width_px, window.height_px, values.data(), ow,
                           oh, GDT_Float64, 0, 0, nullptr));
      for (size_t i = 0; i < n; ++i) band_invalid[i] = band_invalid[i] || values[i] == 0.0;
    }
    for (size_t i = 0; i < n; ++i) all_invalid[i] = all_invalid[i] && band_invalid[i];
  }
  ValidMask mask;
  mask.width_px = ow;
  mask.height_px = oh;
  mask.valid.resize(n);
  for (size_t i = 0; i < n; ++i) mask.valid[i] = all_invalid[i] ? 0 : 1;
  return mask;
}

GeoRaster GeoRaster::WarpedNorthUp() const {
  const Georef& g = georef();
  const double resolution = std::sqrt(g.gt.pixel_area());
  char resolution_text[64];
  std::snprintf(resolution_text, sizeof(resolution_text), "%.17g", resolution);
  const char* const argv[] = {"-of", "MEM", "-r", "bilinear", "-dstalpha", "-tr", resolution_text, resolution_text, nullptr};
  internal::GdalErrorScope errors;
  GDALWarpAppOptions* warp_options = GDALWarpAppOptionsNew(const_cast<char**>(argv), nullptr);
  if (warp_options == nullptr) throw CV_ERROR(InternalError, "bad GDAL warp options").With("gdal", errors.messages());
  GDALDatasetH source = GDALDataset::ToHandle(dataset_.get());
  int usage_error = 0;
  GDALDatasetH warped = GDALWarp("", nullptr, 1, &source, warp_options, &usage_error);
  GDALWarpAppOptionsFree(warp_options);
  if (warped == nullptr) {
    throw CV_ERROR(IoError, "warping the raster north-up failed").With("raster", name_).With("gdal", errors.messages());
  }
  GeoRaster result = FromDataset(GDALDataset::FromHandle(warped), name_ + " (warped north-up)");
  // MEM output keeps the CRS definition; re-assign ours so the exact WKT and pinned operation
  // carry over.
  result.AssignGeoreference(result.geotransform(), g.crs);
  return result;
}

}  // namespace crossview::geo

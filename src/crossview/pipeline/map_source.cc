#include "crossview/pipeline/map_source.h"

#include <cmath>

#include "crossview/geo/crs.h"
#include "crossview/geo/texture_georef.h"
#include "crossview/util/errors.h"

namespace crossview::pipeline {
namespace {

const char* kAssumeHint =
    "pass --assume-gsd-m G --corners TOP_LAT,LEFT_LON (north-up, square pixels of G metres), or "
    "--corners TOP_LAT,LEFT_LON,BOTTOM_LAT,RIGHT_LON; or georeference the file first "
    "(gdal_translate -a_srs EPSG:4326 -a_ullr ...)";

constexpr double kCornerGsdTolerance = 0.05;

std::array<geo::LatLonDeg, 4> Corners(const geo::GeoRaster& r, geo::LatLonDatum datum) {
  const double w = r.width_px(), h = r.height_px();
  return {r.lat_lon_from_pixel({0, 0}, datum), r.lat_lon_from_pixel({w, 0}, datum), r.lat_lon_from_pixel({w, h}, datum),
          r.lat_lon_from_pixel({0, h}, datum)};
}

}  // namespace

void MapGeorefOptions::Check() const {
  if (!(assume_gsd_m >= 0.0) || !std::isfinite(assume_gsd_m)) {
    throw CV_ERROR(InvalidArgumentError, "assume_gsd_m must be a positive number of metres").With("assume_gsd_m", assume_gsd_m);
  }
  const size_t n = corners_lat_lon_deg.size();
  if (n != 0 && n != 2 && n != 4) {
    throw CV_ERROR(InvalidArgumentError, "corners take 2 values (TOP_LAT,LEFT_LON) or 4 (TOP_LAT,LEFT_LON,BOTTOM_LAT,RIGHT_LON)")
        .With("values", n);
  }
  for (size_t i = 0; i < n; ++i) {
    const double v = corners_lat_lon_deg[i];
    const double limit = i % 2 == 0 ? 90.0 : 180.0;
    if (!std::isfinite(v) || std::abs(v) > limit) {
      throw CV_ERROR(InvalidArgumentError, i % 2 == 0 ? "corner latitude out of range" : "corner longitude out of range").With("value", v);
    }
  }
  if (n == 4 && !(corners_lat_lon_deg[0] > corners_lat_lon_deg[2] && corners_lat_lon_deg[1] < corners_lat_lon_deg[3])) {
    throw CV_ERROR(InvalidArgumentError, "corners must be TOP_LAT,LEFT_LON,BOTTOM_LAT,RIGHT_LON with top > bottom and left < right")
        .With("corners", std::to_string(corners_lat_lon_deg[0]) + "," + std::to_string(corners_lat_lon_deg[1]) + "," +
                             std::to_string(corners_lat_lon_deg[2]) + "," + std::to_string(corners_lat_lon_deg[3]));
  }
  if (n == 2 && assume_gsd_m <= 0.0) {
    throw CV_ERROR(InvalidArgumentError, "a top-left corner alone needs the GSD").Hint("add --assume-gsd-m G, or give all four corner values");
  }
  if (n == 0 && assume_gsd_m > 0.0) {
    throw CV_ERROR(InvalidArgumentError, "--assume-gsd-m needs the map's position").Hint("add --corners TOP_LAT,LEFT_LON");
  }
}

nlohmann::json MapGeorefOptions::ToJson() const {
  return {{"assume_gsd_m", assume_gsd_m}, {"corners_lat_lon_deg", corners_lat_lon_deg}, {"warp_rotated", warp_rotated}};
}

MapGeorefOptions MapGeorefOptions::FromJson(const nlohmann::json& j) {
  MapGeorefOptions o;
  o.assume_gsd_m = j.value("assume_gsd_m", 0.0);
  o.corners_lat_lon_deg = j.value("corners_lat_lon_deg", std::vector<double>{});
  o.warp_rotated = j.value("warp_rotated", true);
  o.Check();
  return o;
}

geo::GeoTransform AssumedGeotransform(int width_px, int height_px, const MapGeorefOptions& o) {
  o.Check();
  if (!o.assumes_georeference()) throw CV_ERROR(InvalidArgumentError, "no georeference to assume").Hint(kAssumeHint);
  const auto& c = o.corners_lat_lon_deg;
  if (c.size() == 4) {
    return geo::GeoTransform({c[1], (c[3] - c[1]) / width_px, 0.0, c[0], 0.0, -(c[0] - c[2]) / height_px});
  }
  // The centre of the map from its top-left corner: latitude first (it does not depend on the
  // longitude scale), then the longitude scale at the centre latitude, as TextureGeoref uses.
  const double m_lat = geo::kSyntheticSphereRadiusM * M_PI / 180.0;
  const double centre_lat = c[0] - (height_px / 2.0) * o.assume_gsd_m / m_lat;
  const double m_lon = m_lat * std::cos(centre_lat * M_PI / 180.0);
  const double centre_lon = c[1] + (width_px / 2.0) * o.assume_gsd_m / m_lon;
  return geo::TextureGeoref({centre_lat, centre_lon}, width_px, height_px, o.assume_gsd_m).geotransform();
}

nlohmann::json LatLonListJson(const std::array<geo::LatLonDeg, 4>& corners) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& c : corners) j.push_back({c.lat_deg, c.lon_deg});
  return j;
}

MapSource OpenMapSource(const std::filesystem::path& path, const MapGeorefOptions& options) {
  options.Check();
  geo::GeoRasterOptions ro;
  ro.allow_missing_georeference = true;
  geo::GeoRaster raster = geo::GeoRaster::Open(path, ro);
  MapSource m{std::move(raster), path.string(), "file", false, {}, {}};
  if (m.raster.has_georeference()) {
    if (options.assumes_georeference()) {
      throw CV_ERROR(InvalidArgumentError, "the map already has a georeference; --assume-gsd-m/--corners are for maps without one")
          .With("map", path.string()).With("crs", m.raster.crs().name()).Hint("drop --assume-gsd-m and --corners");
    }
  } else {
    if (!options.assumes_georeference()) {
      throw CV_ERROR(InvalidArgumentError, "the map has no georeference (no geotransform and CRS)").With("map", path.string()).Hint(kAssumeHint);
    }
    m.raster.AssignGeoreference(AssumedGeotransform(m.raster.width_px(), m.raster.height_px(), options), geo::Crs::Wgs84());
    m.georeference_source = "assumed";
    if (options.corners_lat_lon_deg.size() == 4 && options.assume_gsd_m > 0.0 &&
        std::abs(m.raster.gsd_m() / options.assume_gsd_m - 1.0) > kCornerGsdTolerance) {
      throw CV_ERROR(InvalidArgumentError, "the corners and --assume-gsd-m disagree")
          .With("gsd_from_corners_m", m.raster.gsd_m()).With("assume_gsd_m", options.assume_gsd_m)
          .Hint("check the corner order TOP_LAT,LEFT_LON,BOTTOM_LAT,RIGHT_LON, or drop --assume-gsd-m");
    }
  }
  m.corners_wgs84 = Corners(m.raster, geo::LatLonDatum::kWgs84);
  m.corners_own_datum = Corners(m.raster, geo::LatLonDatum::kCrsBase);
  if (!m.raster.geotransform().is_north_up()) {
    if (!options.warp_rotated) {
      throw CV_ERROR(InvalidArgumentError, "the map's geotransform is rotated and warping is off")
          .With("map", path.string()).With("geotransform", m.raster.geotransform().ToString())
          .Hint("allow the in-memory north-up warp, or run `gdalwarp in.tif north_up.tif` and index that");
    }
    m.raster = m.raster.WarpedNorthUp();
    m.warped_north_up = true;
  }
  return m;
}

nlohmann::json MapSource::Describe() const {
  const auto& gt = raster.geotransform().gdal();
  return {{"path", path},
          {"georeference_source", georeference_source},
          {"warped_north_up", warped_north_up},
          {"crs_name", raster.crs().name()},
          {"crs_wkt", raster.crs().wkt()},
          {"geotransform", std::vector<double>(gt.begin(), gt.end())},
          {"width_px", raster.width_px()},
          {"height_px", raster.height_px()},
          {"gsd_m", raster.gsd_m()},
          {"lat_lon_operation", raster.lat_lon_transform().operation().ToString()},
          {"corners_wgs84", LatLonListJson(corners_wgs84)},
          {"corners_own_datum", LatLonListJson(corners_own_datum)}};
}

}  // namespace crossview::pipeline

// Transforms between a CRS and geographic latitude/longitude in degrees.
//
// Two targets:
// - kWgs84: WGS 84 (EPSG:4326). Crossing datums (NAD27 → WGS 84) needs a datum transformation;
//   PROJ offers several, and which one applies depends on where the points are. This class pins
//   ONE operation, chosen by PROJ for an area of interest, and reports it (operation()).
// - kCrsBase: the CRS's own geographic CRS (NAD27 for SP27GTIF.TIF). A pure conversion, exact to
//   floating point; use it to compare with gdalinfo's corner coordinates (data.md §2.3).
//
// Axis order is always lat/lon in LatLonDeg and easting/northing (traditional GIS) in CrsXY.
// Not thread-safe: give each thread its own copy (copies are independent).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crossview/geo/coords.h"
#include "crossview/geo/crs.h"

class OGRCoordinateTransformation;

namespace crossview::geo {

enum class LatLonDatum {
  kWgs84,    // WGS 84, through a datum transformation if the CRS uses another datum
  kCrsBase,  // the CRS's own geographic CRS (same datum, no datum shift)
};

const char* LatLonDatumName(LatLonDatum datum);

// The coordinate operation PROJ picked.
struct CoordinateOperationInfo {
  std::string name;                             // e.g. "Inverse of ... + NAD27 to WGS 84 (6)"
  std::vector<std::string> transformation_ids;  // datum-transformation steps, e.g. {"EPSG:1175"}
  double accuracy_m = -1.0;                     // PROJ's stated accuracy; -1 if unknown
  std::string proj_pipeline;                    // the PROJ pipeline actually run
  int candidate_count = 0;                      // instantiable candidates for the area of interest

  // "name [EPSG:1175], accuracy 7 m" (or "accuracy unknown").
  std::string ToString() const;
};

struct GeographicTransformOptions {
  LatLonDatum datum = LatLonDatum::kWgs84;
  // Where the points are, in (roughly) the target geographic CRS; PROJ ranks the candidate
  // operations for this box. Without it the CRS's own area of use is used; if the CRS has none
  // (custom projections like cea.tif) and several datum transformations compete, creation fails
  // and asks for one. GeoRaster passes its footprint.
  std::optional<LatLonBox> area_of_interest;
};

class GeographicTransform {
 public:
  // Throws InvalidArgumentError if PROJ finds no usable operation (or an ambiguous one, above).
  GeographicTransform(const Crs& crs, const GeographicTransformOptions& options = {});
  GeographicTransform(const GeographicTransform& other);
  GeographicTransform& operator=(const GeographicTransform& other);
  GeographicTransform(GeographicTransform&&) noexcept;
  GeographicTransform& operator=(GeographicTransform&&) noexcept;
  ~GeographicTransform();

  LatLonDeg LatLonFromCrs(CrsXY crs) const;
  CrsXY CrsFromLatLon(LatLonDeg lat_lon) const;

  // Grid convergence at `crs`: the angle from true north to grid north (+Y), in degrees,
  // positive when grid north points east of true north. 0 for a geographic CRS.
  double GridConvergenceDeg(CrsXY crs) const;

  const Crs& source() const { return source_; }
  const Crs& target() const { return target_; }
  LatLonDatum datum() const { return datum_; }
  const CoordinateOperationInfo& operation() const { return operation_; }

 private:
  Crs source_;
  Crs target_;
  LatLonDatum datum_;
  CoordinateOperationInfo operation_;
  std::unique_ptr<OGRCoordinateTransformation> forward_;
  std::unique_ptr<OGRCoordinateTransformation> inverse_;
};

}  // namespace crossview::geo

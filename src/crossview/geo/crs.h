// A coordinate reference system, wrapping GDAL's OGRSpatialReference.
//
// Rules this class enforces:
// - Axis order is always the traditional GIS order (easting/longitude first): the wrapped
//   OGRSpatialReference uses OAMS_TRADITIONAL_GIS_ORDER, so EPSG:4326 never swaps to lat/lon.
// - The linear unit comes from the CRS (US survey foot = 0.3048006096012192 m), never assumed.
// - The CRS is kept exactly as given (its WKT); an EPSG code guessed by matching is available
//   for reporting only and never replaces the definition (data.md §2.3, the erdas trap).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

class OGRSpatialReference;

namespace crossview::geo {

// An EPSG code proposed by GDAL's matcher, with its confidence (0 to 100).
struct EpsgGuess {
  int code = 0;
  int confidence_percent = 0;
};

// Copies are deep (OGR objects are not safe to share across threads).
class Crs {
 public:
  Crs(const Crs& other);
  Crs& operator=(const Crs& other);
  Crs(Crs&&) noexcept = default;
  Crs& operator=(Crs&&) noexcept = default;
  ~Crs();

  // From WKT (1 or 2). Throws InvalidArgumentError with GDAL's message if it does not parse.
  static Crs FromWkt(const std::string& wkt);
  // From an EPSG code, e.g. 4326 or 26771.
  static Crs FromEpsg(int code);
  // From anything GDAL's SetFromUserInput takes: "EPSG:4326", a PROJ string, WKT, PROJJSON.
  static Crs FromUserInput(const std::string& definition);
  // The CRS stored in a raster file. Throws NotFoundError / IoError for unreadable files and
  // InvalidArgumentError if the raster has no CRS.
  static Crs FromRasterFile(const std::filesystem::path& path);
  // From an existing OGR object (copied; the axis strategy of the copy is set to traditional).
  static Crs FromOgr(const OGRSpatialReference& srs);
  // WGS 84 (EPSG:4326), longitude first.
  static Crs Wgs84();

  // The definition as WKT2 (2019), produced from the CRS as given; never replaced by a guess.
  const std::string& wkt() const { return wkt_; }
  std::string name() const;
  bool is_geographic() const;
  bool is_projected() const;

  // Metres per linear unit of a projected CRS (0.3048006096012192 for US survey feet).
  // Throws InvalidArgumentError for a geographic CRS (its unit is an angle).
  double linear_unit_m() const;
  // The unit's name as stored in the CRS ("US survey foot", "metre", ...).
  std::string linear_unit_name() const;

  // The EPSG code the CRS itself carries (its top-level ID), if any. Not a guess.
  std::optional<int> epsg_code() const;
  // GDAL's best EPSG match, for reports and warnings only; nullopt if there is none.
  std::optional<EpsgGuess> GuessEpsg() const;

  // The CRS's own geographic CRS (same datum): NAD27 for SP27GTIF.TIF, NAD83 for erdas.
  Crs GeographicBase() const;

  // True if both describe the same CRS (GDAL's IsSame, ignoring axis-order metadata).
  bool IsSame(const Crs& other) const;

  // The wrapped object, with OAMS_TRADITIONAL_GIS_ORDER set. Read-only.
  const OGRSpatialReference& ogr() const { return *srs_; }

 private:
  struct Releaser {
    void operator()(OGRSpatialReference* srs) const;
  };
  using SrsPtr = std::unique_ptr<OGRSpatialReference, Releaser>;
  explicit Crs(SrsPtr srs);

  SrsPtr srs_;
  std::string wkt_;
};

}  // namespace crossview::geo

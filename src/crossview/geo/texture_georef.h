// The synthetic georeference of the FlightGear textures (data.md §2.1, normative).
//
// Each texture family k (0-based, in order of first appearance in textures.tsv) is anchored at
//   φc = 40.0° + 0.1°·⌊k/5⌋,   λc = −30.0° + 0.1°·(k mod 5)
// (open sea north of the Azores), as a north-up plate carrée on the sphere R = 6 378 137 m:
//   e = (x − W/2)·g,  n = (H/2 − y)·g          x = column, y = row (corner-based), g = GSD m/px
//   lat = φc + n/m_lat,  lon = λc + e/m_lon    m_lat = R·π/180, m_lon = m_lat·cos φc
// and the GDAL geotransform (EPSG:4326, lon/lat order)
//   [λc − (W/2)·g/m_lon, g/m_lon, 0, φc + (H/2)·g/m_lat, 0, −g/m_lat].
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "crossview/geo/coords.h"
#include "crossview/geo/crs.h"
#include "crossview/geo/geotiff_writer.h"
#include "crossview/geo/geotransform.h"
#include "crossview/geo/image.h"

namespace crossview::geo {

// The sphere of the synthetic georeference (and of the official UL14 haversine).
inline constexpr double kSyntheticSphereRadiusM = 6378137.0;
// Family anchors fill rows 40.0 … 40.4; row 40.5 holds the held-out maps.
inline constexpr int kMaxTextureFamilies = 25;

// The anchor of family `family_index` (0 … 24). Throws InvalidArgumentError outside that range.
LatLonDeg FamilyAnchor(int family_index);

// Anchors of the held-out real maps (not in textures.tsv).
struct HeldOutAnchor {
  std::string file;  // path in the aerial cache, e.g. "pywt/aero.pgm"
  LatLonDeg centre;
  double gsd_m = 0.0;
};
const std::vector<HeldOutAnchor>& HeldOutAnchors();
// Looks up "pywt/aero.pgm" or "leaflet/example.png"; throws NotFoundError listing the valid names.
const HeldOutAnchor& FindHeldOutAnchor(const std::string& file);

// The georeference of one W×H texture of GSD g anchored at its centre.
class TextureGeoref {
 public:
  // Throws InvalidArgumentError for non-positive sizes or GSD, or an anchor off the globe.
  TextureGeoref(LatLonDeg anchor, int width_px, int height_px, double gsd_m);

  const LatLonDeg& anchor() const { return anchor_; }
  int width_px() const { return width_px_; }
  int height_px() const { return height_px_; }
  double gsd_m() const { return gsd_m_; }
  // Metres per degree of latitude (R·π/180 = 111 319.4908) and of longitude at the anchor.
  double m_per_deg_lat() const { return m_lat_; }
  double m_per_deg_lon() const { return m_lon_; }

  EnM en_from_pixel(PixelColRow pixel) const;
  PixelColRow pixel_from_en(EnM en) const;
  LatLonDeg lat_lon_from_en(EnM en) const;
  EnM en_from_lat_lon(LatLonDeg lat_lon) const;
  LatLonDeg lat_lon_from_pixel(PixelColRow pixel) const;
  PixelColRow pixel_from_lat_lon(LatLonDeg lat_lon) const;

  // The GDAL geotransform in EPSG:4326 (longitude first).
  GeoTransform geotransform() const;
  // EPSG:4326 with the traditional GIS axis order.
  static Crs crs();

 private:
  LatLonDeg anchor_;
  int width_px_;
  int height_px_;
  double gsd_m_;
  double m_lat_;
  double m_lon_;
};

// One row of flightgear/textures.tsv.
struct TextureRecord {
  std::string name;    // file stem: flightgear/<name>.png
  std::string scene;   // urban, industrial, rural
  std::string family;  // textures cut from the same photograph
  int width_px = 0;
  int height_px = 0;
  double gsd_m = 0.0;
  std::string split;  // train, test, none, distractor
  std::string notes;
  std::string sha256;
  int family_index = -1;  // order of first appearance of `family` in the table
};

struct TextureTable {
  std::vector<TextureRecord> textures;  // in file order
  std::vector<std::string> families;    // families[k] is family k

  // Throws NotFoundError listing the known names.
  const TextureRecord& Find(const std::string& name) const;
  int FamilyIndex(const std::string& family) const;
};

// Parses textures.tsv (header: name scene family size_px gsd_m split notes sha256). Throws
// InvalidArgumentError naming the line for a malformed row, an unknown header, or more than
// kMaxTextureFamilies families.
TextureTable ParseTextureTable(const std::string& tsv_text, const std::string& source_name);
// Reads and parses the file (NotFoundError if it is missing).
TextureTable ReadTextureTable(const std::filesystem::path& tsv_path);

// The georeference of a texture: its family's anchor, its own size and GSD.
TextureGeoref GeorefForTexture(const TextureRecord& texture);

// Writes `image` as an EPSG:4326 GeoTIFF with `georef`'s geotransform. The image must have the
// georeference's size.
void WriteTextureGeoTiff(const std::filesystem::path& path, const RgbImage& image, const TextureGeoref& georef,
                         const GeoTiffWriteOptions& options = {});

}  // namespace crossview::geo

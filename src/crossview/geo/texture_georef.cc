#include "crossview/geo/texture_georef.h"

#include <cmath>
#include <cstdlib>
#include <sstream>

#include "crossview/util/errors.h"
#include "crossview/util/file.h"

namespace crossview::geo {
namespace {

constexpr double kDegToRad = M_PI / 180.0;

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> fields;
  size_t start = 0;
  while (true) {
    const size_t tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) break;
    start = tab + 1;
  }
  return fields;
}

// "1024x1024" → (width, height).
bool ParseSize(const std::string& text, int* width, int* height) {
  const size_t x = text.find('x');
  if (x == std::string::npos) return false;
  char* end = nullptr;
  const long w = std::strtol(text.c_str(), &end, 10);
  if (end != text.c_str() + x) return false;
  const char* h_start = text.c_str() + x + 1;
  const long h = std::strtol(h_start, &end, 10);
  if (end == h_start || *end != '\0' || w <= 0 || h <= 0 || w > 1000000 || h > 1000000) return false;
  *width = static_cast<int>(w);
  *height = static_cast<int>(h);
  return true;
}

}  // namespace

LatLonDeg FamilyAnchor(int family_index) {
  if (family_index < 0 || family_index >= kMaxTextureFamilies) {
    throw CV_ERROR(InvalidArgumentError, "texture family index out of range")
        .With("family_index", family_index)
        .With("valid", "0.." + std::to_string(kMaxTextureFamilies - 1))
        .Hint("the anchor grid of data.md §2.1 has 25 slots; row 40.5° is reserved for the held-out maps");
  }
  return {40.0 + 0.1 * (family_index / 5), -30.0 + 0.1 * (family_index % 5)};
}

const std::vector<HeldOutAnchor>& HeldOutAnchors() {
  static const std::vector<HeldOutAnchor> anchors = {
      {"pywt/aero.pgm", {40.5, -30.0}, 1.0},
      {"leaflet/example.png", {40.5, -29.9}, 0.2},
  };
  return anchors;
}

const HeldOutAnchor& FindHeldOutAnchor(const std::string& file) {
  std::string names;
  for (const HeldOutAnchor& a : HeldOutAnchors()) {
    if (a.file == file) return a;
    names += (names.empty() ? "" : ", ") + a.file;
  }
  throw CV_ERROR(NotFoundError, "no held-out anchor for this file").With("file", file).With("known", names);
}

TextureGeoref::TextureGeoref(LatLonDeg anchor, int width_px, int height_px, double gsd_m)
    : anchor_(anchor), width_px_(width_px), height_px_(height_px), gsd_m_(gsd_m) {
  if (width_px <= 0 || height_px <= 0 || !(gsd_m > 0.0) || !std::isfinite(gsd_m)) {
    throw CV_ERROR(InvalidArgumentError, "texture size and GSD must be positive")
        .With("width_px", width_px)
        .With("height_px", height_px)
        .With("gsd_m", gsd_m);
  }
  if (!(std::abs(anchor.lat_deg) < 89.0) || !(std::abs(anchor.lon_deg) <= 180.0)) {
    throw CV_ERROR(InvalidArgumentError, "texture anchor is off the globe or too close to a pole").With("anchor", anchor);
  }
  m_lat_ = kSyntheticSphereRadiusM * M_PI / 180.0;
  m_lon_ = m_lat_ * std::cos(anchor.lat_deg * kDegToRad);
}

EnM TextureGeoref::en_from_pixel(PixelColRow p) const {
  return {(p.col - width_px_ / 2.0) * gsd_m_, (height_px_ / 2.0 - p.row) * gsd_m_};
}

PixelColRow TextureGeoref::pixel_from_en(EnM en) const {
  return {en.e_m / gsd_m_ + width_px_ / 2.0, height_px_ / 2.0 - en.n_m / gsd_m_};
}

LatLonDeg TextureGeoref::lat_lon_from_en(EnM en) const {
  return {anchor_.lat_deg + en.n_m / m_lat_, anchor_.lon_deg + en.e_m / m_lon_};
}

EnM TextureGeoref::en_from_lat_lon(LatLonDeg ll) const {
  return {(ll.lon_deg - anchor_.lon_deg) * m_lon_, (ll.lat_deg - anchor_.lat_deg) * m_lat_};
}

LatLonDeg TextureGeoref::lat_lon_from_pixel(PixelColRow pixel) const { return lat_lon_from_en(en_from_pixel(pixel)); }

PixelColRow TextureGeoref::pixel_from_lat_lon(LatLonDeg lat_lon) const { return pixel_from_en(en_from_lat_lon(lat_lon)); }

GeoTransform TextureGeoref::geotransform() const {
  const double deg_lon_per_px = gsd_m_ / m_lon_;
  const double deg_lat_per_px = gsd_m_ / m_lat_;
  return GeoTransform({anchor_.lon_deg - (width_px_ / 2.0) * deg_lon_per_px, deg_lon_per_px, 0.0,
                       anchor_.lat_deg + (height_px_ / 2.0) * deg_lat_per_px, 0.0, -deg_lat_per_px});
}

Crs TextureGeoref::crs() { return Crs::Wgs84(); }

const TextureRecord& TextureTable::Find(const std::string& name) const {
  for (const TextureRecord& t : textures) {
    if (t.name == name) return t;
  }
  std::string names;
  for (const TextureRecord& t : textures) names += (names.empty() ? "" : ", ") + t.name;
  throw CV_ERROR(NotFoundError, "unknown texture").With("name", name).With("known", names);
}

int TextureTable::FamilyIndex(const std::string& family) const {
  for (size_t k = 0; k < families.size(); ++k) {
    if (families[k] == family) return static_cast<int>(k);
  }
  std::string names;
  for (const std::string& f : families) names += (names.empty() ? "" : ", ") + f;
  throw CV_ERROR(NotFoundError, "unknown texture family").With("family", family).With("known", names);
}

TextureTable ParseTextureTable(const std::string& tsv_text, const std::string& source_name) {
  static const std::vector<std::string> kHeader = {"name", "scene", "family", "size_px", "gsd_m", "split", "notes", "sha256"};
  TextureTable table;
  std::istringstream in(tsv_text);
  std::string line;
  int line_number = 0;
  bool have_header = false;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const std::vector<std::string> fields = SplitTabs(line);
    auto bad = [&](const std::string& what) {
      return CV_ERROR(InvalidArgumentError, "malformed texture table: " + what)
          .With("file", source_name)
          .With("line", line_number);
    };
    if (!have_header) {
      if (fields != kHeader) {
        throw bad("unexpected header").With("expected", "name scene family size_px gsd_m split notes sha256 (tab-separated)");
      }
      have_header = true;
      continue;
    }
    if (fields.size() != kHeader.size()) throw bad("wrong number of columns").With("columns", fields.size());
    TextureRecord r;
    r.name = fields[0];
    r.scene = fields[1];
    r.family = fields[2];
    if (r.name.empty() || r.family.empty()) throw bad("empty name or family");
    if (!ParseSize(fields[3], &r.width_px, &r.height_px)) throw bad("size_px is not WIDTHxHEIGHT").With("size_px", fields[3]);
    char* end = nullptr;
    r.gsd_m = std::strtod(fields[4].c_str(), &end);
    if (end == fields[4].c_str() || *end != '\0' || !(r.gsd_m > 0.0)) throw bad("gsd_m is not a positive number").With("gsd_m", fields[4]);
    r.split = fields[5];
    r.notes = fields[6];
    r.sha256 = fields[7];
    for (const TextureRecord& other : table.textures) {
      if (other.name == r.name) throw bad("duplicate texture name").With("name", r.name);
    }
    int k = -1;
    for (size_t i = 0; i < table.families.size(); ++i) {
      if (table.families[i] == r.family) k = static_cast<int>(i);
    }
    if (k < 0) {
      if (static_cast<int>(table.families.size()) >= kMaxTextureFamilies) {
        throw bad("more texture families than anchor slots").With("family", r.family).With("slots", kMaxTextureFamilies);
      }
      k = static_cast<int>(table.families.size());
      table.families.push_back(r.family);
    }
    r.family_index = k;
    table.textures.push_back(std::move(r));
  }
  if (!have_header) {
    throw CV_ERROR(InvalidArgumentError, "texture table is empty").With("file", source_name);
  }
  return table;
}

TextureTable ReadTextureTable(const std::filesystem::path& tsv_path) {
  return ParseTextureTable(ReadFile(tsv_path), tsv_path.string());
}

TextureGeoref GeorefForTexture(const TextureRecord& texture) {
  return TextureGeoref(FamilyAnchor(texture.family_index), texture.width_px, texture.height_px, texture.gsd_m);
}

void WriteTextureGeoTiff(const std::filesystem::path& path, const RgbImage& image, const TextureGeoref& georef,
                         const GeoTiffWriteOptions& options) {
  if (image.width_px != georef.width_px() || image.height_px != georef.height_px()) {
    throw CV_ERROR(InvalidArgumentError, "image size does not match the texture georeference")
        .With("image", std::to_string(image.width_px) + "x" + std::to_string(image.height_px))
        .With("georef", std::to_string(georef.width_px()) + "x" + std::to_string(georef.height_px()))
        .With("path", path.string());
  }
  WriteGeoTiffRgb(path, image, georef.geotransform(), TextureGeoref::crs(), options);
}

}  // namespace crossview::geo

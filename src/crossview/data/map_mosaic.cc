#include "crossview/data/map_mosaic.h"

#include <cmath>
#include <cstring>

#include <nlohmann/json.hpp>

#include "crossview/data/ir_synth.h"
#include "crossview/data/renderer.h"
#include "crossview/data/synth_manifest.h"
#include "crossview/data/synth_sources.h"
#include "crossview/geo/geotiff_writer.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"
#include "crossview/util/parallel.h"
#include "crossview/util/sha256.h"

namespace crossview::data {
namespace {

namespace fs = std::filesystem;
using manifest::Json;

Json OptionsJson(const MapMosaicOptions& o) {
  return Json{{"textures", o.textures},
              {"columns", o.Columns()},
              {"tile_side_m", o.tile_side_m},
              {"gsd_m", o.gsd_m},
              {"anchor_lat_lon_deg", manifest::LatLon(o.anchor)}};
}

}  // namespace

void MapMosaicOptions::Check() const {
  if (textures.empty() || textures.size() > 100) {
    throw CV_ERROR(InvalidArgumentError, "the mosaic needs 1 to 100 textures").With("textures", textures.size());
  }
  if (columns < 0 || columns > 100) throw CV_ERROR(InvalidArgumentError, "columns must be in [0, 100]").With("columns", columns);
  if (!(gsd_m > 0.0) || !std::isfinite(gsd_m)) throw CV_ERROR(InvalidArgumentError, "gsd_m must be positive").With("gsd_m", gsd_m);
  if (!(tile_side_m >= 16 * gsd_m) || !std::isfinite(tile_side_m)) {
    throw CV_ERROR(InvalidArgumentError, "tile_side_m must be at least 16 pixels").With("tile_side_m", tile_side_m).With("gsd_m", gsd_m);
  }
  const double megapixels = 1e-6 * Columns() * TilePx() * Rows() * TilePx();
  if (megapixels > 256.0) {
    throw CV_ERROR(InvalidArgumentError, "the mosaic would be too large").With("megapixels", megapixels)
        .Hint("use fewer textures, smaller tiles or a coarser --gsd-m");
  }
  if (!(std::abs(anchor.lat_deg) < 80.0) || !(std::abs(anchor.lon_deg) <= 180.0)) {
    throw CV_ERROR(InvalidArgumentError, "anchor must be within ±80° latitude").With("anchor", anchor);
  }
}

int MapMosaicOptions::Columns() const {
  const int n = static_cast<int>(textures.size());
  return columns > 0 ? columns : std::max(1, static_cast<int>(std::ceil(std::sqrt(static_cast<double>(n)) - 1e-9)));
}

int MapMosaicOptions::Rows() const {
  const int n = static_cast<int>(textures.size()), c = Columns();
  return (n + c - 1) / c;
}

int MapMosaicOptions::TilePx() const { return static_cast<int>(std::lround(tile_side_m / gsd_m)); }

fs::path MapSidecarPath(const fs::path& tif_path) {
  fs::path p = tif_path;
  return p.replace_extension(".json");
}

MapMosaic BuildMapMosaic(const MapMosaicOptions& o, const geo::TextureTable& table, const fs::path& cache_dir, int jobs) {
  o.Check();
  const int t = o.TilePx(), cols = o.Columns(), rows = o.Rows();
  const double side_m = t * o.gsd_m;  // the cell's exact ground side
  std::vector<MapSource> sources;
  std::string fitting;
  for (const geo::TextureRecord& r : table.textures) {
    if (r.width_px * r.gsd_m >= side_m && r.height_px * r.gsd_m >= side_m && r.split != "none") {
      fitting += (fitting.empty() ? "" : ", ") + r.name;
    }
  }
  for (const std::string& name : o.textures) {
    MapSource s = TextureMapSource(table, cache_dir, name);
    if (s.frame.WidthM() < side_m || s.frame.HeightM() < side_m) {
      throw CV_ERROR(InvalidArgumentError, "texture is smaller than a mosaic cell")
          .With("texture", name)
          .With("texture_m", std::to_string(s.frame.WidthM()) + " x " + std::to_string(s.frame.HeightM()))
          .With("cell_m", side_m)
          .Hint("lower --tile-m, or use textures at least that large: " + fitting);
    }
    sources.push_back(s);
  }
  MapMosaic m;
  m.frame.width_px = cols * t;
  m.frame.height_px = rows * t;
  m.frame.gsd_m = o.gsd_m;
  m.anchor = o.anchor;
  m.rgb = cv::Mat(m.frame.height_px, m.frame.width_px, CV_8UC3, cv::Scalar(0, 0, 0));
  m.tiles.resize(sources.size());
  ParallelFor(static_cast<int64_t>(sources.size()), jobs, [&](int64_t i) {
    const MapSource& s = sources[static_cast<size_t>(i)];
    const LoadedMap loaded = WithContext("texture", s.name, [&] { return LoadMapSource(s); });
    RenderOptions ropts;
    ropts.num_threads = 1;
    const RenderResult rr = RenderNorthUpTile(*loaded.pyramid, s.frame, {0.0, 0.0}, side_m, t, ropts);
    MosaicTile& tile = m.tiles[static_cast<size_t>(i)];
    tile.texture = s.name;
    tile.family = s.family;
    tile.row = static_cast<int>(i) / cols;
    tile.col = static_cast<int>(i) % cols;
    tile.rect_px = cv::Rect(tile.col * t, tile.row * t, t, t);
    tile.source_centre_xy_px = s.frame.XyFromEn({0.0, 0.0});
    tile.source_gsd_m = s.frame.gsd_m;
    tile.sha256 = loaded.sha256;
    rr.image.copyTo(m.rgb(tile.rect_px));  // disjoint cells: no lock needed
  });
  return m;
}

std::string WriteMapMosaic(const MapMosaic& m, const MapMosaicOptions& o, const fs::path& tif_path) {
  const geo::TextureGeoref georef = m.Georef();
  geo::RgbImage image(m.rgb.cols, m.rgb.rows);
  CV_CHECK(m.rgb.isContinuous());
  std::memcpy(image.pixels.data(), m.rgb.data, image.pixels.size());
  geo::GeoTiffWriteOptions tiff;
  tiff.tiled = true;
  geo::WriteGeoTiffRgb(tif_path, image, georef.geotransform(), geo::TextureGeoref::crs(), tiff);
  const std::string sha = Sha256File(tif_path);

  const double w = m.frame.width_px, h = m.frame.height_px;
  Json corners = Json::array();
  for (const geo::PixelColRow& p : {geo::PixelColRow{0, 0}, {w, 0}, {w, h}, {0, h}}) {
    corners.push_back(manifest::LatLon(georef.lat_lon_from_pixel(p)));
  }
  Json tiles = Json::array();
  for (const MosaicTile& t : m.tiles) {
    const cv::Vec2d centre(t.rect_px.x + 0.5 * t.rect_px.width, t.rect_px.y + 0.5 * t.rect_px.height);
    tiles.push_back(Json{{"texture", t.texture},
                         {"family", t.family},
                         {"file", "flightgear/" + t.texture + ".png"},
                         {"sha256", t.sha256},
                         {"cell_row_col", Json::array({t.row, t.col})},
                         {"rect_px", Json::array({t.rect_px.x, t.rect_px.y, t.rect_px.width, t.rect_px.height})},
                         {"centre_lat_lon_deg", manifest::LatLon(georef.lat_lon_from_pixel({centre[0], centre[1]}))},
                         {"source_centre_xy_px", manifest::Vec2(t.source_centre_xy_px)},
                         {"source_gsd_m", t.source_gsd_m}});
  }
  const std::array<double, 6> gt = georef.geotransform().gdal();
  const Json sidecar{{"schema", "crossview.map/1"},
                     {"generator", Json{{"name", "crossview"}, {"version", SynthGeneratorVersion()}}},
                     {"claim", "A mosaic of real aerial orthophotos (FlightGear textures, GPL-2+) placed at synthetic "
                               "coordinates over open sea; not the place the photographs show."},
                     {"file", tif_path.filename().string()},
                     {"sha256", sha},
                     {"size_px", Json::array({m.frame.width_px, m.frame.height_px})},
                     {"gsd_m", m.frame.gsd_m},
                     {"anchor_lat_lon_deg", manifest::LatLon(m.anchor)},
                     {"crs", "EPSG:4326"},
                     {"georeference", "north-up plate carree on R = 6378137 m centred on the anchor (data.md 2.1 rules)"},
                     {"geotransform", Json::array({gt[0], gt[1], gt[2], gt[3], gt[4], gt[5]})},
                     {"corners_lat_lon_deg", corners},
                     {"options", OptionsJson(o)},
                     {"tiles", tiles}};
  WriteFileAtomic(MapSidecarPath(tif_path), sidecar.dump(2) + "\n");
  return sha;
}

}  // namespace crossview::data

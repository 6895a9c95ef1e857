#include "crossview/geo/tiling.h"

#include <algorithm>
#include <cmath>

#include "crossview/util/errors.h"
#include "crossview/util/log.h"

namespace crossview::geo {
namespace {

// Origins 0, s, 2s, … with origin + size ≤ extent, plus one flush with the edge if asked.
std::vector<int> Origins(int extent, int size, int stride, bool cover_edges) {
  std::vector<int> origins;
  for (int o = 0; o + size <= extent; o += stride) origins.push_back(o);
  if (cover_edges && !origins.empty() && origins.back() + size < extent) origins.push_back(extent - size);
  return origins;
}

}  // namespace

void TilingOptions::Check() const {
  if (!(tile_size_m > 0.0) || !std::isfinite(tile_size_m)) {
    throw CV_ERROR(InvalidArgumentError, "tiling: tile_size_m must be positive").With("tile_size_m", tile_size_m);
  }
  if (!(stride_m > 0.0) || !std::isfinite(stride_m)) {
    throw CV_ERROR(InvalidArgumentError, "tiling: stride_m must be positive").With("stride_m", stride_m);
  }
  if (!(max_nodata_fraction >= 0.0 && max_nodata_fraction <= 1.0)) {
    throw CV_ERROR(InvalidArgumentError, "tiling: max_nodata_fraction must be in [0, 1]")
        .With("max_nodata_fraction", max_nodata_fraction);
  }
  if (nodata_samples_per_side < 1) {
    throw CV_ERROR(InvalidArgumentError, "tiling: nodata_samples_per_side must be at least 1")
        .With("nodata_samples_per_side", nodata_samples_per_side);
  }
}

std::vector<Tile> CutTiles(const GeoRaster& raster, const TilingOptions& options) {
  options.Check();
  const GeoTransform& gt = raster.geotransform();
  if (!gt.is_north_up()) {
    throw CV_ERROR(InvalidArgumentError, "tiling needs a north-up raster, but its geotransform is rotated")
        .With("raster", raster.name())
        .With("geotransform", gt.ToString())
        .Hint("warp it north-up first: GeoRaster::WarpedNorthUp() in code, or `gdalwarp in.tif out.tif` on the "
              "command line");
  }
  const int tile_w = static_cast<int>(std::lround(options.tile_size_m / raster.pixel_width_m()));
  const int tile_h = static_cast<int>(std::lround(options.tile_size_m / raster.pixel_height_m()));
  const int stride_w = std::max(1, static_cast<int>(std::lround(options.stride_m / raster.pixel_width_m())));
  const int stride_h = std::max(1, static_cast<int>(std::lround(options.stride_m / raster.pixel_height_m())));
  if (tile_w < 1 || tile_h < 1 || tile_w > raster.width_px() || tile_h > raster.height_px()) {
    throw CV_ERROR(InvalidArgumentError, "tile size does not fit the raster")
        .With("raster", raster.name())
        .With("tile_px", std::to_string(tile_w) + "x" + std::to_string(tile_h))
        .With("raster_px", std::to_string(raster.width_px()) + "x" + std::to_string(raster.height_px()))
        .With("gsd_m", raster.gsd_m())
        .Hint("choose tile_size_m between one pixel and the raster's ground size");
  }
  const std::vector<int> cols = Origins(raster.width_px(), tile_w, stride_w, options.cover_edges);
  const std::vector<int> rows = Origins(raster.height_px(), tile_h, stride_h, options.cover_edges);
  const int samples_w = std::min(tile_w, options.nodata_samples_per_side);
  const int samples_h = std::min(tile_h, options.nodata_samples_per_side);

  std::vector<Tile> tiles;
  size_t skipped = 0;
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t c = 0; c < cols.size(); ++c) {
      Tile tile;
      tile.grid_row = static_cast<int>(r);
      tile.grid_col = static_cast<int>(c);
      tile.window = {cols[c], rows[r], tile_w, tile_h};
      tile.nodata_fraction = raster.ReadValidMask(tile.window, options.nodata, samples_w, samples_h).nodata_fraction();
      if (tile.nodata_fraction > options.max_nodata_fraction) {
        ++skipped;
        continue;
      }
      const double c0 = cols[c], r0 = rows[r];
      const PixelColRow centre{c0 + tile_w / 2.0, r0 + tile_h / 2.0};
      tile.centre = raster.lat_lon_from_pixel(centre);
      tile.corners = {raster.lat_lon_from_pixel({c0, r0}), raster.lat_lon_from_pixel({c0 + tile_w, r0}),
                      raster.lat_lon_from_pixel({c0 + tile_w, r0 + tile_h}), raster.lat_lon_from_pixel({c0, r0 + tile_h})};
      tile.gsd_m = raster.gsd_m();
      tile.up_bearing_deg = raster.up_bearing_deg(centre);
      tiles.push_back(tile);
    }
  }
  CV_LOG_DEBUG("tiled {}: {} tiles of {}x{} px (stride {}x{} px), {} skipped as no-data", raster.name(), tiles.size(),
               tile_w, tile_h, stride_w, stride_h, skipped);
  return tiles;
}

}  // namespace crossview::geo

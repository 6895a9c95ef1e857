// crossview index build --map MAP --checkpoint MODEL --out IDX [--tile-m M] [--stride-m S] [--type flat|ivf|hnsw] [--gsd-m G]
//                       [--assume-gsd-m G --corners LAT,LON[,LAT,LON]] [--device D] [--batch N] [--resume] [--overwrite]
// crossview index info IDX [--json] [--no-verify]
#include <iostream>
#include <nlohmann/json.hpp>

#include "crossview/cli/command.h"
#include "crossview/cli/common_flags.h"
#include "crossview/pipeline/index_builder.h"
#include "crossview/pipeline/tile_index.h"

namespace crossview::cli {

int RunIndex(int argc, char** argv) {
  CLI::App app("Build and inspect tile indexes of georeferenced maps.", "crossview index");
  app.require_subcommand(1);
  CommonFlags common;
  AddCommonFlags(app, &common);

  CLI::App* build = app.add_subcommand("build", "cut a georeferenced map into tiles, describe them, write an index directory");
  build->fallthrough();  // --quiet / --log-level also after the subcommand
  pipeline::IndexBuildOptions o;
  std::string device = o.describer.device;
  bool no_warp = false, json = false;
  build->add_option("--map", o.map, "the map: any GDAL raster with a georeference (GeoTIFF, any CRS)")->required();
  build->add_option("--checkpoint", o.checkpoint, "retrieval model directory (model.json + model.pt)")->required();
  build->add_option("--out", o.out, "index directory to create")->required();
  build->add_option("--tile-m", o.tile_size_m, "tile side in metres (default: the model's satellite_side_m, else 300)");
  build->add_option("--stride-m", o.stride_m, "distance between tiles in metres (default: half a tile)");
  build->add_option("--gsd-m", o.gsd_m, "describe tiles at G metres per network input pixel (tile = G x input size)");
  build->add_option("--type", o.type, "flat (exact) | ivf | hnsw")->capture_default_str()->check(CLI::IsMember({"flat", "ivf", "hnsw"}));
  build->add_option("--assume-gsd-m", o.georef.assume_gsd_m, "a map without georeference: metres per pixel (with --corners)");
  build->add_option("--corners", o.georef.corners_lat_lon_deg,
                    "a map without georeference: TOP_LAT,LEFT_LON (with --assume-gsd-m) or TOP_LAT,LEFT_LON,BOTTOM_LAT,RIGHT_LON "
                    "(WGS 84 outer corners; write --corners=... when the first value is negative)")
      ->delimiter(',')
      ->expected(2, 4)
      ->type_name("LAT,LON[,LAT,LON]");
  build->add_flag("--no-warp", no_warp, "reject a rotated map instead of warping it north-up in memory");
  build->add_option("--bands", o.bands, "bands read as R,G,B (1-based), e.g. 3,2,1 for Landsat; one band = grey")
      ->delimiter(',')
      ->type_name("R,G,B");
  build->add_option("--max-nodata", o.max_nodata_fraction, "skip tiles with a larger no-data fraction")->capture_default_str();
  build->add_flag("--zero-is-nodata", o.zero_is_nodata, "treat pixel value 0 as no-data (black map collars)");
  build->add_option("--batch", o.describer.batch, "tiles per forward pass")->capture_default_str();
  build->add_option("--chunk-tiles", o.chunk_tiles, "tiles per saved descriptor chunk (resume granularity)")->capture_default_str();
  AddDeviceFlag(*build, &device);
  build->add_flag("--resume", o.resume, "continue an interrupted build (OUT.partial)");
  build->add_flag("--overwrite", o.overwrite, "replace an existing index at --out");
  build->add_flag("--json", json, "print the summary as JSON on stdout");

  CLI::App* info = app.add_subcommand("info", "counts, extent, tile size, model, type and size of an index (verifies checksums)");
  info->fallthrough();
  std::string dir;
  bool info_json = false, no_verify = false;
  info->add_option("index", dir, "index directory")->required();
  info->add_flag("--json", info_json, "print JSON");
  info->add_flag("--no-verify", no_verify, "skip the SHA-256 check of the index files");

  return RunCommand(app, argc, argv, [&] {
    common.Apply();
    if (build->parsed()) {
      o.describer.device = device;
      o.georef.warp_rotated = !no_warp;
      const pipeline::IndexBuildSummary s = pipeline::BuildTileIndex(o);
      const nlohmann::json j = {{"out", s.out.string()}, {"tiles", s.tiles}, {"dim", s.dim}, {"tile_size_m", s.tile_size_m},
                                {"tile_size_source", s.tile_size_source}, {"stride_m", s.stride_m}, {"chunks", s.chunks},
                                {"chunks_resumed", s.chunks_resumed}, {"seconds", s.seconds}, {"describe_seconds", s.describe_seconds}};
      if (json) {
        std::cout << j.dump(2) << "\n";
      } else {
        std::cout << "wrote " << s.out.string() << ": " << s.tiles << " tiles of " << s.tile_size_m << " m (" << s.tile_size_source
                  << "), stride " << s.stride_m << " m, " << s.dim << "-d descriptors, " << s.seconds << " s";
        if (s.chunks_resumed > 0) std::cout << " (" << s.chunks_resumed << " of " << s.chunks << " chunks resumed)";
        std::cout << "\n";
      }
      return;
    }
    pipeline::OpenIndexOptions oo;
    oo.verify_checksums = !no_verify;
    const nlohmann::json j = pipeline::TileIndex::Open(dir, oo).Info();
    if (info_json) {
      std::cout << j.dump(2) << "\n";
    } else {
      std::cout << pipeline::FormatIndexInfo(j);
    }
  });
}

}  // namespace crossview::cli

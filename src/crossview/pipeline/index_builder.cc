#include "crossview/pipeline/index_builder.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "crossview/geo/tiling.h"
#include "crossview/index/vector_index.h"
#include "crossview/pipeline/index_manifest.h"
#include "crossview/util/npy.h"
#include "crossview/pipeline/tile_table.h"
#include "crossview/util/checksums.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"
#include "crossview/util/log.h"
#include "crossview/util/progress.h"
#include "crossview/util/sha256.h"
#include "crossview/version.h"

namespace crossview::pipeline {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kPlanFile = "build.json";
constexpr const char* kChunkDir = "chunks";

double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

fs::path NormalisedOut(const std::string& out) {
  fs::path p = fs::path(out).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  return p;
}

fs::path ChunkPath(const fs::path& partial, int64_t chunk) {
  char name[32];
  std::snprintf(name, sizeof(name), "chunk-%06lld.npy", static_cast<long long>(chunk));
  return partial / kChunkDir / name;
}

// The tile size and where it came from.
std::pair<double, std::string> ResolveTileSize(const IndexBuildOptions& o, const RetrievalDescriber& d) {
  if (o.tile_size_m > 0.0) return {o.tile_size_m, "option"};
  if (o.gsd_m > 0.0) return {o.gsd_m * d.input_size(), "gsd"};
  const nlohmann::json& info = d.identity().model_json;
  if (info.contains("satellite_side_m") && info["satellite_side_m"].is_number() && info["satellite_side_m"].get<double>() > 0.0) {
    return {info["satellite_side_m"].get<double>(), "model"};
  }
  return {kDefaultTileSizeM, "default"};
}

cv::Mat ReadTileRgb(const geo::GeoRaster& raster, const geo::PixelWindow& window, const geo::ReadRgbOptions& ro) {
  geo::RgbImage img = raster.ReadRgb(window, ro);
  return cv::Mat(img.height_px, img.width_px, CV_8UC3, img.pixels.data()).clone();
}

geo::LatLonBox TileBounds(const std::vector<TileRecord>& tiles) {
  geo::LatLonBox box{1e300, 1e300, -1e300, -1e300};
  for (const TileRecord& t : tiles) {
    for (const geo::LatLonDeg& c : t.corners) {
      box.west_lon_deg = std::min(box.west_lon_deg, c.lon_deg);
      box.east_lon_deg = std::max(box.east_lon_deg, c.lon_deg);
      box.south_lat_deg = std::min(box.south_lat_deg, c.lat_deg);
      box.north_lat_deg = std::max(box.north_lat_deg, c.lat_deg);
    }
  }
  return box;
}

// The JSON pointers where two plans differ (at most 6), for the resume error.
std::string Differences(const nlohmann::json& a, const nlohmann::json& b) {
  const nlohmann::json patch = nlohmann::json::diff(a, b);
  std::string out;
  for (size_t i = 0; i < patch.size() && i < 6; ++i) out += (i ? ", " : "") + patch[i].value("path", "?");
  if (patch.size() > 6) out += ", ...";
  return out;
}

// Renames the finished OUT.partial to OUT (replacing an old index when asked).
void CommitIndexDir(const fs::path& partial, const fs::path& out) {
  AtomicPath sink(out);
  std::error_code ec;
  fs::rename(partial, sink.temp_path(), ec);
  if (ec) throw CV_ERROR(IoError, "cannot move the finished index into place: " + ec.message()).With("from", partial.string());
  sink.Commit();
}

}  // namespace

fs::path PartialIndexDir(const fs::path& out) {
  fs::path p = NormalisedOut(out.string());
  return p.parent_path() / (p.filename().string() + ".partial");
}

void IndexBuildOptions::Check() const {
  if (map.empty()) throw CV_ERROR(InvalidArgumentError, "no map given").Hint("pass --map MAP.tif");
  if (checkpoint.empty()) throw CV_ERROR(InvalidArgumentError, "no retrieval model given").Hint("pass --checkpoint MODEL_DIR");
  if (out.empty()) throw CV_ERROR(InvalidArgumentError, "no output directory given").Hint("pass --out IDX");
  if (!(tile_size_m >= 0.0) || !std::isfinite(tile_size_m)) throw CV_ERROR(InvalidArgumentError, "tile_size_m must be positive").With("tile_size_m", tile_size_m);
  if (!(stride_m >= 0.0) || !std::isfinite(stride_m)) throw CV_ERROR(InvalidArgumentError, "stride_m must be positive").With("stride_m", stride_m);
  if (!(gsd_m >= 0.0) || !std::isfinite(gsd_m)) throw CV_ERROR(InvalidArgumentError, "gsd_m must be positive").With("gsd_m", gsd_m);
  if (tile_size_m > 0.0 && gsd_m > 0.0) {
    throw CV_ERROR(InvalidArgumentError, "give the tile size either in metres or as a GSD, not both").Hint("drop --tile-m or --gsd-m");
  }
  index::ParseIndexType(type);
  if (!(max_nodata_fraction >= 0.0 && max_nodata_fraction <= 1.0)) {
    throw CV_ERROR(InvalidArgumentError, "max_nodata_fraction must be in [0, 1]").With("max_nodata_fraction", max_nodata_fraction);
  }
  for (int b : bands) {
    if (b < 1) throw CV_ERROR(InvalidArgumentError, "band numbers start at 1").With("band", b);
  }
  if (!bands.empty() && bands.size() != 3 && bands.size() != 1) {
    throw CV_ERROR(InvalidArgumentError, "bands takes 3 band numbers (R,G,B) or 1 (grey)").With("count", bands.size());
  }
  if (chunk_tiles < 1) throw CV_ERROR(InvalidArgumentError, "chunk_tiles must be at least 1").With("chunk_tiles", chunk_tiles);
  georef.Check();
  describer.Check();
}

IndexBuildSummary BuildTileIndex(const IndexBuildOptions& o, const IndexBuildHooks& hooks) {
  o.Check();
  const auto t0 = Clock::now();
  const fs::path out = NormalisedOut(o.out);
  const fs::path partial = PartialIndexDir(out);
  if (fs::exists(out)) {
    if (!o.overwrite) {
      throw CV_ERROR(InvalidArgumentError, "the output already exists").With("out", out.string()).Hint("pass --overwrite to replace it, or choose another --out");
    }
    if (!fs::exists(out / kManifestFile)) {
      throw CV_ERROR(InvalidArgumentError, "refusing to replace a directory that is not a crossview index").With("out", out.string());
    }
  }
  if (fs::exists(partial) && !o.resume) {
    throw CV_ERROR(InvalidArgumentError, "an interrupted build of this index exists").With("partial", partial.string())
        .Hint("pass --resume to continue it, or delete that directory to start over");
  }

  RetrievalDescriber describer = RetrievalDescriber::Load(o.checkpoint, o.describer);
  MapSource map = OpenMapSource(o.map, o.georef);
  const auto [tile_size_m, tile_size_source] = ResolveTileSize(o, describer);
  geo::TilingOptions to;
  to.tile_size_m = tile_size_m;
  to.stride_m = o.stride_m > 0.0 ? o.stride_m : tile_size_m / 2.0;
  to.max_nodata_fraction = o.max_nodata_fraction;
  to.nodata.zero_is_nodata = o.zero_is_nodata;
  const std::vector<geo::Tile> cut = WithContext("map", o.map, [&] { return geo::CutTiles(map.raster, to); });
  if (cut.empty()) {
    throw CV_ERROR(InvalidArgumentError, "no tile passed the no-data filter").With("map", o.map).With("max_nodata_fraction", o.max_nodata_fraction)
        .Hint("raise --max-nodata, or check the map's no-data / alpha band");
  }
  std::vector<TileRecord> tiles;
  tiles.reserve(cut.size());
  for (size_t i = 0; i < cut.size(); ++i) tiles.push_back(RecordFromTile(static_cast<int64_t>(i), cut[i]));

  // The manifest without the descriptor length (known after the first chunk).
  nlohmann::json map_json = map.Describe();
  map_json["path"] = fs::absolute(o.map).lexically_normal().string();
  map_json["sha256"] = Sha256File(o.map);
  map_json["size_bytes"] = static_cast<int64_t>(fs::file_size(o.map));
  map_json["georef_options"] = o.georef.ToJson();
  map_json["bands"] = o.bands;
  map_json["zero_is_nodata"] = o.zero_is_nodata;
  nlohmann::json manifest = {
      {"format", kIndexFormatName},
      {"format_version", kIndexFormatVersion},
      {"crossview_version", CROSSVIEW_VERSION},
      {"model", {{"dir", describer.identity().dir}, {"model_pt_sha256", describer.identity().model_pt_sha256}, {"model_json", describer.identity().model_json}}},
      {"descriptor", describer.Settings()},
      {"map", map_json},
      {"tiling", {{"tile_size_m", tile_size_m}, {"tile_size_source", tile_size_source}, {"stride_m", to.stride_m},
                  {"tile_px", {tiles.front().window.width_px, tiles.front().window.height_px}},
                  {"max_nodata_fraction", to.max_nodata_fraction}, {"cover_edges", to.cover_edges}}},
      {"tiles", {{"count", static_cast<int64_t>(tiles.size())}, {"bounds_wgs84", LatLonBoxJson(TileBounds(tiles))}}},
      {"index", {{"type", o.type}, {"count", static_cast<int64_t>(tiles.size())}}},
      {"files", {{"faiss", kFaissFile}, {"tiles", kTilesFile}, {"descriptors", kDescriptorsFile}, {"checksums", kChecksumsFile}}}};
  const nlohmann::json plan = {{"manifest", manifest}, {"chunk_tiles", o.chunk_tiles}, {"batch", o.describer.batch}};

  if (fs::exists(partial)) {
    const fs::path plan_path = partial / kPlanFile;
    const nlohmann::json old = fs::exists(plan_path) ? nlohmann::json::parse(ReadFile(plan_path), nullptr, false) : nlohmann::json();
    if (old != plan) {
      throw CV_ERROR(InvalidArgumentError, "cannot resume: the interrupted build used different settings")
          .With("partial", partial.string()).With("differences", old.is_object() ? Differences(old, plan) : std::string("build.json missing"))
          .Hint("rerun with the original settings, or delete the partial directory to start over");
    }
    CV_LOG_INFO("resuming the interrupted build in {}", partial.string());
  } else {
    EnsureDirectory(partial / kChunkDir);
    WriteFileAtomic(partial / kPlanFile, plan.dump(2) + "\n");
  }

  // Descriptors, chunk by chunk.
  IndexBuildSummary summary;
  const int64_t n = static_cast<int64_t>(tiles.size());
  const int64_t n_chunks = (n + o.chunk_tiles - 1) / o.chunk_tiles;
  geo::ReadRgbOptions ro;
  ro.bands = o.bands;
  if (ro.bands.size() == 1) ro.bands = {o.bands[0], o.bands[0], o.bands[0]};
  std::vector<float> all;
  int64_t dim = 0;
  ProgressBar::Options po;
  po.enabled_auto = o.progress;
  ProgressBar bar(n, "indexing", po);
  const auto t_describe = Clock::now();
  for (int64_t c = 0; c < n_chunks; ++c) {
    const int64_t begin = c * o.chunk_tiles, end = std::min(n, begin + o.chunk_tiles);
    const fs::path chunk_path = ChunkPath(partial, c);
    FloatMatrix chunk;
    bool resumed = false;
    if (fs::exists(chunk_path)) {
      chunk = ReadNpyFloat32(chunk_path);
      resumed = chunk.rows == end - begin && chunk.cols > 0;
      if (!resumed) CV_LOG_WARN("recomputing chunk {} (its file has {} rows, expected {})", c, chunk.rows, end - begin);
    }
    if (!resumed) {
      std::vector<cv::Mat> images;
      images.reserve(static_cast<size_t>(end - begin));
      for (int64_t i = begin; i < end; ++i) images.push_back(ReadTileRgb(map.raster, tiles[static_cast<size_t>(i)].window, ro));
      chunk.values = describer.Describe(images, models::View::kSatellite);
      chunk.rows = end - begin;
      chunk.cols = describer.dim();
      WriteNpyFloat32(chunk_path, chunk);
    } else {
      ++summary.chunks_resumed;
    }
    if (dim == 0) dim = chunk.cols;
    if (chunk.cols != dim) {
      throw CV_ERROR(IoError, "a saved chunk has a different descriptor length").With("chunk", chunk_path.string()).With("dim", chunk.cols).With("expected", dim);
    }
    all.insert(all.end(), chunk.values.begin(), chunk.values.end());
    bar.Add(end - begin);
    if (!resumed && hooks.after_chunk) hooks.after_chunk(c + 1, n_chunks);
  }
  bar.Finish();
  summary.describe_seconds = Seconds(t_describe);

  // The index files.
  index::IndexOptions io;
  io.type = index::ParseIndexType(o.type);
  io.dim = dim;
  std::unique_ptr<index::VectorIndex> vi = index::VectorIndex::Create(io);
  vi->Train(n, all.data());
  vi->Add(n, all.data());
  vi->Save(partial / kFaissFile);
  WriteNpyFloat32(partial / kDescriptorsFile, all.data(), n, dim);
  WriteTileTable(partial / kTilesFile, tiles);
  manifest["descriptor"]["dim"] = dim;
  manifest["index"]["dim"] = dim;
  WriteFileAtomic(partial / kManifestFile, manifest.dump(2) + "\n");
  WriteChecksums(partial, {kManifestFile, kFaissFile, kTilesFile, kDescriptorsFile}, partial / kChecksumsFile);
  fs::remove_all(partial / kChunkDir);
  fs::remove(partial / kPlanFile);
  CommitIndexDir(partial, out);

  summary.out = out;
  summary.tiles = n;
  summary.dim = dim;
  summary.chunks = n_chunks;
  summary.tile_size_m = tile_size_m;
  summary.stride_m = to.stride_m;
  summary.tile_size_source = tile_size_source;
  summary.seconds = Seconds(t0);
  CV_LOG_INFO("indexed {} tiles of {:.1f} m (stride {:.1f} m, {}-d {} index) in {:.1f} s -> {}", n, tile_size_m, to.stride_m, dim,
              o.type, summary.seconds, out.string());
  return summary;
}

}  // namespace crossview::pipeline

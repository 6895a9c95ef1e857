#include "crossview/pipeline/index_builder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "crossview/data/image_io.h"
#include "crossview/geo/geotiff_writer.h"
#include "crossview/geo/tiling.h"
#include "crossview/pipeline/index_manifest.h"
#include "crossview/util/npy.h"
#include "crossview/pipeline/pipeline_test_support.h"
#include "crossview/pipeline/tile_index.h"
#include "crossview/pipeline/tile_table.h"
#include "crossview/util/checksums.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"
#include "crossview/util/sha256.h"
#include "crossview/util/testing.h"

namespace crossview::pipeline {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::Shared;

constexpr const char* kIndexFiles[] = {"index.json", "index.faiss", "tiles.sqlite", "descriptors.npy", "SHA256SUMS"};

TEST(IndexBuilderTest, WritesTheDocumentedFilesAndNothingElse) {
  CV_REQUIRE_FILE(testing::TextureFile());
  const auto& s = Shared();
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(s.index)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"SHA256SUMS", "descriptors.npy", "index.faiss", "index.json", "tiles.sqlite"}));
  EXPECT_FALSE(fs::exists(PartialIndexDir(s.index)));
  EXPECT_TRUE(VerifyChecksums(s.index, s.index / "SHA256SUMS").ok());
  EXPECT_EQ(s.summary.chunks, (s.summary.tiles + 24) / 25);
  EXPECT_EQ(s.summary.chunks_resumed, 0);
  EXPECT_EQ(s.summary.tile_size_source, "option");
}

TEST(IndexBuilderTest, TileTableEqualsTheTiling) {
  CV_REQUIRE_FILE(testing::TextureFile());
  const auto& s = Shared();
  const geo::GeoRaster raster = geo::GeoRaster::Open(s.map);
  geo::TilingOptions to;
  to.tile_size_m = 64.0;
  to.stride_m = 32.0;
  const std::vector<geo::Tile> want = geo::CutTiles(raster, to);
  const std::vector<TileRecord> got = ReadTileTable(s.index / "tiles.sqlite");
  ASSERT_EQ(got.size(), want.size());
  ASSERT_EQ(static_cast<int64_t>(got.size()), s.summary.tiles);
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].id, static_cast<int64_t>(i));
    EXPECT_EQ(got[i].window.col_off, want[i].window.col_off);
    EXPECT_EQ(got[i].window.row_off, want[i].window.row_off);
    EXPECT_EQ(got[i].window.width_px, want[i].window.width_px);
    EXPECT_EQ(got[i].window.height_px, want[i].window.height_px);
    EXPECT_NEAR(got[i].centre.lat_deg, want[i].centre.lat_deg, 1e-9);
    EXPECT_NEAR(got[i].centre.lon_deg, want[i].centre.lon_deg, 1e-9);
    // And independently through the synthetic georeference of the map.
    const geo::PixelColRow c{want[i].window.col_off + want[i].window.width_px / 2.0, want[i].window.row_off + want[i].window.height_px / 2.0};
    EXPECT_NEAR(got[i].centre.lat_deg, s.georef.lat_lon_from_pixel(c).lat_deg, 1e-9);
    EXPECT_NEAR(got[i].centre.lon_deg, s.georef.lat_lon_from_pixel(c).lon_deg, 1e-9);
    for (size_t k = 0; k < 4; ++k) EXPECT_NEAR(got[i].corners[k].lat_deg, want[i].corners[k].lat_deg, 1e-9);
  }
}

TEST(IndexBuilderTest, ManifestRecordsModelMapAndSettings) {
  CV_REQUIRE_FILE(testing::TextureFile());
  const auto& s = Shared();
  const IndexManifest m = ReadIndexManifest(s.index);
  EXPECT_EQ(m.format_version, kIndexFormatVersion);
  EXPECT_EQ(m.model_pt_sha256, Sha256File(s.model / "model.pt"));
  EXPECT_EQ(m.map_sha256, Sha256File(s.map));
  EXPECT_EQ(m.input_size, 32);
  EXPECT_EQ(m.tile_size_m, 64.0);
  EXPECT_EQ(m.stride_m, 32.0);
  EXPECT_EQ(m.index_type, "flat");
  EXPECT_EQ(m.count, s.summary.tiles);
  EXPECT_EQ(m.json["model"]["model_json"]["input_size"], 32);
  EXPECT_EQ(m.json["descriptor"]["normalization"], "imagenet");
  EXPECT_EQ(m.json["map"]["crs_wkt"].get<std::string>().empty(), false);
  // Stored descriptors are the protocol's: MSBA with 7 columns and the global one re-weighted by
  // 1.5 gives every row the squared norm (6 + 1.5²)/7.
  const FloatMatrix d = ReadNpyFloat32(s.index / "descriptors.npy");
  ASSERT_EQ(d.rows, s.summary.tiles);
  EXPECT_EQ(d.cols, 16 * 7);
  for (int64_t r = 0; r < d.rows; ++r) {
    double n2 = 0;
    for (int64_t c = 0; c < d.cols; ++c) n2 += static_cast<double>(d.values[static_cast<size_t>(r * d.cols + c)]) * d.values[static_cast<size_t>(r * d.cols + c)];
    EXPECT_NEAR(n2, (6.0 + 1.5 * 1.5) / 7.0, 1e-4) << r;
  }
}

TEST(IndexBuilderTest, InfoReportsCountsBoundsAndSizes) {
  CV_REQUIRE_FILE(testing::TextureFile());
  const auto& s = Shared();
  const TileIndex idx = TileIndex::Open(s.index);
  const nlohmann::json info = idx.Info();
  EXPECT_EQ(info["tiles"], s.summary.tiles);
  EXPECT_EQ(info["index_type"], "flat");
  EXPECT_EQ(info["tile_size_m"], 64.0);
  EXPECT_EQ(info["checksums"]["verified"], true);
  EXPECT_EQ(info["checksums"]["files"], 4);
  double west = 1e9, east = -1e9, south = 1e9, north = -1e9;
  for (const TileRecord& t : idx.tiles()) {
    for (const auto& c : t.corners) {
      west = std::min(west, c.lon_deg), east = std::max(east, c.lon_deg);
      south = std::min(south, c.lat_deg), north = std::max(north, c.lat_deg);
    }
  }
  EXPECT_EQ(info["bounds_wgs84"]["west_lon_deg"].get<double>(), west);
  EXPECT_EQ(info["bounds_wgs84"]["north_lat_deg"].get<double>(), north);
  EXPECT_EQ(info["bounds_wgs84"]["east_lon_deg"].get<double>(), east);
  EXPECT_EQ(info["bounds_wgs84"]["south_lat_deg"].get<double>(), south);
  // The map's corners are the synthetic georeference's.
  const geo::LatLonDeg br = s.georef.lat_lon_from_pixel({400, 300});
  EXPECT_NEAR(info["map"]["corners_wgs84"][2][0].get<double>(), br.lat_deg, 1e-12);
  EXPECT_NEAR(info["map"]["corners_wgs84"][2][1].get<double>(), br.lon_deg, 1e-12);
  int64_t total = 0;
  for (const char* f : kIndexFiles) total += static_cast<int64_t>(fs::file_size(s.index / f));
  EXPECT_EQ(info["size_on_disk_bytes"]["total"], total);
  const std::string text = FormatIndexInfo(info);
  EXPECT_THAT(text, HasSubstr(std::to_string(s.summary.tiles) + " x "));
  EXPECT_THAT(text, HasSubstr("flat index"));
}

TEST(IndexBuilderTest, InterruptedBuildLeavesNoIndexAndResumeGivesIdenticalFiles) {
  CV_REQUIRE_FILE(testing::TextureFile());
  const auto& s = Shared();
  TempDir tmp;
  IndexBuildOptions o = s.options;
  o.out = (tmp.path() / "again.idx").string();
  IndexBuildHooks interrupt;
  interrupt.after_chunk = [](int64_t saved, int64_t) {
    if (saved == 2) throw IoError("simulated interruption");
  };
  EXPECT_THROW(BuildTileIndex(o, interrupt), IoError);
  EXPECT_FALSE(fs::exists(o.out));
  const fs::path partial = PartialIndexDir(o.out);
  ASSERT_TRUE(fs::exists(partial / "build.json"));
  EXPECT_TRUE(fs::exists(partial / "chunks" / "chunk-000000.npy"));
  EXPECT_TRUE(fs::exists(partial / "chunks" / "chunk-000001.npy"));
  EXPECT_FALSE(fs::exists(partial / "chunks" / "chunk-000002.npy"));

  // Without --resume the leftover is an error that says what to do.
  try {
    BuildTileIndex(o);
    FAIL() << "expected InvalidArgumentError";
  } catch (const InvalidArgumentError& e) {
    EXPECT_THAT(e.hint(), HasSubstr("--resume"));
  }
  // A resume with other settings is refused, naming the difference.
  IndexBuildOptions other = o;
  other.resume = true;
  other.stride_m = 40.0;
  try {
    BuildTileIndex(other);
    FAIL() << "expected InvalidArgumentError";
  } catch (const InvalidArgumentError& e) {
    EXPECT_THAT(e.what(), HasSubstr("stride_m"));
  }

  o.resume = true;
  int64_t computed = 0;
  IndexBuildHooks count;
  count.after_chunk = [&](int64_t, int64_t) { ++computed; };
  const IndexBuildSummary r = BuildTileIndex(o, count);
  EXPECT_EQ(r.chunks_resumed, 2);
  EXPECT_EQ(computed, r.chunks - 2);
  EXPECT_FALSE(fs::exists(partial));
  for (const char* f : kIndexFiles) EXPECT_EQ(Sha256File(fs::path(o.out) / f), Sha256File(s.index / f)) << f;
}

TEST(IndexBuilderTest, ExistingOutputNeedsOverwrite) {
  CV_REQUIRE_FILE(testing::TextureFile());
  const auto& s = Shared();
  TempDir tmp;
  IndexBuildOptions o = s.options;
  o.out = (tmp.path() / "x.idx").string();
  o.type = "hnsw";
  o.tile_size_m = 128.0;
  o.stride_m = 0.0;  // half a tile
  const IndexBuildSummary first = BuildTileIndex(o);
  EXPECT_EQ(first.stride_m, 64.0);
  EXPECT_EQ(TileIndex::Open(o.out).Info()["index_type"], "hnsw");
  EXPECT_THROW(BuildTileIndex(o), InvalidArgumentError);
  o.overwrite = true;
  o.type = "ivf";
  BuildTileIndex(o);
  EXPECT_EQ(TileIndex::Open(o.out).Info()["index_type"], "ivf");
  // Never replaces a directory that is not an index.
  EnsureDirectory(tmp.path() / "precious");
  o.out = (tmp.path() / "precious").string();
  EXPECT_THROW(BuildTileIndex(o), InvalidArgumentError);
}

TEST(IndexBuilderTest, PlainImageIsRejectedOrIndexedWithAssumedCorners) {
  CV_REQUIRE_FILE(testing::TextureFile());
  const auto& s = Shared();
  TempDir tmp;
  data::SaveImage(tmp.path() / "map.png", testing::TextureCrop(400, 300));
  IndexBuildOptions o = s.options;
  o.map = (tmp.path() / "map.png").string();
  o.out = (tmp.path() / "png.idx").string();
  try {
    BuildTileIndex(o);
    FAIL() << "expected InvalidArgumentError";
  } catch (const InvalidArgumentError& e) {
    EXPECT_THAT(e.hint(), HasSubstr("--assume-gsd-m"));
  }
  EXPECT_FALSE(fs::exists(o.out));
  const geo::LatLonDeg tl = s.georef.lat_lon_from_pixel({0, 0});
  o.georef.corners_lat_lon_deg = {tl.lat_deg, tl.lon_deg};
  o.georef.assume_gsd_m = 0.98;
  BuildTileIndex(o);
  const auto png_tiles = ReadTileTable(fs::path(o.out) / "tiles.sqlite");
  const auto tif_tiles = ReadTileTable(s.index / "tiles.sqlite");
  ASSERT_EQ(png_tiles.size(), tif_tiles.size());
  for (size_t i = 0; i < png_tiles.size(); ++i) {
    EXPECT_NEAR(png_tiles[i].centre.lat_deg, tif_tiles[i].centre.lat_deg, 1e-9);
    EXPECT_NEAR(png_tiles[i].centre.lon_deg, tif_tiles[i].centre.lon_deg, 1e-9);
  }
  EXPECT_EQ(ReadIndexManifest(o.out).json["map"]["georeference_source"], "assumed");
}

TEST(IndexBuilderTest, AllNodataMapAndBadOptionsAreClearErrors) {
  CV_REQUIRE_FILE(testing::TextureFile());
  const auto& s = Shared();
  TempDir tmp;
  geo::RgbImage black(200, 200);
  geo::WriteTextureGeoTiff(tmp.path() / "black.tif", black, geo::TextureGeoref(geo::FamilyAnchor(0), 200, 200, 1.0));
  IndexBuildOptions o = s.options;
  o.map = (tmp.path() / "black.tif").string();
  o.out = (tmp.path() / "black.idx").string();
  o.zero_is_nodata = true;
  try {
    BuildTileIndex(o);
    FAIL() << "expected InvalidArgumentError";
  } catch (const InvalidArgumentError& e) {
    EXPECT_THAT(e.what(), HasSubstr("no tile passed the no-data filter"));
  }
  EXPECT_FALSE(fs::exists(o.out));
  IndexBuildOptions bad = s.options;
  bad.gsd_m = 1.0;  // together with tile_size_m
  EXPECT_THROW(BuildTileIndex(bad), InvalidArgumentError);
  bad = s.options;
  bad.type = "lsh";
  EXPECT_THROW(BuildTileIndex(bad), InvalidArgumentError);
  bad = s.options;
  bad.out = (tmp.path() / "m.idx").string();
  bad.map = (tmp.path() / "missing.tif").string();
  EXPECT_THROW(BuildTileIndex(bad), NotFoundError);
}

TEST(TileIndexTest, CorruptionFutureVersionsMissingFilesAndEmptyIndexesAreNamed) {
  CV_REQUIRE_FILE(testing::TextureFile());
  const auto& s = Shared();
  TempDir tmp;
  // A flipped byte in the descriptors.
  testing::CopyTree(s.index, tmp.path() / "corrupt.idx");
  std::string bytes = ReadFile(tmp.path() / "corrupt.idx" / "descriptors.npy");
  bytes[bytes.size() - 5] ^= 0x40;
  WriteFileAtomic(tmp.path() / "corrupt.idx" / "descriptors.npy", bytes);
  try {
    TileIndex::Open(tmp.path() / "corrupt.idx");
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr("descriptors.npy"));
    EXPECT_THAT(e.what(), HasSubstr("SHA-256 mismatch"));
  }
  // A format version from the future.
  testing::CopyTree(s.index, tmp.path() / "future.idx");
  nlohmann::json j = nlohmann::json::parse(ReadFile(tmp.path() / "future.idx" / "index.json"));
  j["format_version"] = kIndexFormatVersion + 1;
  WriteFileAtomic(tmp.path() / "future.idx" / "index.json", j.dump(2));
  try {
    TileIndex::Open(tmp.path() / "future.idx");
    FAIL() << "expected InvalidArgumentError";
  } catch (const InvalidArgumentError& e) {
    EXPECT_THAT(e.what(), HasSubstr("newer crossview"));
    EXPECT_THAT(e.hint(), HasSubstr("upgrade crossview"));
  }
  // A missing file.
  testing::CopyTree(s.index, tmp.path() / "missing.idx");
  fs::remove(tmp.path() / "missing.idx" / "tiles.sqlite");
  try {
    TileIndex::Open(tmp.path() / "missing.idx");
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr("tiles.sqlite (missing)"));
  }
  OpenIndexOptions unchecked;
  unchecked.verify_checksums = false;
  EXPECT_THROW(TileIndex::Open(tmp.path() / "missing.idx", unchecked), NotFoundError);
  // Not an index at all.
  EXPECT_THROW(TileIndex::Open(tmp.path()), NotFoundError);
  EXPECT_THROW(TileIndex::Open(tmp.path() / "nowhere"), NotFoundError);
  // An index with no tiles (consistent checksums).
  testing::CopyTree(s.index, tmp.path() / "empty.idx");
  const fs::path e = tmp.path() / "empty.idx";
  WriteTileTable(e / "tiles.sqlite", {});
  WriteNpyFloat32(e / "descriptors.npy", nullptr, 0, ReadIndexManifest(s.index).dim);
  nlohmann::json ej = nlohmann::json::parse(ReadFile(e / "index.json"));
  ej["index"]["count"] = 0;
  WriteFileAtomic(e / "index.json", ej.dump(2));
  WriteChecksums(e, {"index.json", "index.faiss", "tiles.sqlite", "descriptors.npy"}, e / "SHA256SUMS");
  try {
    TileIndex::Open(e);
    FAIL() << "expected InvalidArgumentError";
  } catch (const InvalidArgumentError& err) {
    EXPECT_THAT(err.what(), HasSubstr("the index is empty"));
  }
}

}  // namespace
}  // namespace crossview::pipeline

// `synth ir --source`: datasets from the user's own orthophotos.
#include <gtest/gtest.h>

#include "crossview/data/image_io.h"
#include "crossview/data/synth_sources.h"
#include "crossview/data/synth_test_support.h"
#include "crossview/geo/texture_georef.h"
#include "crossview/util/errors.h"
#include "crossview/util/paths.h"

namespace crossview::data {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

IrSynthOptions SourceOptions(const fs::path& file, double gsd_m = 0.0) {
  IrSynthOptions o = IrPreset("tiny");
  o.train_families.clear();
  o.test_families.clear();
  o.source.files = {file};
  o.source.gsd_m = gsd_m;
  return o;
}

TEST(IrSourceTest, GeoTiffIsSplitIntoDisjointHalvesWithItsOwnGeoreference) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  TempDir tmp("synth_source");
  const fs::path tif = testing::WriteTextureAsGeoTiff(tmp.path() / "uk_countryside2.tif");
  const fs::path d = testing::Generate(SourceOptions(tif), "source-geotiff");
  const Json m = testing::ReadManifest(d);

  ASSERT_EQ(m["sources"].size(), 1u);
  const Json& src = m["sources"][0];
  EXPECT_EQ(src["file"], "uk_countryside2.tif");  // the name only, never the path
  EXPECT_EQ(src["sha256"], Sha256File(tif));
  EXPECT_NE(src["crs"].get<std::string>().find("WGS 84"), std::string::npos) << src["crs"];
  EXPECT_NEAR(src["gsd_m"].get<double>(), 0.88, 1e-9);
  ASSERT_EQ(m["families"].size(), 2u);
  EXPECT_EQ(m["families"][0]["family"], "uk_countryside2:west");
  EXPECT_EQ(m["families"][0]["split"], "train");
  EXPECT_EQ(m["families"][1]["family"], "uk_countryside2:east");
  EXPECT_EQ(m["families"][1]["split"], "test");

  // The file's georeference is the texture's synthetic one: lat/lon must agree with it.
  const geo::TextureTable table = geo::ReadTextureTable(AerialCacheDir() / testing::kTexturesTsv);
  const geo::TextureGeoref georef = geo::GeorefForTexture(table.Find("uk_countryside2"));
  const double half_px = 1024.0, margin_px = m["pattern"]["capacity_margin_m"].get<double>() / 0.88;
  int train = 0, test = 0;
  for (const Json& t : m["targets"]) {
    const double x = t["centre_xy_px"][0], y = t["centre_xy_px"][1];
    const geo::LatLonDeg ll = georef.lat_lon_from_pixel({x, y});
    EXPECT_NEAR(t["centre_lat_lon_deg"][0].get<double>(), ll.lat_deg, 1e-9);
    EXPECT_NEAR(t["centre_lat_lon_deg"][1].get<double>(), ll.lon_deg, 1e-9);
    if (t["split"] == "train") {
      EXPECT_LE(x + margin_px, half_px + 1e-9) << "a train footprint may cross into the test half";
      ++train;
    } else {
      EXPECT_GE(x - (t["split"] == "test" ? margin_px : 150.0 / 0.88), half_px - 1e-9);
      test += t["split"] == "test";
    }
  }
  EXPECT_EQ(train, 4);
  EXPECT_EQ(test, 4);
  // Every drone footprint stays in its half: no ground is shared between train and test views.
  for (const Json& image : m["images"]) {
    for (const Json& corner : image["footprint_xy_px"]) {
      const double x = corner[0];
      if (image["split"] == "train") {
        EXPECT_LE(x, half_px + 1e-6) << image["path"];
      } else {
        EXPECT_GE(x, half_px - 1e-6) << image["path"];
      }
    }
  }
  EXPECT_TRUE(fs::is_directory(d / "train/drone"));
  EXPECT_TRUE(fs::is_directory(d / "test/gallery_satellite"));
}

TEST(IrSourceTest, PlainImageNeedsAGsdAndGetsTheDefaultAnchor) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  const fs::path png = AerialCacheDir() / "flightgear/countryside2.green.png";  // 1024² at 1.76 m/px
  SynthRunOptions run;
  TempDir tmp("synth_plain");
  run.out_dir = tmp.path() / "out";
  try {
    GenerateIrDataset(SourceOptions(png), run);
    FAIL() << "expected an error";
  } catch (const InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("--gsd-m"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(run.out_dir));

  IrSynthOptions o = SourceOptions(png, 1.76);
  o.layout = IrLayout::kSues200;  // a source works with every layout
  const fs::path d = testing::Generate(o, "source-png");
  const Json m = testing::ReadManifest(d);
  const Json& src = m["sources"][0];
  EXPECT_EQ(src["anchor_lat_lon_deg"], Json::array({40.6, -30.0}));
  const geo::TextureGeoref georef({40.6, -30.0}, 1024, 1024, 1.76);
  ASSERT_FALSE(m["targets"].empty());
  for (const Json& t : m["targets"]) {
    const geo::LatLonDeg ll = georef.lat_lon_from_pixel({t["centre_xy_px"][0].get<double>(), t["centre_xy_px"][1].get<double>()});
    EXPECT_NEAR(t["centre_lat_lon_deg"][0].get<double>(), ll.lat_deg, 1e-12);
    EXPECT_NEAR(t["centre_lat_lon_deg"][1].get<double>(), ll.lon_deg, 1e-12);
  }
  EXPECT_TRUE(fs::is_directory(d / "Training/150/drone"));
}

TEST(IrSourceTest, DirectoryExpandsToItsImagesWithDefaultAnchorsPerFile) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  TempDir tmp("synth_dir");
  const fs::path png = AerialCacheDir() / "flightgear/countryside2.green.png";
  fs::copy_file(png, tmp.path() / "b.png");
  fs::copy_file(png, tmp.path() / "a.png");
  WriteFileAtomic(tmp.path() / "notes.txt", "not an image");
  OrthophotoSourceOptions o;
  o.files = {tmp.path()};
  o.gsd_m = 1.76;
  const SynthCatalog c = OrthophotoCatalog(o);
  ASSERT_EQ(c.sources.size(), 2u);
  EXPECT_EQ(c.sources[0].file, "a.png");  // sorted by name
  EXPECT_EQ(c.sources[1].file, "b.png");
  EXPECT_DOUBLE_EQ(c.sources[0].anchor.lon_deg, -30.0);
  EXPECT_DOUBLE_EQ(c.sources[1].anchor.lon_deg, -29.9);  // the next slot of the anchor grid
  ASSERT_EQ(c.families.size(), 4u);
  EXPECT_EQ(c.families[2].name, "b:west");
  EXPECT_EQ(c.families[3].split, "test");
  const fs::path empty = tmp.path() / "empty";
  fs::create_directories(empty);
  o.files = {empty};
  EXPECT_THROW(OrthophotoCatalog(o), NotFoundError);
  o.files = {png};
  o.gsd_m = 0.0;
  EXPECT_THROW(OrthophotoCatalog(o), InvalidArgumentError);
}

TEST(IrSourceTest, NoDataRejectionsAreRecordedAndNeverPadded) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  TempDir tmp("synth_nodata");
  const int row0 = 900, row1 = 1100;
  const fs::path tif = testing::WriteTextureAsGeoTiff(tmp.path() / "holes.tif", row0, row1);
  IrSynthOptions o = SourceOptions(tif);
  o.train_targets_per_family = o.test_targets_per_family = 10;
  IrSynthSummary summary;
  const fs::path d = testing::Generate(o, "source-nodata", 2, &summary);
  const Json m = testing::ReadManifest(d);
  const Json& rej = m["sources"][0]["rejections"];
  // Candidates whose tile or views touch the no-data band were redrawn, then dropped.
  EXPECT_GT(rej["out_of_map"].get<int>(), 0) << rej;
  // A dropped target had all 1 + 20 draws of β₀ rejected (the train half has targets only).
  const Json& west = m["families"][0]["rejections"];
  EXPECT_GT(west["out_of_map"].get<int>(), 0) << west;
  EXPECT_GE(west["redraws"].get<int>(), 21 * west["out_of_map"].get<int>()) << west;
  EXPECT_EQ(rej["out_of_map"].get<int>(),
            west["out_of_map"].get<int>() + m["families"][1]["rejections"]["out_of_map"].get<int>());
  EXPECT_EQ(summary.rejections.out_of_map, rej["out_of_map"].get<int>());
  const double tile_half_px = 150.0 / 0.88;
  for (const Json& t : m["targets"]) {
    const double y = t["centre_xy_px"][1];
    EXPECT_TRUE(y + tile_half_px <= row0 || y - tile_half_px >= row1) << "tile over no-data: " << t;
  }
  for (const Json& image : m["images"]) EXPECT_EQ(image["out_of_map_fraction"], 0.0);
}

}  // namespace
}  // namespace crossview::data

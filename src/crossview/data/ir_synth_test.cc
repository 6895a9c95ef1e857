#include "crossview/data/ir_synth.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>

#include "crossview/data/image_io.h"
#include "crossview/data/synth_test_support.h"
#include "crossview/geo/texture_georef.h"
#include "crossview/util/errors.h"

namespace crossview::data {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using Strings = std::vector<std::string>;
using testing::Entries;
using testing::ReadManifest;
using testing::TinyDataset;

std::set<std::string> Ids(const fs::path& dir) {
  const Strings e = Entries(dir, true);
  return {e.begin(), e.end()};
}

std::set<std::string> TargetIds(const Json& manifest, const std::string& split) {
  std::set<std::string> out;
  for (const Json& t : manifest["targets"]) {
    if (t["split"] == split) out.insert(t["id"].get<std::string>());
  }
  return out;
}

cv::Matx33d Mat33(const Json& m) {
  cv::Matx33d out;
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) out(r, c) = m[r][c].get<double>();
  }
  return out;
}

const Json& SourceEntry(const Json& manifest, const std::string& texture) {
  for (const Json& s : manifest["sources"]) {
    if (s["texture"] == texture) return s;
  }
  throw CV_ERROR(NotFoundError, "texture not in manifest").With("texture", texture);
}

// The texture's georeference rebuilt from the manifest alone (anchor, size, GSD).
geo::TextureGeoref GeorefFromManifest(const Json& source) {
  return geo::TextureGeoref({source["anchor_lat_lon_deg"][0].get<double>(), source["anchor_lat_lon_deg"][1].get<double>()},
                            source["size_px"][0].get<int>(), source["size_px"][1].get<int>(), source["gsd_m"].get<double>());
}

TEST(IrSynthTest, TinyWritesTheUniversity1652Layout) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  const fs::path& d = TinyDataset();
  const Json m = ReadManifest(d);
  EXPECT_EQ(Entries(d, true), (Strings{"test", "train"}));
  EXPECT_EQ(Entries(d, false), (Strings{"contact_sheet.png", "manifest.json", "synth.log"}));
  EXPECT_EQ(Entries(d / "train", true), (Strings{"drone", "satellite"}));
  EXPECT_EQ(Entries(d / "test", true), (Strings{"gallery_drone", "gallery_satellite", "query_drone", "query_satellite"}));

  const std::regex four_digits("[0-9]{4}");
  const std::set<std::string> train = Ids(d / "train/drone");
  EXPECT_EQ(train.size(), 16u);
  EXPECT_EQ(Ids(d / "train/satellite"), train);
  for (const std::string& id : train) {
    EXPECT_TRUE(std::regex_match(id, four_digits)) << id;
    EXPECT_EQ(Entries(d / "train/drone" / id, false),
              (Strings{"image-01.jpeg", "image-19.jpeg", "image-36.jpeg", "image-54.jpeg"}));
    EXPECT_EQ(Entries(d / "train/satellite" / id, false), (Strings{id + ".jpg"}));
  }
  const std::set<std::string> query = Ids(d / "test/query_drone");
  EXPECT_EQ(query.size(), 8u);
  EXPECT_EQ(Ids(d / "test/gallery_drone"), query);
  EXPECT_EQ(Ids(d / "test/query_satellite"), query);
  for (const std::string& id : query) {
    EXPECT_TRUE(std::regex_match(id, four_digits)) << id;
    EXPECT_EQ(train.count(id), 0u) << "train and test ids overlap: " << id;
  }
  // The satellite gallery is a strict superset: the test targets plus the distractors.
  const std::set<std::string> gallery = Ids(d / "test/gallery_satellite");
  EXPECT_TRUE(std::includes(gallery.begin(), gallery.end(), query.begin(), query.end()));
  EXPECT_EQ(gallery.size(), query.size() + 4);
  std::set<std::string> extra;
  std::set_difference(gallery.begin(), gallery.end(), query.begin(), query.end(), std::inserter(extra, extra.end()));
  EXPECT_EQ(extra, TargetIds(m, "distractor"));
  EXPECT_EQ(query, TargetIds(m, "test"));
  EXPECT_EQ(train, TargetIds(m, "train"));

  // Families: train and test disjoint, and the test ones are the spec's test families.
  std::set<std::string> train_families, test_families;
  for (const Json& t : m["targets"]) {
    if (t["split"] == "train") train_families.insert(t["family"].get<std::string>());
    if (t["split"] == "test") test_families.insert(t["family"].get<std::string>());
  }
  EXPECT_EQ(test_families, (std::set<std::string>{"california-town2", "uk-countryside2"}));
  for (const std::string& f : test_families) EXPECT_EQ(train_families.count(f), 0u) << f;
  // IDs run train, then test, then distractors.
  EXPECT_LT(*train.rbegin(), *query.begin());
  EXPECT_LT(*query.rbegin(), *extra.begin());
  EXPECT_EQ(m["schema"], "crossview.synth/1");
  EXPECT_EQ(m["kind"], "ir");
  EXPECT_EQ(m["preset"], "tiny");
  EXPECT_EQ(m["seed"], 7);
  EXPECT_EQ(m["options"]["spiral"]["num_views"], 4);  // the complete effective options
}

TEST(IrSynthTest, ManifestListsEveryImageWithItsSha256) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  const fs::path& d = TinyDataset();
  const Json m = ReadManifest(d);
  std::map<std::string, std::string> listed;
  std::string previous;
  for (const Json& image : m["images"]) {
    const std::string path = image["path"];
    EXPECT_LT(previous, path) << "images must be sorted by path";
    previous = path;
    listed[path] = image["sha256"];
    EXPECT_EQ(Sha256File(d / path), image["sha256"]) << path;
  }
  std::map<std::string, std::string> files = testing::HashTree(d);
  files.erase("manifest.json");
  files.erase("contact_sheet.png");
  EXPECT_EQ(files, listed);
  EXPECT_EQ(m["summary"]["files"].get<size_t>(), listed.size());
  // No absolute path, host or time in the manifest (they go to synth.log).
  const std::string text = ReadFile(d / "manifest.json");
  EXPECT_EQ(text.find(d.string()), std::string::npos);
  EXPECT_EQ(text.find("\"jobs\""), std::string::npos);
  EXPECT_NE(ReadFile(d / "synth.log").find(d.string()), std::string::npos);
}

TEST(IrSynthTest, ManifestCameraProjectsTheTargetToTheImageCentre) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  const Json m = ReadManifest(TinyDataset());
  int drones = 0, tiles = 0;
  for (const Json& image : m["images"]) {
    const Json& source = SourceEntry(m, image["texture"]);
    const geo::TextureGeoref georef = GeorefFromManifest(source);
    const geo::LatLonDeg ll{image["target_lat_lon_deg"][0].get<double>(), image["target_lat_lon_deg"][1].get<double>()};
    const double cx = 0.5 * image["size_px"][0].get<double>(), cy = 0.5 * image["size_px"][1].get<double>();
    if (image["view"] == "drone") {
      // x = K·R·(X − C) with X the target on the ground, from the manifest's numbers only.
      const Json& cam = image["camera"];
      const geo::EnM en = georef.en_from_lat_lon(ll);
      const cv::Vec3d c(cam["position_en_m"][0].get<double>(), cam["position_en_m"][1].get<double>(),
                        cam["position_en_m"][2].get<double>());
      const cv::Vec3d x = Mat33(cam["K"]) * (Mat33(cam["R_cam_from_world"]) * (cv::Vec3d(en.e_m, en.n_m, 0.0) - c));
      ASSERT_GT(x[2], 0.0);
      EXPECT_NEAR(x[0] / x[2], cx, 0.5) << image["path"];
      EXPECT_NEAR(x[1] / x[2], cy, 0.5) << image["path"];
      // The same through H_map_to_image and the texture pixel of the target.
      const geo::PixelColRow px = georef.pixel_from_lat_lon(ll);
      const cv::Vec3d h = Mat33(cam["H_map_to_image"]) * cv::Vec3d(px.col, px.row, 1.0);
      EXPECT_NEAR(h[0] / h[2], cx, 0.5);
      EXPECT_NEAR(h[1] / h[2], cy, 0.5);
      EXPECT_EQ(image["out_of_map_fraction"], 0.0);
      EXPECT_TRUE(image["photometric"].contains("jpeg_quality"));
      ++drones;
    } else {
      const geo::PixelColRow px = georef.pixel_from_lat_lon(ll);
      const cv::Vec3d h = Mat33(image["H_map_to_image"]) * cv::Vec3d(px.col, px.row, 1.0);
      EXPECT_NEAR(h[0] / h[2], cx, 0.5) << image["path"];
      EXPECT_NEAR(h[1] / h[2], cy, 0.5) << image["path"];
      EXPECT_EQ(image["photometric"]["jpeg_quality"], 90);
      ++tiles;
    }
  }
  EXPECT_EQ(drones, 16 * 4 + 8 * 4 * 2);  // test drone views sit in query_drone and gallery_drone
  EXPECT_EQ(tiles, 16 + 8 * 2 + 4);
  // Targets: the three forms of the ground truth agree.
  for (const Json& t : m["targets"]) {
    const geo::TextureGeoref georef = GeorefFromManifest(SourceEntry(m, t["texture"]));
    const geo::LatLonDeg ll = georef.lat_lon_from_pixel({t["centre_xy_px"][0].get<double>(), t["centre_xy_px"][1].get<double>()});
    EXPECT_NEAR(ll.lat_deg, t["centre_lat_lon_deg"][0].get<double>(), 1e-12);
    EXPECT_NEAR(ll.lon_deg, t["centre_lat_lon_deg"][1].get<double>(), 1e-12);
    const geo::EnM en = georef.en_from_lat_lon(ll);
    EXPECT_NEAR(en.e_m, t["centre_en_m"][0].get<double>(), 1e-6);
    EXPECT_NEAR(en.n_m, t["centre_en_m"][1].get<double>(), 1e-6);
  }
}

TEST(IrSynthTest, ContactSheetShowsSatelliteAndDronePairs) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  const cv::Mat sheet = LoadImageRgb(TinyDataset() / kContactSheetFile);
  // 6 rows of a satellite tile and 3 drone views at 96 px, plus labels and titles.
  EXPECT_GE(sheet.cols, 4 * 96);
  EXPECT_GE(sheet.rows, 6 * 96);
  cv::Scalar mean, stddev;
  cv::meanStdDev(sheet, mean, stddev);
  EXPECT_GT(stddev[0], 20.0);  // imagery, not a blank canvas
}

TEST(IrSynthTest, SameSeedGivesByteIdenticalDatasetsWhateverTheThreads) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  const fs::path& first = TinyDataset();  // generated with 2 threads
  // Regenerate with 1 thread, over a non-empty folder (--overwrite replaces it only at the end).
  const fs::path second = first.parent_path() / "tiny-seed7-again";
  fs::create_directories(second);
  WriteFileAtomic(second / "old.txt", "previous contents");
  IrSynthOptions o = IrPreset("tiny");
  o.seed = 7;
  SynthRunOptions run;
  run.out_dir = second;
  run.jobs = 1;
  run.overwrite = true;
  run.progress = false;
  GenerateIrDataset(o, run);
  EXPECT_FALSE(fs::exists(second / "old.txt"));
  const auto a = testing::HashTree(first), b = testing::HashTree(second);
  EXPECT_GT(a.size(), 150u);
  EXPECT_EQ(a, b);
}

TEST(IrSynthTest, DifferentSeedChangesTheManifest) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  IrSynthOptions o = IrPreset("tiny");
  o.seed = 8;
  const fs::path other = testing::Generate(o, "tiny-seed8");
  const Json a = ReadManifest(TinyDataset()), b = ReadManifest(other);
  EXPECT_NE(ReadFile(TinyDataset() / kManifestFile), ReadFile(other / kManifestFile));
  EXPECT_NE(a["targets"][0]["centre_en_m"], b["targets"][0]["centre_en_m"]);
  EXPECT_EQ(a["targets"].size(), b["targets"].size());  // same preset, same counts
}

TEST(IrSynthTest, RefusesANonEmptyOutputAndLeavesItUntouched) {
  TempDir tmp("synth_refuse");
  const fs::path out = tmp.path() / "existing";
  fs::create_directories(out);
  WriteFileAtomic(out / "keep.txt", "precious");
  IrSynthOptions o = IrPreset("tiny");
  SynthRunOptions run;
  run.out_dir = out;
  run.progress = false;
  try {
    GenerateIrDataset(o, run);
    FAIL() << "expected an error";
  } catch (const InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("not empty"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("--overwrite"), std::string::npos) << e.what();
  }
  EXPECT_EQ(ReadFile(out / "keep.txt"), "precious");
  EXPECT_EQ(Entries(tmp.path(), true), (Strings{"existing"}));  // no staging folder left behind

  // A run that fails later (here: no imagery cache) leaves nothing either, even with --overwrite.
  run.overwrite = true;
  run.cache_dir = tmp.path() / "no-cache";
  EXPECT_THROW(GenerateIrDataset(o, run), NotFoundError);
  EXPECT_EQ(ReadFile(out / "keep.txt"), "precious");
  EXPECT_EQ(Entries(tmp.path(), true), (Strings{"existing"}));
  EXPECT_EQ(Entries(tmp.path(), false), Strings{});
}

TEST(IrSynthTest, MissingSourceIsAClearError) {
  TempDir tmp("synth_missing");
  IrSynthOptions o = IrPreset("tiny");
  o.train_families.clear();
  o.test_families.clear();
  o.source.files = {tmp.path() / "nowhere.tif"};
  SynthRunOptions run;
  run.out_dir = tmp.path() / "out";
  try {
    GenerateIrDataset(o, run);
    FAIL() << "expected an error";
  } catch (const NotFoundError& e) {
    EXPECT_NE(std::string(e.what()).find("nowhere.tif"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(run.out_dir));
}

}  // namespace
}  // namespace crossview::data

#include "crossview/data/drl_synth.h"

#include <gtest/gtest.h>

#include <cmath>
#include <regex>
#include <set>

#include "crossview/data/drl_plan.h"
#include "crossview/data/image_io.h"
#include "crossview/data/synth_test_support.h"
#include "crossview/geo/raster.h"
#include "crossview/datasets/ul14.h"
#include "crossview/geo/texture_georef.h"
#include "crossview/util/errors.h"

namespace crossview::data {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using Strings = std::vector<std::string>;
using testing::Entries;
using testing::ReadManifest;
using testing::TinyDrlDataset;

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

geo::TextureGeoref GeorefFromManifest(const Json& source) {
  return geo::TextureGeoref({source["anchor_lat_lon_deg"][0].get<double>(), source["anchor_lat_lon_deg"][1].get<double>()},
                            source["size_px"][0].get<int>(), source["size_px"][1].get<int>(), source["gsd_m"].get<double>());
}

std::map<std::string, Json> PlacesByFolder(const Json& manifest) {
  std::map<std::string, Json> out;
  for (const Json& t : manifest["targets"]) out[t["folder"].get<std::string>()] = t;
  return out;
}

TEST(DrlOptionsTest, PresetsFollowTheSpecTable) {
  const DrlSynthOptions tiny = DrlPreset("tiny"), ci = DrlPreset("ci"), full = DrlPreset("full");
  EXPECT_EQ(tiny.train_places, 8);
  EXPECT_EQ(tiny.test_places, 4);
  EXPECT_EQ(tiny.train_places_per_family, 2);
  EXPECT_EQ(tiny.train_family_draws, 4);
  EXPECT_EQ(tiny.test_family_draws, 2);
  EXPECT_EQ(tiny.uav_size_px, 128);
  EXPECT_EQ(tiny.train_satellite_size_px, 320);
  EXPECT_EQ(ci.train_places, 64);
  EXPECT_EQ(ci.test_places, 16);
  EXPECT_EQ(ci.test_places_per_family, 4);
  EXPECT_EQ(ci.uav_size_px, 256);
  EXPECT_EQ(ci.train_satellite_size_px, 640);
  EXPECT_EQ(full.train_places_per_family, 48);
  EXPECT_EQ(full.uav_size_px, 512);
  EXPECT_EQ(full.train_satellite_size_px, 1280);
  for (const DrlSynthOptions* o : {&tiny, &ci, &full}) {
    o->Check();
    EXPECT_EQ(o->heights_m, (std::vector<int>{80, 90, 100}));
    EXPECT_EQ(o->search_maps, 12);
    EXPECT_EQ(o->search_map_size_px, 768);
    EXPECT_EQ(o->selection.min_spacing_m, 80.0);
  }
  EXPECT_THROW(DrlPreset("huge"), InvalidArgumentError);
}

TEST(DrlOptionsTest, GeometryFollowsSection35) {
  const DrlSynthOptions o = DrlPreset("tiny");
  // w = 2h·tan(30°): 115.47 m at 100 m; maps 1.5w … 3w (173 to 346 m); training tile 1.28 × 3w.
  EXPECT_NEAR(o.FootprintWidthM(100), 115.4700538, 1e-6);
  EXPECT_NEAR(o.SearchMapSideM(100, 0), 173.2050808, 1e-6);
  EXPECT_NEAR(o.SearchMapSideM(100, 11), 346.4101615, 1e-6);
  EXPECT_NEAR(o.SearchMapSideM(100, 1), 115.4700538 * (1.5 + 1.5 / 11.0), 1e-6);
  EXPECT_NEAR(o.TrainSatelliteSideM(100), 1.28 * 346.4101615, 1e-6);
  EXPECT_EQ(o.MaxHeightM(), 100);
}

TEST(DrlOptionsTest, CheckNamesTheBadField) {
  DrlSynthOptions o = DrlPreset("tiny");
  o.search_offset_fraction = 1.5;
  try {
    o.Check();
    FAIL() << "expected an error";
  } catch (const InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("search_offset_fraction"), std::string::npos) << e.what();
  }
  o = DrlPreset("tiny");
  o.heights_m = {80, 80};
  EXPECT_THROW(o.Check(), InvalidArgumentError);
  o = DrlPreset("tiny");
  o.train_families = {"drycrop"};
  o.test_families = {"drycrop"};
  EXPECT_THROW(o.Check(), InvalidArgumentError);
}

TEST(DrlPlanTest, SearchMapOffsetsStayInsideAndClampAtEdges) {
  // Room everywhere: the full ±0.9·s/2.
  auto i = SearchMapOffsetInterval(500.0, 200.0, 0.9, 0.0, 1000.0);
  EXPECT_DOUBLE_EQ(i.first, -90.0);
  EXPECT_DOUBLE_EQ(i.second, 90.0);
  // UAV 30 px from the left edge: the map's left edge must stay at ≥ 0, so the centre ≥ 100.
  i = SearchMapOffsetInterval(30.0, 200.0, 0.9, 0.0, 1000.0);
  EXPECT_DOUBLE_EQ(i.first, 70.0);
  EXPECT_DOUBLE_EQ(i.second, 90.0);
  // Too close to the edge (needs ≥ 0.05·s = 10 px): empty.
  i = SearchMapOffsetInterval(5.0, 200.0, 0.9, 0.0, 1000.0);
  EXPECT_GT(i.first, i.second);
  // A map wider than the area never fits.
  i = SearchMapOffsetInterval(500.0, 1200.0, 0.9, 0.0, 1000.0);
  EXPECT_GT(i.first, i.second);
  EXPECT_EQ(Ul14PlaceName("australia_suburbs"), "australia-suburbs");
  EXPECT_EQ(Ul14PlaceName("ortho:east"), "ortho-east");
  EXPECT_EQ(Ul14PlaceName("town-europe"), "town-europe");
}

TEST(DrlSynthTest, TinyWritesTheUl14Layout) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  const fs::path& d = TinyDrlDataset();
  const Json m = ReadManifest(d);
  EXPECT_EQ(Entries(d, true), (Strings{"test", "train"}));
  EXPECT_EQ(Entries(d, false), (Strings{"contact_sheet.png", "manifest.json", "synth.log"}));
  EXPECT_EQ(m["schema"], "crossview.synth/1");
  EXPECT_EQ(m["kind"], "drl");
  EXPECT_EQ(m["layout"], "ul14");
  EXPECT_EQ(m["seed"], 3);
  EXPECT_EQ(m["options"]["search_maps"], 12);  // the complete effective options

  const std::regex folder_re("([A-Za-z0-9.-]+)_(80|90|100)_([0-9]{4})");
  const std::map<std::string, Json> places = PlacesByFolder(m);
  std::map<std::string, std::map<std::string, int>> per_family;  // split → family → places
  std::set<std::string> ids;
  for (const std::string split : {"train", "test"}) {
    const Strings folders = Entries(d / split, true);
    EXPECT_EQ(folders.size(), split == std::string("train") ? 8u : 4u) << split;
    std::vector<int> heights;
    for (const std::string& f : folders) {
      std::smatch match;
      ASSERT_TRUE(std::regex_match(f, match, folder_re)) << f;
      ASSERT_EQ(places.count(f), 1u) << f;
      const Json& p = places.at(f);
      EXPECT_EQ(p["split"], split);
      EXPECT_EQ(match[1].str(), Ul14PlaceName(p["family"].get<std::string>()));
      EXPECT_EQ(std::stoi(match[2].str()), p["height_m"].get<int>());
      EXPECT_EQ(match[3].str(), p["id"].get<std::string>());
      EXPECT_TRUE(ids.insert(p["id"].get<std::string>()).second);
      heights.push_back(p["height_m"].get<int>());
      ++per_family[split][p["family"].get<std::string>()];
      EXPECT_EQ(Entries(d / split / f / "UAV", false), Strings{"0.JPG"});
      EXPECT_LE(std::abs(p["yaw_deg"].get<double>()), 5.0);
      if (split == std::string("train")) {
        EXPECT_EQ(Entries(d / split / f, true), (Strings{"Satellite", "UAV"}));
        EXPECT_EQ(Entries(d / split / f, false), Strings{});
        EXPECT_EQ(Entries(d / split / f / "Satellite", false), Strings{"0.tif"});
      } else {
        EXPECT_EQ(Entries(d / split / f, false), (Strings{"GPS_info.json", "labels.json"}));
        Strings maps;
        for (int i = 0; i < 12; ++i) maps.push_back(std::to_string(i) + ".jpg");
        std::sort(maps.begin(), maps.end());
        EXPECT_EQ(Entries(d / split / f / "Satellite", false), maps);
        const cv::Mat map0 = LoadImageRgb(d / split / f / "Satellite" / "0.jpg");
        EXPECT_EQ(map0.cols, 768);
        EXPECT_EQ(map0.rows, 768);
      }
      const cv::Mat uav = LoadImageRgb(d / split / f / "UAV" / "0.JPG");
      EXPECT_EQ(uav.cols, 128);
      EXPECT_EQ(uav.rows, 128);
    }
    // Heights cycle 80, 90, 100 over the places of the split in ID order (folders sort by place
    // name first, so compare in ID order).
    std::vector<std::pair<std::string, int>> by_id;
    for (const std::string& f : folders) by_id.emplace_back(places.at(f)["id"], places.at(f)["height_m"]);
    std::sort(by_id.begin(), by_id.end());
    for (size_t k = 0; k < by_id.size(); ++k) EXPECT_EQ(by_id[k].second, (std::vector<int>{80, 90, 100})[k % 3]) << k;
  }
  // 2 places per family, 4 train and 2 test families, disjoint.
  EXPECT_EQ(per_family["train"].size(), 4u);
  EXPECT_EQ(per_family["test"].size(), 2u);
  for (const auto& [split, families] : per_family) {
    for (const auto& [family, n] : families) {
      EXPECT_EQ(n, 2) << family;
      if (split == "test") {
        EXPECT_EQ(per_family["train"].count(family), 0u) << family;
      }
    }
  }
}

TEST(DrlSynthTest, TrainingTileIsAGeoTiffCentredOnTheUav) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  const fs::path& d = TinyDrlDataset();
  const Json m = ReadManifest(d);
  int checked = 0;
  for (const Json& p : m["targets"]) {
    if (p["split"] != "train") continue;
    const geo::GeoRaster tile = geo::GeoRaster::Open(d / "train" / p["folder"].get<std::string>() / "Satellite/0.tif");
    ASSERT_EQ(tile.width_px(), 320);
    ASSERT_EQ(tile.height_px(), 320);
    EXPECT_TRUE(tile.crs().is_geographic());
    const geo::LatLonDeg uav{p["centre_lat_lon_deg"][0].get<double>(), p["centre_lat_lon_deg"][1].get<double>()};
    // The UAV is the corner point (w/2, h/2), i.e. inside pixel (⌊h/2⌋, ⌊w/2⌋) = (160, 160).
    const geo::LatLonDeg centre = tile.lat_lon_from_pixel({160.0, 160.0});
    EXPECT_NEAR(centre.lat_deg, uav.lat_deg, 1e-9);
    EXPECT_NEAR(centre.lon_deg, uav.lon_deg, 1e-9);
    const geo::PixelColRow px = tile.pixel_from_lat_lon(uav);
    EXPECT_EQ(static_cast<int>(std::floor(px.col + 1e-9)), 160);
    EXPECT_EQ(static_cast<int>(std::floor(px.row + 1e-9)), 160);
    // Its side is 1.28 × the largest search map at the place's height.
    const DrlSynthOptions o = DrlPreset("tiny");
    EXPECT_NEAR(tile.pixel_height_m() * 320, o.TrainSatelliteSideM(p["height_m"].get<int>()), 1e-6);
    // The pixels are imagery, and what OpenCV decodes.
    const cv::Mat rgb = LoadImageRgb(d / "train" / p["folder"].get<std::string>() / "Satellite/0.tif");
    cv::Scalar mean, stddev;
    cv::meanStdDev(rgb, mean, stddev);
    EXPECT_GT(stddev[0], 5.0);
    ++checked;
  }
  EXPECT_EQ(checked, 8);
}

TEST(DrlSynthTest, ManifestListsEveryImageAndItsGroundTruth) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  const fs::path& d = TinyDrlDataset();
  const Json m = ReadManifest(d);
  std::map<std::string, std::string> listed;
  int drones = 0, maps = 0, tiles = 0;
  for (const Json& image : m["images"]) {
    const std::string path = image["path"];
    listed[path] = image["sha256"];
    EXPECT_EQ(Sha256File(d / path), image["sha256"]) << path;
    const geo::TextureGeoref georef = GeorefFromManifest(SourceEntry(m, image["texture"]));
    const geo::LatLonDeg ll{image["target_lat_lon_deg"][0].get<double>(), image["target_lat_lon_deg"][1].get<double>()};
    const geo::PixelColRow px = georef.pixel_from_lat_lon(ll);
    if (image["view"] == "drone") {
      // The UAV's lat/lon projects to the image centre through K, R, C and through H.
      const Json& cam = image["camera"];
      const geo::EnM en = georef.en_from_lat_lon(ll);
      const cv::Vec3d c(cam["position_en_m"][0].get<double>(), cam["position_en_m"][1].get<double>(),
                        cam["position_en_m"][2].get<double>());
      const cv::Vec3d x = Mat33(cam["K"]) * (Mat33(cam["R_cam_from_world"]) * (cv::Vec3d(en.e_m, en.n_m, 0.0) - c));
      EXPECT_NEAR(x[0] / x[2], 64.0, 0.5) << path;
      EXPECT_NEAR(x[1] / x[2], 64.0, 0.5) << path;
      EXPECT_EQ(cam["tilt_deg"], 0.0);
      EXPECT_NEAR(image["nadir_lat_lon_deg"][0].get<double>(), ll.lat_deg, 1e-9);
      ++drones;
    } else if (image["view"] == "map") {
      // The UAV's texture pixel through H_map_to_image lands on uav_xy_px; the label is its floor.
      const Json& uav = image["uav_lat_lon_deg"];
      const geo::PixelColRow u = georef.pixel_from_lat_lon({uav[0].get<double>(), uav[1].get<double>()});
      const cv::Vec3d h = Mat33(image["H_map_to_image"]) * cv::Vec3d(u.col, u.row, 1.0);
      EXPECT_NEAR(h[0] / h[2], image["uav_xy_px"][0].get<double>(), 1e-3) << path;
      EXPECT_NEAR(h[1] / h[2], image["uav_xy_px"][1].get<double>(), 1e-3) << path;
      EXPECT_EQ(image["label"][0].get<int>(), static_cast<int>(std::floor(image["uav_xy_px"][1].get<double>())));
      EXPECT_EQ(image["label"][1].get<int>(), static_cast<int>(std::floor(image["uav_xy_px"][0].get<double>())));
      EXPECT_EQ(image["photometric"]["jpeg_quality"], 90);
      ++maps;
    } else {
      EXPECT_EQ(image["view"], "satellite");
      const cv::Vec3d h = Mat33(image["H_map_to_image"]) * cv::Vec3d(px.col, px.row, 1.0);
      EXPECT_NEAR(h[0] / h[2], 160.0, 1e-3) << path;
      EXPECT_NEAR(h[1] / h[2], 160.0, 1e-3) << path;
      ++tiles;
    }
    EXPECT_EQ(image["out_of_map_fraction"], 0.0) << path;
  }
  EXPECT_EQ(drones, 12);
  EXPECT_EQ(tiles, 8);
  EXPECT_EQ(maps, 48);
  std::map<std::string, std::string> files = testing::HashTree(d);
  for (const char* extra : {"manifest.json", "contact_sheet.png"}) files.erase(extra);
  for (auto it = files.begin(); it != files.end();) {
    it = fs::path(it->first).extension() == ".json" ? files.erase(it) : std::next(it);
  }
  EXPECT_EQ(files, listed);
  EXPECT_EQ(m["summary"]["search_maps"], 48);
  EXPECT_EQ(m["summary"]["dropped_maps"], 0);
}

TEST(DrlSynthTest, SearchMapsGrowAndPutTheUavAnywhere) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  const Json m = ReadManifest(TinyDrlDataset());
  const DrlSynthOptions o = DrlPreset("tiny");
  std::vector<double> rel;
  for (const Json& p : m["targets"]) {
    if (p["split"] != "test") continue;
    ASSERT_EQ(p["search_maps"].size(), 12u);
    const double gsd = SourceEntry(m, p["texture"])["gsd_m"];
    for (const Json& s : p["search_maps"]) {
      const int i = s["index"];
      EXPECT_NEAR(s["side_m"].get<double>(), o.SearchMapSideM(p["height_m"].get<int>(), i), 1e-9);
      EXPECT_EQ(s["gps"]["map_size"].get<int>(), static_cast<int>(std::lround(s["side_m"].get<double>() / gsd)));
      for (int a = 0; a < 2; ++a) {
        const double r = s["uav_rel_xy"][a];
        EXPECT_GE(r, 0.05 - 1e-9);
        EXPECT_LE(r, 0.95 + 1e-9);
        rel.push_back(r);
      }
      // center_distribute = (crop centre − UAV)/(side/2) = 1 − 2·rel, rows first.
      EXPECT_NEAR(s["gps"]["center_distribute_X"].get<double>(), 1.0 - 2.0 * s["uav_rel_xy"][1].get<double>(), 1e-9);
      EXPECT_NEAR(s["gps"]["center_distribute_Y"].get<double>(), 1.0 - 2.0 * s["uav_rel_xy"][0].get<double>(), 1e-9);
    }
  }
  ASSERT_EQ(rel.size(), 96u);
  // Near the edges as well as the centre: the draws spread over the allowed range.
  EXPECT_LT(*std::min_element(rel.begin(), rel.end()), 0.2);
  EXPECT_GT(*std::max_element(rel.begin(), rel.end()), 0.8);
}

TEST(DrlSynthTest, ContactSheetShowsUavsAndMarkedSearchMaps) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  const cv::Mat sheet = LoadImageRgb(TinyDrlDataset() / kContactSheetFile);
  // 4 test rows (UAV + 4 maps) and 2 training rows, 192 px cells.
  EXPECT_GE(sheet.cols, 5 * 192);
  EXPECT_GE(sheet.rows, 6 * 192);
  cv::Scalar mean, stddev;
  cv::meanStdDev(sheet, mean, stddev);
  EXPECT_GT(stddev[0], 20.0);
}

TEST(DrlSynthTest, SameSeedGivesByteIdenticalDatasetsWhateverTheThreads) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  DrlSynthOptions o = DrlPreset("tiny");
  o.seed = 3;
  const fs::path again = testing::GenerateDrl(o, "drl-tiny-seed3-again", 1);
  const auto a = testing::HashTree(TinyDrlDataset()), b = testing::HashTree(again);
  EXPECT_EQ(a.size(), 8u * 2 + 4u * (1 + 12 + 2) + 2);  // images, JSON files, manifest, contact sheet
  EXPECT_EQ(a, b);
  // Another seed draws other families and places.
  o.seed = 4;
  const fs::path other = testing::GenerateDrl(o, "drl-tiny-seed4");
  EXPECT_NE(ReadFile(TinyDrlDataset() / kManifestFile), ReadFile(other / kManifestFile));
  EXPECT_EQ(Entries(other / "train", true).size(), 8u);
}

TEST(DrlSynthTest, SourceGeoTiffKeepsTestMapsInTheTestHalf) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  TempDir tmp("drl_source");
  const fs::path tif = testing::WriteTextureAsGeoTiff(tmp.path() / "uk_countryside2.tif");
  DrlSynthOptions o = DrlPreset("tiny");
  o.source.files = {tif};
  o.search_maps = 4;
  o.train_places = o.test_places = 3;
  o.train_places_per_family = o.test_places_per_family = 3;
  const fs::path d = testing::GenerateDrl(o, "drl-source");
  const Json m = ReadManifest(d);
  ASSERT_EQ(m["families"].size(), 2u);
  EXPECT_EQ(m["families"][0]["family"], "uk_countryside2:west");
  EXPECT_EQ(m["families"][1]["family"], "uk_countryside2:east");
  int train = 0, test = 0;
  for (const Json& p : m["targets"]) {
    EXPECT_EQ(p["folder"].get<std::string>().rfind(p["split"] == "train" ? "uk-countryside2-west_" : "uk-countryside2-east_", 0), 0u)
        << p["folder"];
    (p["split"] == "train" ? train : test)++;
  }
  EXPECT_EQ(train, 3);
  EXPECT_EQ(test, 3);
  // No ground shared between the splits: training tiles in the west half, search maps in the east.
  for (const Json& image : m["images"]) {
    if (image["view"] == "drone") continue;
    for (const Json& c : image["footprint_xy_px"]) {
      if (image["view"] == "map") {
        EXPECT_GE(c[0].get<double>(), 1024.0 - 1e-6) << image["path"];
      } else {
        EXPECT_LE(c[0].get<double>(), 1024.0 + 1e-6) << image["path"];
      }
    }
  }
  // The file's own georeference (here the texture's plate carrée, so lat/lon stay linear).
  const datasets::Ul14 ul14 = datasets::Ul14::Open(d);
  EXPECT_EQ(ul14.ListTest().size(), 3u);
  EXPECT_TRUE(ul14.CheckAllLabels(1.0).empty());
  const geo::GeoRaster tile = geo::GeoRaster::Open(ul14.ListTrain()[0].satellite_images[0]);
  EXPECT_TRUE(tile.crs().is_geographic());
}

TEST(DrlSynthTest, RefusesANonEmptyOutput) {
  TempDir tmp("drl_refuse");
  const fs::path out = tmp.path() / "existing";
  fs::create_directories(out);
  WriteFileAtomic(out / "keep.txt", "precious");
  SynthRunOptions run;
  run.out_dir = out;
  run.progress = false;
  EXPECT_THROW(GenerateDrlDataset(DrlPreset("tiny"), run), InvalidArgumentError);
  EXPECT_EQ(ReadFile(out / "keep.txt"), "precious");
  run.overwrite = true;
  run.cache_dir = tmp.path() / "no-cache";
  EXPECT_THROW(GenerateDrlDataset(DrlPreset("tiny"), run), NotFoundError);
  EXPECT_EQ(ReadFile(out / "keep.txt"), "precious");
  EXPECT_EQ(Entries(tmp.path(), true), (Strings{"existing"}));
}

}  // namespace
}  // namespace crossview::data

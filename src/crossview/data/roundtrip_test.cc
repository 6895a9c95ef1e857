// Round trips: the dataset readers (datasets/) load what the synthesisers (data/) write, with the
// counts, evaluation pairs and ground truth of the manifest; DetectLayout recognises every
// layout; a damaged copy is rejected with a message naming the problem.
#include <gtest/gtest.h>

#include <set>

#include "crossview/data/drl_manifest.h"
#include "crossview/data/drl_plan.h"
#include "crossview/data/synth_test_support.h"
#include "crossview/datasets/detect.h"
#include "crossview/datasets/sues200.h"
#include "crossview/datasets/ul14.h"
#include "crossview/datasets/ul14_files.h"
#include "crossview/datasets/university1652.h"
#include "crossview/geo/texture_georef.h"
#include "crossview/util/errors.h"

namespace crossview::data {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using datasets::Direction;
using testing::ReadManifest;

// Images of the manifest per folder prefix, e.g. "test/query_drone/" → 32.
size_t ManifestImagesUnder(const Json& manifest, const std::string& prefix) {
  size_t n = 0;
  for (const Json& image : manifest["images"]) n += image["path"].get<std::string>().rfind(prefix, 0) == 0;
  return n;
}

std::set<int> ManifestIds(const Json& manifest, const std::set<std::string>& splits) {
  std::set<int> out;
  for (const Json& t : manifest["targets"]) {
    if (splits.count(t["split"].get<std::string>())) out.insert(std::stoi(t["id"].get<std::string>()));
  }
  return out;
}

std::set<int> Set(const std::vector<int>& v) { return {v.begin(), v.end()}; }

// A private copy of a generated dataset to damage.
fs::path CopyOf(const fs::path& dataset, const std::string& name) {
  const fs::path out = testing::SynthTestRoot() / ("damaged-" + name);
  fs::remove_all(out);
  fs::copy(dataset, out, fs::copy_options::recursive);
  return out;
}

// Runs `body`, expects a crossview::Error whose message contains every one of `needles`.
template <typename F>
void ExpectErrorNaming(F&& body, const std::vector<std::string>& needles) {
  try {
    body();
    ADD_FAILURE() << "expected an error naming " << needles.front();
  } catch (const Error& e) {
    for (const std::string& n : needles) EXPECT_NE(std::string(e.what()).find(n), std::string::npos) << e.what();
  }
}

const fs::path& TinySues200() {
  static const fs::path dir = [] {
    IrSynthOptions o = IrPreset("tiny");
    o.seed = 7;
    o.layout = IrLayout::kSues200;
    return testing::Generate(o, "roundtrip-sues200");
  }();
  return dir;
}

TEST(RoundTripTest, SynthIrReadsBackAsUniversity1652) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  const fs::path& d = testing::TinyDataset();
  const Json m = ReadManifest(d);
  const datasets::University1652 u = datasets::University1652::Open(d);
  const datasets::ViewCounts counts = u.Counts();
  ASSERT_EQ(counts.size(), 6u);
  for (const auto& [view, n] : counts) EXPECT_EQ(n, ManifestImagesUnder(m, view + "/")) << view;
  EXPECT_EQ(counts.at("train/drone"), 16u * 4);
  EXPECT_EQ(counts.at("test/gallery_satellite"), 8u + 4);

  const std::vector<datasets::ViewListing> train = u.TrainingViews();
  EXPECT_EQ(Set(train[0].ids), ManifestIds(m, {"train"}));
  const datasets::EvalPair ds = u.Evaluation(Direction::kDroneToSatellite);
  EXPECT_EQ(Set(ds.query.ids), ManifestIds(m, {"test"}));
  EXPECT_TRUE(ds.query_ids_without_match.empty());
  EXPECT_EQ(Set(ds.distractor_ids), ManifestIds(m, {"distractor"}));  // distractors in the gallery
  EXPECT_EQ(ds.distractor_ids.size(), 4u);
  const datasets::EvalPair sd = u.Evaluation(Direction::kSatelliteToDrone);
  EXPECT_EQ(sd.query.num_images(), 8u);
  EXPECT_EQ(sd.gallery.num_images(), 8u * 4);
  EXPECT_TRUE(sd.distractor_ids.empty());

  const datasets::LayoutDetection det = datasets::DetectLayout(d);
  EXPECT_EQ(det.layout, datasets::DatasetLayout::kUniversity1652);
  EXPECT_TRUE(det.has_crossview_manifest);
  EXPECT_EQ(det.manifest_kind, "ir");
}

TEST(RoundTripTest, SynthIrReadsBackAsSues200) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  const fs::path& d = TinySues200();
  const Json m = ReadManifest(d);
  const datasets::Sues200 s = datasets::Sues200::Open(d);
  EXPECT_TRUE(s.has_split());
  EXPECT_EQ(s.Heights(datasets::Sues200Part::kTesting), (std::vector<int>{150, 200, 250, 300}));
  for (const auto& [view, n] : s.Counts()) EXPECT_EQ(n, ManifestImagesUnder(m, view + "/")) << view;
  const std::set<int> train = ManifestIds(m, {"train"}), test = ManifestIds(m, {"test"});
  for (int h : {150, 200, 250, 300}) {
    EXPECT_EQ(Set(s.TrainingViews(h)[1].ids), train) << h;
    EXPECT_EQ(s.List(datasets::Sues200Part::kTraining, h, "drone").num_images(), train.size() * 2) << h;
    const datasets::EvalPair ds = s.Evaluation(h, Direction::kDroneToSatellite);
    EXPECT_EQ(Set(ds.query.ids), test);
    EXPECT_TRUE(ds.query_ids_without_match.empty());
    // SUES-200's galleries hold every place: the training places and the extra tiles are distractors.
    EXPECT_EQ(Set(ds.distractor_ids), ManifestIds(m, {"train", "distractor"})) << h;
    const datasets::EvalPair sd = s.Evaluation(h, Direction::kSatelliteToDrone);
    EXPECT_EQ(Set(sd.distractor_ids), train) << h;
  }
  EXPECT_EQ(datasets::DetectLayout(d).layout, datasets::DatasetLayout::kSues200);
}

TEST(RoundTripTest, SynthDrlReadsBackAsUl14) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  const fs::path& d = testing::TinyDrlDataset();
  const Json m = ReadManifest(d);
  std::map<std::string, Json> places;
  for (const Json& t : m["targets"]) places[t["folder"].get<std::string>()] = t;

  const datasets::Ul14 ul14 = datasets::Ul14::Open(d);
  const std::vector<datasets::Ul14TrainSample> train = ul14.ListTrain();
  ASSERT_EQ(train.size(), static_cast<size_t>(m["summary"]["places"]["train"].get<int>()));
  for (const datasets::Ul14TrainSample& s : train) {
    const Json& p = places.at(s.folder);
    EXPECT_EQ(s.name.height_m, p["height_m"].get<int>());
    EXPECT_EQ(s.name.index, std::stoi(p["id"].get<std::string>()));
    EXPECT_EQ(s.name.place, Ul14PlaceName(p["family"]));
    EXPECT_EQ(s.uav_image.filename(), "0.JPG");
    ASSERT_EQ(s.satellite_images.size(), 1u);
    EXPECT_EQ(s.satellite_images[0].filename(), "0.tif");
  }
  const std::vector<datasets::Ul14TestSample> test = ul14.ListTest();
  ASSERT_EQ(test.size(), static_cast<size_t>(m["summary"]["places"]["test"].get<int>()));
  size_t maps = 0;
  for (const datasets::Ul14TestSample& s : test) {
    const Json& p = places.at(s.folder);
    EXPECT_DOUBLE_EQ(s.uav_lat_lon.lat_deg, p["centre_lat_lon_deg"][0].get<double>());
    EXPECT_DOUBLE_EQ(s.uav_lat_lon.lon_deg, p["centre_lat_lon_deg"][1].get<double>());
    ASSERT_EQ(s.maps.size(), 12u);
    for (size_t i = 0; i < s.maps.size(); ++i) {
      EXPECT_EQ(s.maps[i].name, std::to_string(i) + ".jpg");
      const Json& rec = p["search_maps"][i];
      EXPECT_EQ(s.maps[i].label.row, rec["label"][0].get<int>());
      EXPECT_EQ(s.maps[i].label.col, rec["label"][1].get<int>());
      EXPECT_EQ(s.maps[i].gps.map_size, rec["gps"]["map_size"].get<int>());
    }
    maps += s.maps.size();
    // Every label agrees with GPS_info.json's "UAV" within 1 px.
    EXPECT_TRUE(datasets::CheckLabels(s, 1.0).empty()) << s.folder;
  }
  EXPECT_EQ(maps, static_cast<size_t>(m["summary"]["search_maps"].get<int>()));
  EXPECT_TRUE(ul14.CheckAllLabels(1.0).empty());

  // Worked-example-style spot check of one map: its corners are the lat/lon of the crop's corners
  // in the texture's plate carrée, recomputed from the manifest alone.
  const datasets::Ul14TestSample& s = test.front();
  const Json& p = places.at(s.folder);
  const Json& rec = p["search_maps"][5];
  const Json* source = nullptr;
  for (const Json& src : m["sources"]) {
    if (src["texture"] == p["texture"]) source = &src;
  }
  ASSERT_NE(source, nullptr);
  const geo::TextureGeoref georef({(*source)["anchor_lat_lon_deg"][0].get<double>(), (*source)["anchor_lat_lon_deg"][1].get<double>()},
                                  (*source)["size_px"][0].get<int>(), (*source)["size_px"][1].get<int>(),
                                  (*source)["gsd_m"].get<double>());
  const double half = 0.5 * rec["side_px"].get<double>();
  const double cx = rec["centre_xy_px"][0].get<double>(), cy = rec["centre_xy_px"][1].get<double>();
  const geo::LatLonDeg tl = georef.lat_lon_from_pixel({cx - half, cy - half});
  const geo::LatLonDeg br = georef.lat_lon_from_pixel({cx + half, cy + half});
  const geo::Ul14SearchMapGps& gps = s.maps[5].gps;
  EXPECT_NEAR(gps.tl_e_deg, tl.lon_deg, 1e-12);
  EXPECT_NEAR(gps.tl_n_deg, tl.lat_deg, 1e-12);
  EXPECT_NEAR(gps.br_e_deg, br.lon_deg, 1e-12);
  EXPECT_NEAR(gps.br_n_deg, br.lat_deg, 1e-12);
  const double ux = p["centre_xy_px"][0].get<double>(), uy = p["centre_xy_px"][1].get<double>();
  EXPECT_EQ(s.maps[5].label.row, static_cast<int>(std::floor(768.0 * (uy - (cy - half)) / (2 * half))));
  EXPECT_EQ(s.maps[5].label.col, static_cast<int>(std::floor(768.0 * (ux - (cx - half)) / (2 * half))));
  EXPECT_NEAR(gps.center_distribute_x, (cy - uy) / half, 1e-12);
  EXPECT_NEAR(gps.center_distribute_y, (cx - ux) / half, 1e-12);

  const datasets::LayoutDetection det = datasets::DetectLayout(d);
  EXPECT_EQ(det.layout, datasets::DatasetLayout::kUl14);
  EXPECT_EQ(det.manifest_kind, "drl");
  EXPECT_EQ(det.manifest_layout, "ul14");
}

TEST(RoundTripTest, Ul14FilesReproduceTheWorkedExample) {
  // data.md §4.3: town-europe at (40.0, −29.7), 1 m/px, 1024²; UAV at (600.5, 400.25); a 300 px
  // map centred 60 px below and 45 px left of the UAV.
  MapSource town;
  town.frame.width_px = town.frame.height_px = 1024;
  town.frame.gsd_m = 1.0;
  town.anchor = {40.0, -29.7};
  DrlPlace place;
  place.lat_lon = SourceLatLon(town, {600.5, 400.25});
  DrlSearchMap map;
  map.index = 0;
  map.ul14 = Ul14MapFor(town, {600.5, 400.25}, {600.5 - 45.0, 400.25 + 60.0}, 300.0, 768);
  place.maps = {map};
  const datasets::Ul14GpsInfo gps = datasets::ParseUl14GpsInfo(Ul14GpsInfoJsonText(place), "GPS_info.json");
  EXPECT_NEAR(gps.uav.lon_deg, -29.698962189421792, 1e-12);
  EXPECT_NEAR(gps.uav.lat_deg, 40.001003867330006, 1e-12);
  const geo::Ul14SearchMapGps& g = gps.maps.at("0.jpg");
  EXPECT_NEAR(g.tl_e_deg, -29.70124889069581, 1e-12);
  EXPECT_NEAR(g.tl_n_deg, 40.00181235108571, 1e-12);
  EXPECT_NEAR(g.br_e_deg, -29.697730888735784, 1e-12);
  EXPECT_NEAR(g.br_n_deg, 39.99911740523335, 1e-12);
  EXPECT_NEAR(g.center_distribute_x, 0.4, 1e-12);
  EXPECT_NEAR(g.center_distribute_y, -0.3, 1e-12);
  EXPECT_EQ(g.map_size, 300);
  const auto labels = datasets::ParseUl14Labels(Ul14LabelsJsonText(place), "labels.json");
  EXPECT_EQ(labels.at("0.jpg").row, 230);
  EXPECT_EQ(labels.at("0.jpg").col, 499);
  EXPECT_EQ(Ul14LabelsJsonText(place), "{\"0.jpg\":[230,499]}\n");
}

TEST(RoundTripTest, DamagedUl14IsRejectedNamingTheProblem) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  const fs::path d = CopyOf(testing::TinyDrlDataset(), "ul14");
  const std::string sample = testing::Entries(d / "test", true).front();
  const fs::path dir = d / "test" / sample;

  fs::remove(dir / "Satellite" / "3.jpg");
  ExpectErrorNaming([&] { datasets::Ul14::Open(d).ListTest(); }, {"not in Satellite/", "3.jpg"});
  fs::copy_file(testing::TinyDrlDataset() / "test" / sample / "Satellite" / "3.jpg", dir / "Satellite" / "3.jpg");

  WriteFileAtomic(dir / "labels.json", "{\"0.jpg\": [12, ");
  ExpectErrorNaming([&] { datasets::Ul14::Open(d).ListTest(); }, {"labels.json"});
  // A label moved by 5 px parses, and CheckLabels names the sample and the map.
  std::string labels = ReadFile(testing::TinyDrlDataset() / "test" / sample / "labels.json");
  Json j = Json::parse(labels);
  j["7.jpg"][0] = j["7.jpg"][0].get<int>() < 700 ? j["7.jpg"][0].get<int>() + 5 : j["7.jpg"][0].get<int>() - 5;
  WriteFileAtomic(dir / "labels.json", j.dump());
  const std::vector<datasets::Ul14LabelViolation> v = datasets::Ul14::Open(d).CheckAllLabels(1.0);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].sample, sample);
  EXPECT_EQ(v[0].map, "7.jpg");
  EXPECT_NEAR(std::abs(v[0].error_row_px), 5.0, 1.0);

  fs::remove(dir / "GPS_info.json");
  ExpectErrorNaming([&] { datasets::Ul14::Open(d).ListTest(); }, {"GPS_info.json", sample});

  fs::remove_all(d / "train");
  ExpectErrorNaming([&] { datasets::Ul14::Open(d); }, {"train"});
}

TEST(RoundTripTest, DamagedRetrievalLayoutsAreRejectedNamingTheProblem) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  const fs::path u = CopyOf(testing::TinyDataset(), "u1652");
  fs::remove_all(u / "test" / "gallery_satellite");
  ExpectErrorNaming([&] { datasets::University1652::Open(u); }, {"gallery_satellite"});
  // An ID folder emptied of its images is named too.
  const std::string id = testing::Entries(u / "train" / "drone", true).front();
  for (const auto& e : fs::directory_iterator(u / "train" / "drone" / id)) fs::remove(e.path());
  ExpectErrorNaming([&] { datasets::University1652::Open(u, {datasets::ReadScope::kWhatExists}).List(datasets::U1652Split::kTrain, "drone"); },
                    {id});

  const fs::path s = CopyOf(TinySues200(), "sues200");
  fs::remove_all(s / "Testing" / "200");
  ExpectErrorNaming([&] { datasets::Sues200::Open(s); }, {"200"});
  // Nothing left that looks like a dataset: DetectLayout lists what it looked for.
  const fs::path empty = testing::SynthTestRoot() / "damaged-empty";
  fs::create_directories(empty / "photos");
  ExpectErrorNaming([&] { datasets::DetectLayout(empty); }, {"no known dataset layout", "photos"});
}

}  // namespace
}  // namespace crossview::data

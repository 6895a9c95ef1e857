#include "crossview/data/map_synth.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "crossview/data/image_io.h"
#include "crossview/data/renderer.h"
#include "crossview/data/synth_run.h"
#include "crossview/data/synth_sources.h"
#include "crossview/data/synth_test_support.h"
#include "crossview/geo/raster.h"
#include "crossview/util/errors.h"
#include "crossview/util/paths.h"

namespace crossview::data {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// A small map for tests: 3 textures in 2 columns (the last cell black), 600 m cells at 2 m/px.
MapSynthOptions SmallMap() {
  MapSynthOptions o;
  o.mosaic.textures = {"town-europe", "california-town2", "australia-commercial"};
  o.mosaic.tile_side_m = 600.0;
  o.mosaic.gsd_m = 2.0;
  o.seed = 11;
  o.flight.frames = 24;
  o.flight.size_px = 128;
  o.flight.height_m = 100.0;
  return o;
}

MapSynthSummary Make(const MapSynthOptions& o, const std::string& name, bool flight, int jobs = 2) {
  MapRunOptions run;
  run.out_file = testing::SynthTestRoot() / name / "map.tif";
  if (flight) run.flight_dir = testing::SynthTestRoot() / name / "flight";
  run.jobs = jobs;
  return GenerateMap(o, run);
}

struct TruthRow {
  std::string frame;
  double lat = 0, lon = 0, height = 0, yaw = 0;
};

std::vector<TruthRow> ReadTruth(const fs::path& csv) {
  std::istringstream in(ReadFile(csv));
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "frame,lat,lon,height_m,yaw_deg");
  std::vector<TruthRow> out;
  while (std::getline(in, line)) {
    TruthRow r;
    std::replace(line.begin(), line.end(), ',', ' ');
    std::istringstream fields(line);
    fields >> r.frame >> r.lat >> r.lon >> r.height >> r.yaw;
    out.push_back(r);
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

TEST(MapMosaicTest, OptionsGridAndErrors) {
  MapMosaicOptions o;
  o.Check();
  EXPECT_EQ(o.Columns(), 2);
  EXPECT_EQ(o.Rows(), 2);
  EXPECT_EQ(o.TilePx(), 1000);  // the default: 2 × 2 km at 1 m/px
  o.textures = {"a", "b", "c", "d", "e"};
  EXPECT_EQ(o.Columns(), 3);
  EXPECT_EQ(o.Rows(), 2);
  o.gsd_m = 0.0;
  EXPECT_THROW(o.Check(), InvalidArgumentError);
  EXPECT_EQ(MapSidecarPath("/x/map.tif"), fs::path("/x/map.json"));
  FlightOptions f;
  f.waypoints = 1;
  EXPECT_THROW(f.Check(), InvalidArgumentError);
}

TEST(MapMosaicTest, GeoTiffCornersFollowTheDocumentedPlacement) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  const MapSynthOptions o = SmallMap();
  const MapSynthSummary s = Make(o, "map-corners", false);
  const geo::GeoRaster map = geo::GeoRaster::Open(s.out_file);
  ASSERT_EQ(map.width_px(), 600);
  ASSERT_EQ(map.height_px(), 600);
  EXPECT_TRUE(map.crs().is_geographic());
  // lat = φc + n/m_lat, lon = λc + e/m_lon, e = (x − W/2)·g, n = (H/2 − y)·g (docs/data.md).
  const double m_lat = 6378137.0 * M_PI / 180.0, m_lon = m_lat * std::cos(40.25 * M_PI / 180.0), g = 2.0;
  for (const auto& [x, y] : std::vector<std::pair<double, double>>{{0, 0}, {600, 0}, {600, 600}, {0, 600}, {300, 300}}) {
    const geo::LatLonDeg ll = map.lat_lon_from_pixel({x, y});
    EXPECT_NEAR(ll.lat_deg, 40.25 + (300.0 - y) * g / m_lat, 1e-9) << x << "," << y;
    EXPECT_NEAR(ll.lon_deg, -30.5 + (x - 300.0) * g / m_lon, 1e-9) << x << "," << y;
  }
  EXPECT_NEAR(map.pixel_height_m(), 2.0, 1e-9);
  // The sidecar records the same placement and the file's hash.
  const Json side = Json::parse(ReadFile(s.sidecar));
  EXPECT_EQ(side["schema"], "crossview.map/1");
  EXPECT_EQ(side["sha256"], Sha256File(s.out_file));
  EXPECT_NEAR(side["corners_lat_lon_deg"][0][0].get<double>(), 40.25 + 300.0 * g / m_lat, 1e-12);
  ASSERT_EQ(side["tiles"].size(), 3u);
  EXPECT_EQ(side["tiles"][1]["texture"], "california-town2");
  EXPECT_EQ(side["tiles"][1]["rect_px"], (Json{300, 0, 300, 300}));
  EXPECT_EQ(side["tiles"][2]["cell_row_col"], (Json{1, 0}));

  // Cell (0, 1) holds the central 600 m of california-town2, rendered at 2 m/px.
  const fs::path cache = AerialCacheDir();
  const MapSource src = TextureMapSource(ReadCachedTextureTable(cache), cache, "california-town2");
  const LoadedMap loaded = LoadMapSource(src);
  const RenderResult expected = RenderNorthUpTile(*loaded.pyramid, src.frame, {0.0, 0.0}, 600.0, 300);
  const geo::RgbImage cell = map.ReadRgb({300, 0, 300, 300});
  const cv::Mat got(300, 300, CV_8UC3, const_cast<uint8_t*>(cell.pixels.data()));
  EXPECT_EQ(cv::norm(got, expected.image, cv::NORM_INF), 0.0);
  // The missing fourth cell is black.
  const geo::RgbImage empty = map.ReadRgb({300, 300, 300, 300});
  EXPECT_EQ(*std::max_element(empty.pixels.begin(), empty.pixels.end()), 0);
}

TEST(MapFlightTest, TruthProjectsToTheImageCentreThroughTheRecordedPose) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  for (double tilt : {0.0, 25.0}) {
    MapSynthOptions o = SmallMap();
    o.flight.tilt_deg = tilt;
    const MapSynthSummary s = Make(o, "map-flight-" + std::to_string(static_cast<int>(tilt)), true);
    const fs::path dir = s.flight_dir;
    const geo::GeoRaster map = geo::GeoRaster::Open(s.out_file);
    const Json flight = Json::parse(ReadFile(dir / "flight.json"));
    const std::vector<TruthRow> truth = ReadTruth(dir / "truth.csv");
    ASSERT_EQ(truth.size(), 24u);
    ASSERT_EQ(flight["frames"].size(), 24u);
    EXPECT_EQ(flight["map"]["sha256"], Sha256File(s.out_file));
    const cv::Matx33d K = Mat33(flight["camera"]["K"]);
    const double w = map.width_px(), h = map.height_px(), g = 2.0;
    double previous_heading = -1.0;
    for (size_t i = 0; i < truth.size(); ++i) {
      const Json& f = flight["frames"][i];
      EXPECT_EQ(truth[i].frame, f["frame"]);
      EXPECT_EQ(Sha256File(dir / truth[i].frame), f["sha256"]);
      const cv::Mat image = LoadImageRgb(dir / truth[i].frame);
      EXPECT_EQ(image.cols, 128);
      EXPECT_NEAR(truth[i].height, 100.0, 1e-9);
      EXPECT_NEAR(truth[i].yaw, f["yaw_deg"].get<double>(), 1e-6);
      // truth lat/lon → map pixel (GeoTIFF) → ground (e, n) → K·R·(X − C).
      const geo::PixelColRow px = map.pixel_from_lat_lon({truth[i].lat, truth[i].lon});
      const cv::Vec3d ground((px.col - 0.5 * w) * g, (0.5 * h - px.row) * g, 0.0);
      const cv::Vec3d c(f["position_en_m"][0].get<double>(), f["position_en_m"][1].get<double>(),
                        f["position_en_m"][2].get<double>());
      const cv::Vec3d x = K * (Mat33(f["R_cam_from_world"]) * (ground - c));
      ASSERT_GT(x[2], 0.0);
      EXPECT_NEAR(x[0] / x[2], 64.0, 0.5) << truth[i].frame << " tilt " << tilt;
      EXPECT_NEAR(x[1] / x[2], 64.0, 0.5) << truth[i].frame << " tilt " << tilt;
      // The same through H_map_to_image.
      const cv::Vec3d hp = Mat33(f["H_map_to_image"]) * cv::Vec3d(px.col, px.row, 1.0);
      EXPECT_NEAR(hp[0] / hp[2], 64.0, 0.5);
      EXPECT_NEAR(hp[1] / hp[2], 64.0, 0.5);
      // Nadir frames: the truth is the drone's own position.
      if (tilt == 0.0) {
        EXPECT_NEAR(truth[i].lat, f["nadir_lat_lon_deg"][0].get<double>(), 1e-9);
        EXPECT_NEAR(truth[i].lon, f["nadir_lat_lon_deg"][1].get<double>(), 1e-9);
      }
      // Smooth: consecutive frames (about 100 m apart) turn by less than 60°, never back.
      const double heading = f["heading_deg"];
      if (previous_heading >= 0.0) {
        const double turn = std::abs(std::remainder(heading - previous_heading, 360.0));
        EXPECT_LT(turn, 60.0) << truth[i].frame;
      }
      previous_heading = heading;
    }
    // Frames are equally spaced along the path.
    const double step = flight["path"]["length_m"].get<double>() / 23.0;
    for (size_t i = 1; i < 24; ++i) {
      const Json& a = flight["frames"][i - 1]["position_en_m"];
      const Json& b = flight["frames"][i]["position_en_m"];
      const double d = std::hypot(b[0].get<double>() - a[0].get<double>(), b[1].get<double>() - a[1].get<double>());
      EXPECT_LE(d, step + 1e-6);
      EXPECT_GT(d, 0.9 * step);
    }
  }
}

TEST(MapSynthTest, SameSeedSameBytesAndRefusesExistingOutputs) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  const MapSynthOptions o = SmallMap();
  Make(o, "map-seed-a", true, 2);
  Make(o, "map-seed-b", true, 1);
  const auto a = testing::HashTree(testing::SynthTestRoot() / "map-seed-a");
  EXPECT_EQ(a.size(), 2u + 24 + 2);  // map.tif, map.json, 24 frames, truth.csv, flight.json
  EXPECT_EQ(a, testing::HashTree(testing::SynthTestRoot() / "map-seed-b"));
  MapSynthOptions other = o;
  other.seed = 12;
  Make(other, "map-seed-c", true);
  EXPECT_NE(ReadFile(testing::SynthTestRoot() / "map-seed-a/flight/truth.csv"),
            ReadFile(testing::SynthTestRoot() / "map-seed-c/flight/truth.csv"));
  EXPECT_EQ(a.at("map.tif"), testing::HashTree(testing::SynthTestRoot() / "map-seed-c").at("map.tif"));

  // Existing outputs are refused (and left alone) unless overwriting.
  MapRunOptions run;
  run.out_file = testing::SynthTestRoot() / "map-seed-a" / "map.tif";
  EXPECT_THROW(GenerateMap(o, run), InvalidArgumentError);
  run.out_file = testing::SynthTestRoot() / "map-seed-a" / "other.tif";
  run.flight_dir = testing::SynthTestRoot() / "map-seed-a" / "flight";
  EXPECT_THROW(GenerateMap(o, run), InvalidArgumentError);
  EXPECT_FALSE(fs::exists(run.out_file));
  // A flight too high for the map fails before anything is written.
  MapSynthOptions high = o;
  high.flight.height_m = 2000.0;
  run.flight_dir = testing::SynthTestRoot() / "map-high" / "flight";
  run.out_file = testing::SynthTestRoot() / "map-high" / "map.tif";
  try {
    GenerateMap(high, run);
    FAIL() << "expected an error";
  } catch (const InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("too small"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(run.out_file));
  EXPECT_FALSE(fs::exists(run.flight_dir));
}

}  // namespace
}  // namespace crossview::data

// The service over real sockets on 127.0.0.1: answers equal the Locator's, the API's shapes,
// routing and the static file whitelist.
#include "crossview/service/service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <opencv2/imgcodecs.hpp>
#include <iomanip>
#include <sstream>
#include <thread>
#include <vector>

#include "crossview/data/image_io.h"
#include "crossview/geo/distance.h"
#include "crossview/pipeline/locator.h"
#include "crossview/pipeline/pipeline_test_support.h"
#include "crossview/service/pictures.h"
#include "crossview/service/service_test_support.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"
#include "crossview/util/testing.h"

namespace crossview::service {
namespace {

using testing::ClientFor;
using testing::ExpectErrorBody;
using testing::RawRequest;
using testing::RawStatus;
using testing::SharedIndexOptions;
using testing::StartService;

nlohmann::json Parse(const httplib::Result& r) {
  EXPECT_TRUE(r) << "no answer: " << httplib::to_string(r.error());
  if (!r) return nullptr;
  return nlohmann::json::parse(r->body);
}

pipeline::LocateResult LocateDirectly(const std::string& image_bytes, const pipeline::LocateOptions& o, const std::string& drl = "") {
  pipeline::LocatorOptions lo;
  lo.index = pipeline::testing::Shared().index.string();
  lo.device = "cpu";
  lo.drl_checkpoint = drl;
  pipeline::Locator loc = pipeline::Locator::Open(lo);
  return loc.Locate(data::DecodeImageRgb(image_bytes), o);
}

// The service's top_k equals the Locator's, exactly (ids, scores, positions).
void ExpectSameCandidates(const nlohmann::json& j, const pipeline::LocateResult& r) {
  ASSERT_EQ(j["top_k"].size(), r.candidates.size()) << j.dump();
  for (size_t i = 0; i < r.candidates.size(); ++i) {
    const nlohmann::json& c = j["top_k"][i];
    EXPECT_EQ(c["rank"], static_cast<int>(i + 1));
    EXPECT_EQ(c["tile_id"], r.candidates[i].tile_id);
    EXPECT_EQ(c["score"].get<double>(), r.candidates[i].score);
    EXPECT_EQ(c["lat"].get<double>(), r.candidates[i].centre.lat_deg);
    EXPECT_EQ(c["lon"].get<double>(), r.candidates[i].centre.lon_deg);
  }
  EXPECT_EQ(j["lat"].get<double>(), r.lat_lon.lat_deg);
  EXPECT_EQ(j["lon"].get<double>(), r.lat_lon.lon_deg);
  EXPECT_EQ(j["method"], r.method);
  EXPECT_EQ(j["searched_tiles"], r.searched_tiles);
}

bool Inside(const nlohmann::json& bounds, double lat, double lon) {
  return lat >= bounds["south_lat_deg"].get<double>() && lat <= bounds["north_lat_deg"].get<double>() &&
         lon >= bounds["west_lon_deg"].get<double>() && lon <= bounds["east_lon_deg"].get<double>();
}

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { CV_REQUIRE_FILE(pipeline::testing::TextureFile()); }
};

TEST_F(ServiceTest, HealthzAnswersOkWithARequestId) {
  auto svc = StartService(SharedIndexOptions());
  EXPECT_GT(svc->port(), 0);
  auto r = ClientFor(*svc)->Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(nlohmann::json::parse(r->body), nlohmann::json({{"status", "ok"}}));
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  EXPECT_FALSE(r->get_header_value("X-Request-Id").empty());
  svc->Stop();
  svc->Stop();  // idempotent
  EXPECT_FALSE(svc->running());
}

TEST_F(ServiceTest, IndexInfoMatchesTheTileIndexAndOverviewCoversTheMap) {
  auto svc = StartService(SharedIndexOptions());
  auto client = ClientFor(*svc);
  const nlohmann::json j = Parse(client->Get("/v1/index"));
  const nlohmann::json expected = pipeline::TileIndex::Open(pipeline::testing::Shared().index).Info();
  for (const char* key : {"tiles", "dim", "index_type", "tile_size_m", "stride_m", "tile_px", "tile_gsd_m", "bounds_wgs84", "map", "model", "path"}) {
    EXPECT_EQ(j[key], expected[key]) << key;
  }
  EXPECT_EQ(j["tiles"], pipeline::testing::Shared().summary.tiles);
  EXPECT_FALSE(j["service"]["refine_available"].get<bool>());
  EXPECT_FALSE(j["service"]["example"].get<bool>());
  EXPECT_EQ(j["service"]["limits"]["max_body_bytes"], ServiceOptions{}.max_body_bytes);

  // The overview: the whole 400 x 300 map (smaller than 1024 px, so not scaled), over its corners.
  const nlohmann::json& ov = j["service"]["overview"];
  ASSERT_TRUE(ov.is_object()) << j.dump(2);
  EXPECT_EQ(ov["url"], "/v1/overview.png");
  EXPECT_EQ(ov["width_px"], 400);
  EXPECT_EQ(ov["height_px"], 300);
  auto png = client->Get("/v1/overview.png");
  ASSERT_TRUE(png);
  EXPECT_EQ(png->status, 200);
  EXPECT_EQ(png->get_header_value("Content-Type"), "image/png");
  const cv::Mat img = data::DecodeImageRgb(png->body);
  EXPECT_EQ(img.cols, 400);
  EXPECT_EQ(img.rows, 300);
  // Pixel-exact: the map is 8-bit RGB and not scaled.
  const cv::Mat map = pipeline::testing::TextureCrop(400, 300);
  EXPECT_EQ(cv::norm(img, map, cv::NORM_INF), 0.0);
  // The tiles lie inside the map.
  const nlohmann::json& b = j["bounds_wgs84"];
  EXPECT_LE(ov["bounds"][0][0].get<double>(), b["south_lat_deg"].get<double>() + 1e-12);
  EXPECT_GE(ov["bounds"][1][0].get<double>(), b["north_lat_deg"].get<double>() - 1e-12);
}

TEST_F(ServiceTest, OverviewIsDownscaledToItsLimit) {
  ServiceOptions o = SharedIndexOptions();
  o.overview_max_px = 100;
  auto svc = StartService(o);
  auto png = ClientFor(*svc)->Get("/v1/overview.png");
  ASSERT_TRUE(png);
  const cv::Mat img = data::DecodeImageRgb(png->body);
  EXPECT_EQ(img.cols, 100);
  EXPECT_EQ(img.rows, 75);
  o.overview_max_px = 0;
  auto none = StartService(o);
  auto r = ClientFor(*none)->Get("/v1/overview.png");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  ExpectErrorBody(r->body, 404);
}

TEST_F(ServiceTest, LocatePngAndJpegEqualTheLocatorOnTheSameImage) {
  auto svc = StartService(SharedIndexOptions());
  auto client = ClientFor(*svc);
  const nlohmann::json info = svc->index_info();
  pipeline::LocateOptions o;
  o.top_k = 7;
  const pipeline::TileIndex index = pipeline::TileIndex::Open(pipeline::testing::Shared().index);
  for (const auto& [bytes, type] : {std::pair{testing::QueryPng(), "image/png"}, std::pair{testing::QueryJpeg(), "image/jpeg"}}) {
    SCOPED_TRACE(type);
    auto r = client->Post("/v1/locate?top_k=7", bytes, type);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    const nlohmann::json j = nlohmann::json::parse(r->body);
    ASSERT_EQ(j["top_k"].size(), 7u);
    ExpectSameCandidates(j, LocateDirectly(bytes, o));
    EXPECT_TRUE(j["refined"].is_null());
    EXPECT_EQ(j["image"]["width_px"], 120);
    EXPECT_EQ(j["image"]["height_px"], 100);
    EXPECT_EQ(j["image"]["format"], std::string(type).substr(6));
    EXPECT_EQ(j["request_id"], r->get_header_value("X-Request-Id"));
    EXPECT_TRUE(Inside(info["bounds_wgs84"], j["lat"], j["lon"]));
    for (const nlohmann::json& c : j["top_k"]) {
      EXPECT_TRUE(Inside(info["bounds_wgs84"], c["lat"], c["lon"])) << c.dump();
      // The footprint the page draws: the tile table's corners.
      const pipeline::TileRecord& t = index.tile(c["tile_id"].get<int64_t>());
      ASSERT_EQ(c["corners"].size(), 4u);
      for (size_t k = 0; k < 4; ++k) {
        EXPECT_EQ(c["corners"][k][0].get<double>(), t.corners[k].lat_deg);
        EXPECT_EQ(c["corners"][k][1].get<double>(), t.corners[k].lon_deg);
      }
    }
  }
  // No top_k: LocateOptions' default.
  const nlohmann::json d = Parse(client->Post("/v1/locate", testing::QueryPng(), "image/png"));
  EXPECT_EQ(d["top_k"].size(), static_cast<size_t>(pipeline::LocateOptions{}.top_k));
}

TEST_F(ServiceTest, MultipartUploadEqualsRawBody) {
  auto svc = StartService(SharedIndexOptions());
  auto client = ClientFor(*svc);
  const std::string png = testing::QueryPng();
  const nlohmann::json raw = Parse(client->Post("/v1/locate?top_k=4", png, "image/png"));
  httplib::MultipartFormDataItems items = {{"image", png, "query.png", "image/png"}};
  auto r = client->Post("/v1/locate?top_k=4", items);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const nlohmann::json multi = nlohmann::json::parse(r->body);
  EXPECT_EQ(multi["top_k"], raw["top_k"]);
  EXPECT_EQ(multi["lat"], raw["lat"]);
  EXPECT_EQ(multi["lon"], raw["lon"]);
  // application/octet-stream is read by content too.
  EXPECT_EQ(Parse(client->Post("/v1/locate?top_k=4", png, "application/octet-stream"))["top_k"], raw["top_k"]);
}

TEST_F(ServiceTest, PriorKeepsEveryCandidateInsideItsCircle) {
  auto svc = StartService(SharedIndexOptions());
  auto client = ClientFor(*svc);
  const pipeline::TileIndex index = pipeline::TileIndex::Open(pipeline::testing::Shared().index);
  const pipeline::TileRecord& far = index.tiles().back();
  const pipeline::SearchPrior prior{far.centre, 70.0};
  std::ostringstream q;
  q << std::setprecision(17) << "prior=" << far.centre.lat_deg << "," << far.centre.lon_deg << ",70";
  auto r = client->Post("/v1/locate?top_k=3&" + q.str(), testing::QueryPng(), "image/png");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const nlohmann::json j = nlohmann::json::parse(r->body);
  const auto within = index.TilesWithin(prior);
  EXPECT_EQ(j["prior"]["lat"].get<double>(), prior.centre.lat_deg);
  EXPECT_EQ(j["searched_tiles"], static_cast<int64_t>(within.size()));
  EXPECT_LT(j["searched_tiles"].get<int64_t>(), index.size());
  ASSERT_FALSE(j["top_k"].empty());
  for (const nlohmann::json& c : j["top_k"]) {
    EXPECT_LE(geo::HaversineDistanceM(prior.centre, {c["lat"], c["lon"]}), 70.0 + 1e-6) << c.dump();
  }
  EXPECT_EQ(j["prior"]["radius_m"], 70.0);

  // A circle with no tile centre in it: the pipeline's NotFoundError becomes 404.
  auto empty = client->Post("/v1/locate?prior=10,10,5", testing::QueryPng(), "image/png");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->status, 404);
  EXPECT_NE(ExpectErrorBody(empty->body, 404)["error"]["hint"].get<std::string>().find("widen the prior"), std::string::npos) << empty->body;
  // Malformed priors: 400.
  for (const char* bad : {"prior=1,2", "prior=a,b,c", "prior=91,0,100", "prior=0,0,-5", "prior=1,2,3,4", "prior="}) {
    auto b = client->Post(std::string("/v1/locate?") + bad, testing::QueryPng(), "image/png");
    ASSERT_TRUE(b);
    EXPECT_EQ(b->status, 400) << bad << ": " << b->body;
    ExpectErrorBody(b->body, 400);
  }
}

TEST_F(ServiceTest, BadQueryParametersAre400WithTheValidOnes) {
  auto svc = StartService(SharedIndexOptions());
  auto client = ClientFor(*svc);
  const std::string png = testing::QueryPng();
  struct Case {
    const char* query;
    const char* says;
  };
  for (const Case& c : {Case{"topk=3", "valid parameters: prior, refine, top_k"}, Case{"top_k=0", "top_k must be"},
                        Case{"top_k=101", "top_k must be"}, Case{"top_k=2.5", "top_k must be"}, Case{"top_k=x", "not a number"},
                        Case{"top_k=2&top_k=3", "more than once"}, Case{"refine=yes", "refine must be"},
                        Case{"refine=drl", "--drl-checkpoint"}}) {
    auto r = client->Post(std::string("/v1/locate?") + c.query, png, "image/png");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << c.query;
    const nlohmann::json e = ExpectErrorBody(r->body, 400);
    EXPECT_NE(e.dump().find(c.says), std::string::npos) << c.query << ": " << r->body;
  }
}

TEST_F(ServiceTest, RefineWithADrlModelReturnsTheHeatmapOverItsWindow) {
  ServiceOptions o = SharedIndexOptions();
  o.drl_checkpoint = testing::TinyDrlModel().string();
  o.workers = 1;
  auto svc = StartService(o);
  auto client = ClientFor(*svc);
  EXPECT_TRUE(Parse(client->Get("/v1/index"))["service"]["refine_available"].get<bool>());
  const std::string png = testing::QueryPng();
  auto r = client->Post("/v1/locate?top_k=3&refine=drl", png, "image/png");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const nlohmann::json j = nlohmann::json::parse(r->body);
  pipeline::LocateOptions lo;
  lo.top_k = 3;
  lo.refine = true;
  const pipeline::LocateResult direct = LocateDirectly(png, lo, o.drl_checkpoint);
  ExpectSameCandidates(j, direct);
  EXPECT_EQ(j["method"], "retrieval+drl");
  const nlohmann::json& f = j["refined"];
  ASSERT_TRUE(f.is_object());
  EXPECT_EQ(f["lat"].get<double>(), direct.refined->lat_lon.lat_deg);
  EXPECT_EQ(f["window_corners"]["top_left"][0].get<double>(), direct.refined->window_top_left.lat_deg);
  EXPECT_EQ(f["window_corners"]["bottom_right"][1].get<double>(), direct.refined->window_bottom_right.lon_deg);
  // The heatmap: an RGBA PNG data URL, S x S.
  const std::string url = f["heatmap_png"];
  const std::string prefix = "data:image/png;base64,";
  ASSERT_EQ(url.rfind(prefix, 0), 0u);
  EXPECT_EQ(url.substr(prefix.size()), Base64(HeatmapPng(*direct.refined)));
  const std::string heatmap_png = HeatmapPng(*direct.refined);
  const cv::Mat heat = cv::imdecode(cv::Mat(1, static_cast<int>(heatmap_png.size()), CV_8UC1, const_cast<char*>(heatmap_png.data())), cv::IMREAD_UNCHANGED);
  EXPECT_EQ(heat.channels(), 4);
  EXPECT_EQ(heat.cols, f["input_size"].get<int>());
  EXPECT_EQ(heat.rows, f["input_size"].get<int>());
}

TEST_F(ServiceTest, ConcurrentRequestsAllSucceedWithIdenticalAnswers) {
  ServiceOptions o = SharedIndexOptions();
  o.workers = 2;
  o.max_queue = 8;
  o.queue_timeout_s = 60.0;
  auto svc = StartService(o);
  const std::string png = testing::QueryPng();
  const nlohmann::json expected = Parse(ClientFor(*svc)->Post("/v1/locate?top_k=5", png, "image/png"))["top_k"];
  ASSERT_EQ(expected.size(), 5u);
  std::atomic<int> ok{0}, same{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      auto client = ClientFor(*svc);
      for (int i = 0; i < 4; ++i) {
        auto r = client->Post("/v1/locate?top_k=5", png, "image/png");
        if (r && r->status == 200) {
          ++ok;
          if (nlohmann::json::parse(r->body)["top_k"] == expected) ++same;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), 32);
  EXPECT_EQ(same.load(), 32);
  EXPECT_LE(svc->locators().peak_in_use(), 2);
  EXPECT_GE(svc->locators().peak_in_use(), 1);
  EXPECT_EQ(svc->locators().in_use(), 0);
}

TEST_F(ServiceTest, UnknownPathIs404AndWrongMethodIs405) {
  auto svc = StartService(SharedIndexOptions());
  auto client = ClientFor(*svc);
  auto r = client->Get("/v2/nothing");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  ExpectErrorBody(r->body, 404);
  auto get_locate = client->Get("/v1/locate");
  ASSERT_TRUE(get_locate);
  EXPECT_EQ(get_locate->status, 405);
  EXPECT_EQ(get_locate->get_header_value("Allow"), "POST");
  ExpectErrorBody(get_locate->body, 405);
  auto post_index = client->Post("/v1/index", "x", "text/plain");
  ASSERT_TRUE(post_index);
  EXPECT_EQ(post_index->status, 405);
  EXPECT_EQ(post_index->get_header_value("Allow"), "GET, HEAD");
  auto del = client->Delete("/healthz");
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 405);
  // Methods httplib has no handler table for.
  const std::string options = RawRequest(svc->port(), "OPTIONS /v1/locate HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(RawStatus(options), 405) << options;
}

TEST_F(ServiceTest, OnlyWhitelistedFilesAreServedAndTraversalNeverReachesTheDisk) {
  auto svc = StartService(SharedIndexOptions());
  auto client = ClientFor(*svc);
  auto page = client->Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page->body.find("/static/leaflet/leaflet.js"), std::string::npos);
  EXPECT_NE(page->body.find("id=\"status\""), std::string::npos);
  EXPECT_FALSE(page->get_header_value("Content-Security-Policy").empty());
  CV_REQUIRE_FILE("/usr/share/javascript/leaflet/leaflet.js");
  auto js = client->Get("/static/leaflet/leaflet.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_EQ(js->body, ReadFile("/usr/share/javascript/leaflet/leaflet.js"));
  EXPECT_EQ(client->Get("/static/leaflet/images/marker-icon.png")->status, 200);
  EXPECT_EQ(client->Get("/static/leaflet/leaflet.css")->status, 200);
  // Files beside the whitelisted ones are not served.
  EXPECT_EQ(client->Get("/static/leaflet/leaflet.min.js")->status, 404);
  EXPECT_EQ(client->Get("/static/leaflet/leaflet.js.map")->status, 404);
  for (const char* target : {"/../../etc/passwd", "/static/..%2f..%2fetc%2fpasswd", "/static/leaflet/../../../../../etc/passwd",
                             "/static/leaflet/..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd", "/static/leaflet/leaflet.js/../../../../etc/passwd",
                             "//etc/passwd", "/static/leaflet/images/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd", "/%2e%2e/%2e%2e/etc/passwd"}) {
    const std::string answer = RawRequest(svc->port(), std::string("GET ") + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(RawStatus(answer), 404) << target << "\n" << answer.substr(0, 300);
    EXPECT_EQ(answer.find("root:"), std::string::npos) << target;
  }
  EXPECT_EQ(client->Get("/healthz")->status, 200);
}

TEST_F(ServiceTest, PortInUseFailsWithOneClearError) {
  auto first = StartService(SharedIndexOptions());
  ServiceOptions o = SharedIndexOptions();
  o.port = first->port();
  o.workers = 1;
  o.http_threads = 2;
  auto second = Service::Create(o);
  try {
    second->Start();
    FAIL() << "a second server bound port " << o.port;
  } catch (const UnavailableError& e) {
    EXPECT_EQ(e.message(), "cannot bind 127.0.0.1:" + std::to_string(o.port) + ": address in use");
    EXPECT_NE(e.hint().find("--port 0"), std::string::npos) << e.hint();
  }
  EXPECT_EQ(ClientFor(*first)->Get("/healthz")->status, 200);
}

TEST(ServiceOptionsTest, CheckNamesTheBadField) {
  ServiceOptions o;
  EXPECT_THROW(o.Check(), InvalidArgumentError);  // no index
  o.index = "x.idx";
  o.Check();
  auto bad = [&](auto change, const std::string& says) {
    ServiceOptions b = o;
    change(b);
    try {
      b.Check();
      ADD_FAILURE() << "accepted: " << says;
    } catch (const InvalidArgumentError& e) {
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    }
  };
  bad([](ServiceOptions& b) { b.port = 70000; }, "port");
  bad([](ServiceOptions& b) { b.workers = 0; }, "workers");
  bad([](ServiceOptions& b) { b.http_threads = b.workers; }, "http_threads must exceed workers");
  bad([](ServiceOptions& b) { b.max_body_bytes = 0; }, "max_body_bytes");
  bad([](ServiceOptions& b) { b.max_queue = -1; }, "max_queue");
  bad([](ServiceOptions& b) { b.read_timeout_s = 0; }, "timeouts");
  EXPECT_EQ(o.host, "127.0.0.1");
}

}  // namespace
}  // namespace crossview::service

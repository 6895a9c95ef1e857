// Hardening: bad bodies, size and pixel limits, body framing, a busy server (503), timeouts. After
// every refusal the server must still answer /healthz.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <optional>
#include <thread>
#include <vector>

#include "crossview/data/image_io.h"
#include "crossview/pipeline/pipeline_test_support.h"
#include "crossview/service/service.h"
#include "crossview/service/service_test_support.h"
#include "crossview/util/random.h"
#include "crossview/util/testing.h"

namespace crossview::service {
namespace {

using Clock = std::chrono::steady_clock;
using testing::ClientFor;
using testing::ExpectErrorBody;
using testing::RawRequest;
using testing::RawStatus;
using testing::SharedIndexOptions;
using testing::StartService;

class ServiceLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override { CV_REQUIRE_FILE(pipeline::testing::TextureFile()); }
  void ExpectAlive(const Service& svc) {
    auto r = ClientFor(svc)->Get("/healthz");
    ASSERT_TRUE(r) << "the server stopped answering";
    EXPECT_EQ(r->status, 200);
  }
};

std::string Noise(size_t n, uint64_t seed) {
  Rng rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng.UniformInt(0, 255));
  return s;
}

// A valid PNG signature and IHDR that declare a 100000 x 100000 image, and nothing else.
std::string PngBombHeader() {
  std::string s = "\x89PNG\r\n\x1a\n";
  s += std::string("\x00\x00\x00\x0d", 4) + "IHDR";
  s += std::string("\x00\x01\x86\xa0\x00\x01\x86\xa0\x08\x02\x00\x00\x00", 13);
  s += std::string("\x00\x00\x00\x00", 4);  // CRC (not checked before the size)
  return s;
}

TEST_F(ServiceLimitsTest, BadBodiesAreRefusedWithJsonAndTheServerStaysUp) {
  ServiceOptions o = SharedIndexOptions();
  o.max_body_bytes = 64 * 1024;
  o.max_image_pixels = 120 * 100;  // the query image exactly
  auto svc = StartService(o);
  auto client = ClientFor(*svc);
  const std::string png = testing::QueryPng(), jpeg = testing::QueryJpeg();
  ASSERT_LT(png.size(), static_cast<size_t>(o.max_body_bytes));
  ASSERT_EQ(client->Post("/v1/locate", png, "image/png")->status, 200);

  const cv::Mat big = pipeline::testing::TextureCrop(121, 100);
  struct Case {
    const char* name;
    std::string body;
    std::string type;
    int status;
    const char* says;
  };
  const std::vector<Case> cases = {
      {"empty", "", "image/png", 400, "empty body"},
      {"truncated jpeg", jpeg.substr(0, jpeg.size() / 2), "image/jpeg", 400, "truncated"},
      {"jpeg header only", jpeg.substr(0, 200), "image/jpeg", 400, "truncated"},
      {"truncated png", png.substr(0, png.size() - 20), "image/png", 400, "truncated"},
      {"png signature only", png.substr(0, 8), "image/png", 400, "truncated"},
      {"random bytes", Noise(5000, 7), "image/jpeg", 415, "not a JPEG or PNG"},
      {"gif", "GIF89a" + Noise(100, 8), "image/gif", 415, "image/gif"},
      {"text", "hello", "text/plain", 415, "text/plain"},
      {"body over max_body_bytes", Noise(256 * 1024, 9), "image/png", 413, "larger than the limit of 65536 bytes"},
      {"one pixel too many", data::EncodeImage(big, data::ImageFormat::kPng), "image/png", 413, "too many pixels"},
      {"png claiming 10^10 pixels", PngBombHeader(), "image/png", 413, "too many pixels"},
      {"corrupt jpeg data", jpeg.substr(0, 700) + std::string(jpeg.size() - 702, '\0') + "\xff\xd9", "image/jpeg", 200, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = client->Post("/v1/locate", c.body, c.type);
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    if (c.status == 200) {
      // Zeroed entropy-coded data still decodes (libjpeg fills in); the answer is well-formed.
      EXPECT_TRUE(r->status == 200 || r->status == 400) << r->status << " " << r->body;
    } else {
      EXPECT_EQ(r->status, c.status) << r->body;
      EXPECT_NE(ExpectErrorBody(r->body, c.status)["error"]["message"].get<std::string>().find(c.says), std::string::npos) << r->body;
    }
    ExpectAlive(*svc);
  }
}

TEST_F(ServiceLimitsTest, MalformedMultipartIs400) {
  auto svc = StartService(SharedIndexOptions());
  const std::string png = testing::QueryPng();
  auto multipart = [&](const std::string& content_type, const std::string& body) {
    return "POST /v1/locate HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: " + content_type +
           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  };
  const std::string part = "--XYZ\r\nContent-Disposition: form-data; name=\"image\"; filename=\"q.png\"\r\nContent-Type: image/png\r\n\r\n" + png + "\r\n";
  const std::string good = part + "--XYZ--\r\n";
  ASSERT_EQ(RawStatus(RawRequest(svc->port(), multipart("multipart/form-data; boundary=XYZ", good), 60)), 200);
  struct Case {
    const char* name;
    std::string request;
    const char* says;
  };
  const std::vector<Case> cases = {
      {"no boundary", multipart("multipart/form-data", good), "multipart"},
      {"other boundary", multipart("multipart/form-data; boundary=ABC", good), "multipart"},
      {"no closing boundary", multipart("multipart/form-data; boundary=XYZ", part), "multipart"},
      {"garbage", multipart("multipart/form-data; boundary=XYZ", "--XYZ\r\nnonsense\r\n\r\n"), "multipart"},
      {"cut in the headers", multipart("multipart/form-data; boundary=XYZ", "--XYZ\r\nContent-Disposition: form-da"), "multipart"},
      {"wrong field", multipart("multipart/form-data; boundary=XYZ",
                                "--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"q.png\"\r\n\r\n" + png + "\r\n--XYZ--\r\n"),
       "unknown multipart field 'file'"},
      {"no parts", multipart("multipart/form-data; boundary=XYZ", "--XYZ--\r\n"), "multipart"},
      {"a text field only", multipart("multipart/form-data; boundary=XYZ",
                                      "--XYZ\r\nContent-Disposition: form-data; name=\"top_k\"\r\n\r\n5\r\n--XYZ--\r\n"),
       "unknown multipart field 'top_k'"},
      {"two images", multipart("multipart/form-data; boundary=XYZ", part + good), "more than one field 'image'"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string answer = RawRequest(svc->port(), c.request, 10);
    EXPECT_EQ(RawStatus(answer), 400) << answer.substr(0, 400);
    const size_t body = answer.find("\r\n\r\n");
    ASSERT_NE(body, std::string::npos) << answer;
    EXPECT_NE(ExpectErrorBody(answer.substr(body + 4), 400)["error"]["message"].get<std::string>().find(c.says), std::string::npos) << answer;
    ExpectAlive(*svc);
  }
}

TEST_F(ServiceLimitsTest, BodiesWithoutALengthOrCompressedAreRefusedBeforeReading) {
  auto svc = StartService(SharedIndexOptions());
  const std::string chunked = RawRequest(svc->port(),
                                         "POST /v1/locate HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n"
                                         "Content-Type: image/png\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
  EXPECT_EQ(RawStatus(chunked), 411) << chunked;
  const std::string unframed = RawRequest(svc->port(), "POST /v1/locate HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: image/png\r\n\r\n");
  EXPECT_EQ(RawStatus(unframed), 411) << unframed;
  const std::string gzip = RawRequest(svc->port(),
                                      "POST /v1/locate HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Encoding: gzip\r\n"
                                      "Content-Type: image/png\r\nContent-Length: 4\r\n\r\nabcd");
  EXPECT_EQ(RawStatus(gzip), 415) << gzip;
  // A refused body is never read as further requests on the same connection (no smuggling). It
  // is longer than httplib's 4 KiB read buffer, so without the fix its tail would be parsed.
  const std::string smuggled = std::string(6000, 'x') + "\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string one = RawRequest(svc->port(),
                                     "POST /v1/locate HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Type: image/png\r\n"
                                     "Content-Length: " + std::to_string(smuggled.size()) + "\r\n\r\n" + smuggled);
  EXPECT_EQ(RawStatus(one), 415) << one;
  EXPECT_EQ(one.find("HTTP/1.1", 1), std::string::npos) << "a second response followed:\n" << one;
  // A request httplib cannot parse gets the JSON body too.
  const std::string junk = RawRequest(svc->port(), "NONSENSE\r\n\r\n");
  EXPECT_EQ(RawStatus(junk), 400) << junk;
  ExpectAlive(*svc);
}

TEST_F(ServiceLimitsTest, EveryWorkerBusyAndNoQueueGives503WithRetryAfter) {
  ServiceOptions o = SharedIndexOptions();
  o.workers = 1;
  o.max_queue = 0;
  o.http_threads = 10;
  auto svc = StartService(o);
  const std::string png = testing::QueryPng();
  std::optional<LocatorPool::Lease> hold(svc->locators().Acquire());  // the only Locator
  std::vector<std::future<std::pair<int, std::string>>> answers;
  for (int i = 0; i < 8; ++i) {
    answers.push_back(std::async(std::launch::async, [&] {
      auto r = ClientFor(*svc)->Post("/v1/locate", png, "image/png");
      return r ? std::pair{r->status, r->get_header_value("Retry-After")} : std::pair{-1, std::string()};
    }));
  }
  for (auto& a : answers) {
    const auto [status, retry_after] = a.get();
    EXPECT_EQ(status, 503);
    EXPECT_EQ(retry_after, "1");
  }
  auto busy = ClientFor(*svc)->Post("/v1/locate", png, "image/png");
  ASSERT_TRUE(busy);
  EXPECT_NE(ExpectErrorBody(busy->body, 503)["error"]["message"].get<std::string>().find("busy"), std::string::npos);
  ExpectAlive(*svc);  // the page and health checks do not need a worker
  hold.reset();
  EXPECT_EQ(ClientFor(*svc)->Post("/v1/locate", png, "image/png")->status, 200);
}

TEST_F(ServiceLimitsTest, QueuedRequestWaitsForAWorkerOr503sWhenTheWaitRunsOut) {
  ServiceOptions o = SharedIndexOptions();
  o.workers = 1;
  o.max_queue = 2;
  o.queue_timeout_s = 0.3;
  auto svc = StartService(o);
  const std::string png = testing::QueryPng();
  std::optional<LocatorPool::Lease> hold(svc->locators().Acquire());
  const auto t0 = Clock::now();
  auto timed_out = ClientFor(*svc)->Post("/v1/locate", png, "image/png");
  ASSERT_TRUE(timed_out);
  EXPECT_EQ(timed_out->status, 503);
  EXPECT_GE(Clock::now() - t0, std::chrono::milliseconds(300));
  EXPECT_NE(ExpectErrorBody(timed_out->body, 503)["error"]["message"].get<std::string>().find("in time"), std::string::npos);
  hold.reset();

  // A longer wait: the request is held until the Locator comes back, then answered.
  o.queue_timeout_s = 30.0;
  auto patient = StartService(o);
  std::optional<LocatorPool::Lease> hold2(patient->locators().Acquire());
  const auto t1 = Clock::now();
  auto pending = std::async(std::launch::async, [&] { return ClientFor(*patient)->Post("/v1/locate", png, "image/png"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  hold2.reset();
  auto r = pending.get();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_GE(Clock::now() - t1, std::chrono::milliseconds(400));
}

TEST_F(ServiceLimitsTest, ASlowClientIsCutOffByTheReadTimeout) {
  ServiceOptions o = SharedIndexOptions();
  o.read_timeout_s = 0.5;
  auto svc = StartService(o);
  // Promises 1000 bytes, sends 10, then stalls.
  const auto t0 = Clock::now();
  const std::string answer = RawRequest(svc->port(),
                                        "POST /v1/locate HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 1000\r\n\r\n0123456789",
                                        /*timeout_s=*/8.0);
  const double waited_s = std::chrono::duration<double>(Clock::now() - t0).count();
  EXPECT_LT(waited_s, 5.0) << "the server kept a stalled connection open";
  EXPECT_EQ(RawStatus(answer), 400) << answer;
  ExpectAlive(*svc);
}

}  // namespace
}  // namespace crossview::service

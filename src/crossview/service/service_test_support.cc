#include "crossview/service/service_test_support.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "crossview/data/image_io.h"
#include "crossview/pipeline/pipeline_test_support.h"
#include "crossview/util/file.h"

namespace crossview::service::testing {

namespace fs = std::filesystem;

ServiceOptions SharedIndexOptions() {
  ServiceOptions o;
  o.index = pipeline::testing::Shared().index.string();
  o.device = "cpu";
  o.port = 0;
  return o;
}

std::unique_ptr<Service> StartService(const ServiceOptions& options) {
  std::unique_ptr<Service> s = Service::Create(options);
  s->Start();
  return s;
}

std::unique_ptr<httplib::Client> ClientFor(const Service& service) {
  auto c = std::make_unique<httplib::Client>("127.0.0.1", service.port());
  c->set_connection_timeout(5);
  c->set_read_timeout(60);
  c->set_write_timeout(10);
  return c;
}

cv::Mat QueryImage() { return pipeline::testing::TextureCrop(400, 300)(cv::Rect(150, 90, 120, 100)).clone(); }
std::string QueryPng() { return data::EncodeImage(QueryImage(), data::ImageFormat::kPng); }
std::string QueryJpeg() { return data::EncodeImage(QueryImage(), data::ImageFormat::kJpeg); }

const fs::path& TinyDrlModel() {
  static std::unique_ptr<TempDir> dir;
  static fs::path path;
  if (!dir) {
    dir = std::make_unique<TempDir>("service_drl");
    path = dir->path() / "drl";
    pipeline::testing::MakeTinyDrlModel(path);
  }
  return path;
}

std::string RawRequest(int port, const std::string& request, double timeout_s) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  timeval tv{static_cast<time_t>(timeout_s), static_cast<suseconds_t>((timeout_s - static_cast<time_t>(timeout_s)) * 1e6)};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return "";
  }
  size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  std::string answer;
  char buf[4096];
  while (true) {
    const ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    answer.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return answer;
}

int RawStatus(const std::string& response) {
  if (response.rfind("HTTP/1.", 0) != 0 || response.size() < 12) return -1;
  return std::atoi(response.substr(9, 3).c_str());
}

nlohmann::json ExpectErrorBody(const std::string& body, int status) {
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << body;
  if (j.is_discarded()) return j;
  EXPECT_TRUE(j.contains("error")) << body;
  if (!j.contains("error")) return j;
  EXPECT_EQ(j["error"].value("code", 0), status) << body;
  EXPECT_FALSE(j["error"].value("message", "").empty()) << body;
  EXPECT_TRUE(j["error"].contains("hint") && j["error"]["hint"].is_string()) << body;
  return j;
}

}  // namespace crossview::service::testing

// Internal to service/: what the request handlers share (service.cc builds it, routes.cc serves
// from it).
#pragma once

#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "crossview/service/http_error.h"
#include "crossview/service/image_upload.h"
#include "crossview/service/locator_pool.h"
#include "crossview/service/pictures.h"
#include "crossview/service/service.h"
#include "crossview/service/static_files.h"

namespace crossview::service {

struct ServiceState {
  ServiceOptions options;
  std::unique_ptr<LocatorPool> pool;
  bool can_refine = false;
  nlohmann::json index_info;
  std::optional<Overview> overview;
  StaticFiles static_files;
  std::string example_bytes;
  UploadFormat example_format = UploadFormat::kJpeg;

  httplib::Server server;
  std::atomic<uint64_t> next_request_id{1};
  int port = -1;
  std::thread thread;
  std::mutex mutex;
  std::condition_variable stopped_cv;
  bool started = false;
  bool stopped = false;
};

// The method a URL path answers to ("GET" or "POST"), or "" for a path the service does not have.
std::string AllowedMethod(const ServiceState& s, const std::string& path);
// Registers every handler on s.server (routes.cc).
void InstallRoutes(ServiceState& s);

void WriteJson(httplib::Response& res, const nlohmann::json& body);
void WriteError(httplib::Response& res, const ErrorReply& reply);

}  // namespace crossview::service

// Shared fixtures for the service tests: a started Service over the pipeline tests' tiny index
// (pipeline_test_support.h), query images cut from the same map, an HTTP client, and raw
// requests over a plain socket (for what httplib::Client would not send).
#pragma once

#include <httplib.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <string>

#include "crossview/service/service.h"

namespace crossview::service::testing {

// Options over the shared index (built on first use): CPU, port 0, no checksum re-verification.
ServiceOptions SharedIndexOptions();
// Create() + Start().
std::unique_ptr<Service> StartService(const ServiceOptions& options);

// A client of `service` with short timeouts.
std::unique_ptr<httplib::Client> ClientFor(const Service& service);

// A 120 x 100 px crop of the test map around (col 150, row 90): the query image.
cv::Mat QueryImage();
std::string QueryPng();
std::string QueryJpeg();

// A tiny DRL model (seeded, untrained), made once per process.
const std::filesystem::path& TinyDrlModel();

// Sends `request` verbatim to 127.0.0.1:port and returns everything the server answers until it
// closes the connection or `timeout_s` passes. Returns "" on connection failure.
std::string RawRequest(int port, const std::string& request, double timeout_s = 5.0);
// The status code of a raw HTTP response ("HTTP/1.1 404 Not Found" -> 404), or -1.
int RawStatus(const std::string& response);

// The parsed {"error": {...}} body, with EXPECTs that it has the documented shape.
nlohmann::json ExpectErrorBody(const std::string& body, int status);

}  // namespace crossview::service::testing

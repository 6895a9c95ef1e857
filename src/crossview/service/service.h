// `crossview serve`: the HTTP adapter over pipeline::Locator (docs/service.md has the API).
//
//   POST /v1/locate     image body (JPEG/PNG) or multipart field `image`; ?top_k, prior, refine
//   GET  /v1/index      the index's info (TileIndex::Info) plus the service's facts and limits
//   GET  /v1/overview.png  the map, downscaled, made once at start-up
//   GET  /v1/example    the example image given with --example (for the page's ?example=1)
//   GET  /healthz       {"status": "ok"}
//   GET  /              the map page (Leaflet from Debian's libjs-leaflet, served locally)
//
// Everything heavy happens once, in Create(): `workers` Locators are opened (a Locator is not
// thread-safe, so each locate leases one; see locator_pool.h), the overview is rendered, the
// page and Leaflet's files are read into memory. Requests are served by `http_threads` threads;
// a locate that finds no free Locator waits (bounded) or gets 503. Errors are mapped to JSON
// once, in http_error.h. Every request is logged as one line.
//
//   ServiceOptions o;
//   o.index = "map.idx";
//   o.port = 0;                            // any free port
//   auto service = Service::Create(o);
//   service->Start();                      // binds, serves on a background thread
//   ... service->port() ...
//   service->Stop();
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "crossview/service/locator_pool.h"

namespace crossview::service {

struct ServiceState;  // service_state.h

struct ServiceOptions {
  std::string index;           // index directory ('crossview index build')
  std::string checkpoint;      // retrieval model; empty = the one recorded in the index
  std::string drl_checkpoint;  // DRL model; empty = refine=drl is answered with 400
  std::string map;             // the index's map at a new location; empty = the recorded path
  std::string device = "auto";
  bool verify_checksums = true;  // SHA-256 of the index files (and of the map when refining), once

  std::string host = "127.0.0.1";  // loopback only unless asked otherwise
  int port = 8080;                 // 0 = any free port (Service::port() tells which)

  int workers = 2;               // Locators: locates that run at the same time
  int max_queue = 4;             // locates allowed to wait for a Locator; one more gets 503
  double queue_timeout_s = 5.0;  // longest wait for a Locator before 503
  int http_threads = 8;          // connections served at once; more than `workers`, so that
                                 // /healthz and the page answer while every worker is busy

  int64_t max_body_bytes = 32LL << 20;       // larger bodies: 413 (checked on Content-Length)
  int64_t max_image_pixels = 40'000'000;     // width x height from the image header: 413
  int max_top_k = 100;
  double read_timeout_s = 10.0;   // per socket read, while receiving a request
  double write_timeout_s = 10.0;  // per socket write, while sending a response
  // (Every connection serves one request and is closed: no keep-alive.)

  int overview_max_px = 1024;  // longer side of /v1/overview.png; 0 = no overview
  std::string example;         // an image served at /v1/example (JPEG or PNG)
  std::string leaflet_dir = "/usr/share/javascript/leaflet";

  // Throws InvalidArgumentError naming the bad field.
  void Check() const;
  nlohmann::json ToJson() const;
};

class Service {
 public:
  // Loads everything described above; nothing listens yet. Throws the library's errors (index
  // not found or corrupt, model mismatch, bad example image, ...).
  static std::unique_ptr<Service> Create(const ServiceOptions& options);
  ~Service();  // Stop()
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Binds host:port and serves on a background thread. Throws UnavailableError
  // "cannot bind 127.0.0.1:8080: address in use" (with a hint) when the port is taken.
  void Start();
  // Stops accepting, finishes the requests in flight, joins the thread. Idempotent.
  void Stop();
  // Blocks until Stop() has been called (from another thread) or serving failed.
  void Wait();
  bool running() const;

  int port() const;         // the bound port (after Start)
  std::string url() const;  // "http://HOST:PORT/"

  // The Locators (tests lease one to make the service busy deterministically).
  LocatorPool& locators();
  // GET /v1/index's body.
  const nlohmann::json& index_info() const;

 private:
  explicit Service(std::unique_ptr<ServiceState> state);
  std::unique_ptr<ServiceState> state_;
};

}  // namespace crossview::service

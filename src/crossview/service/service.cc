#include "crossview/service/service.h"

#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "crossview/service/service_state.h"
#include "crossview/util/file.h"
#include "crossview/util/log.h"

namespace crossview::service {
namespace {

using Clock = std::chrono::steady_clock;
using httplib::Request;
using httplib::Response;

// The request a thread is serving and when it started (set before the body is read, read by the
// log line). A thread serves one request at a time.
struct RequestClock {
  uint64_t id = 0;
  Clock::time_point start;
};
thread_local RequestClock tl_clock;

std::chrono::microseconds Micros(double seconds) { return std::chrono::microseconds(static_cast<int64_t>(seconds * 1e6)); }

// A path as it may appear in a log line: printable ASCII only, at most 200 characters.
std::string LoggablePath(const std::string& path) {
  std::string s;
  for (char c : path.substr(0, 200)) s += (c >= 0x20 && c < 0x7F) ? c : '?';
  return path.size() > 200 ? s + "..." : s;
}

bool MethodTakesBody(const std::string& method) { return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE"; }

// Method, path and body framing are settled before httplib reads a body: an unknown path or a
// wrong method never has its body read, and a POST body must come with a Content-Length (httplib
// would otherwise read a chunked or unframed body without the size limit) and uncompressed (a
// gzip bomb would bypass it too).
httplib::Server::HandlerResponse PreRoute(ServiceState& s, const Request& req, Response& res) {
  const uint64_t id = s.next_request_id++;
  tl_clock = {id, Clock::now()};
  res.set_header("X-Request-Id", std::to_string(id));
  const std::string allowed = AllowedMethod(s, req.path);
  try {
    if (allowed.empty()) {
      throw CV_HTTP_ERROR(404, "no such endpoint").With("path", LoggablePath(req.path))
          .Hint("endpoints: GET /, GET /healthz, GET /v1/index, GET /v1/overview.png, GET /v1/example, POST /v1/locate");
    }
    if (req.method != allowed && !(req.method == "HEAD" && allowed == "GET")) {
      res.set_header("Allow", allowed == "GET" ? "GET, HEAD" : allowed);
      throw CV_HTTP_ERROR(405, req.method + " is not allowed on " + req.path).Hint("use " + allowed);
    }
    if (MethodTakesBody(req.method)) {
      if (req.has_header("Transfer-Encoding")) {
        throw CV_HTTP_ERROR(411, "chunked request bodies are not accepted").Hint("send the body with a Content-Length header");
      }
      if (!req.has_header("Content-Length")) throw CV_HTTP_ERROR(411, "the request has no Content-Length").Hint("send the body with a Content-Length header");
      const std::string encoding = req.get_header_value("Content-Encoding");
      if (!encoding.empty() && encoding != "identity") {
        throw CV_HTTP_ERROR(415, "compressed request bodies are not accepted").With("content_encoding", encoding)
            .Hint("send the image file as it is (JPEG and PNG are compressed already)");
      }
    }
  } catch (const HttpError&) {
    WriteError(res, ErrorReplyFor(std::current_exception()));
    return httplib::Server::HandlerResponse::Handled;
  }
  return httplib::Server::HandlerResponse::Unhandled;
}

// Errors httplib answers by itself (it leaves the body empty): give them the JSON body too.
httplib::Server::HandlerResponse FillErrorBody(const ServiceOptions& o, const Request& req, Response& res) {
  if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
  std::string message = StatusText(res.status), hint;
  if (res.status == 413) {
    message = "the request body is larger than the limit of " + std::to_string(o.max_body_bytes) + " bytes";
    hint = "send a smaller image";
  } else if (res.status == 400 && req.is_multipart_form_data()) {
    message = "malformed multipart/form-data body";
    hint = "send one file field named 'image', with the boundary the Content-Type header declares";
  } else if (res.status == 400) {
    message = "malformed HTTP request";
  } else if (res.status == 414) {
    message = "the request URI is too long";
  } else if (res.status == 404) {
    message = "no such endpoint";
  }
  WriteError(res, MakeErrorReply(res.status, message, hint));
  return httplib::Server::HandlerResponse::Handled;
}

void LogRequest(const Request& req, const Response& res) {
  const std::string id = res.get_header_value("X-Request-Id");
  std::string ms = "-";
  if (!id.empty() && std::to_string(tl_clock.id) == id) {
    ms = fmt::format("{:.1f}", std::chrono::duration<double, std::milli>(Clock::now() - tl_clock.start).count());
  }
  // The request's size as sent (a multipart body is parsed into req.files, not req.body).
  const std::string in = req.has_header("Content-Length") ? req.get_header_value("Content-Length") : std::to_string(req.body.size());
  CV_LOG_INFO("{} {} {} in={}B out={}B {} ms id={} from {}", req.method.empty() ? "-" : req.method, LoggablePath(req.path), res.status,
              LoggablePath(in), res.body.size(), ms, id.empty() ? "-" : id, req.remote_addr.empty() ? "-" : req.remote_addr);
}

std::string BindFailure(int err) {
  switch (err) {
    case EADDRINUSE: return "address in use";
    case EACCES: return "permission denied";
    case EADDRNOTAVAIL: return "address not available on this machine";
    case 0: return "the host does not resolve to a local address";
    default: return std::strerror(err);
  }
}

}  // namespace

void ServiceOptions::Check() const {
  if (index.empty()) throw CV_ERROR(InvalidArgumentError, "no index given").Hint("pass --index IDX");
  if (host.empty()) throw CV_ERROR(InvalidArgumentError, "host must not be empty").Hint("e.g. --host 127.0.0.1");
  if (port < 0 || port > 65535) throw CV_ERROR(InvalidArgumentError, "port must be in [0, 65535] (0 = any free port)").With("port", port);
  if (workers < 1 || workers > 64) throw CV_ERROR(InvalidArgumentError, "workers must be in [1, 64]").With("workers", workers);
  if (max_queue < 0) throw CV_ERROR(InvalidArgumentError, "max_queue must be at least 0").With("max_queue", max_queue);
  if (!(queue_timeout_s >= 0.0)) throw CV_ERROR(InvalidArgumentError, "queue_timeout_s must be at least 0").With("queue_timeout_s", queue_timeout_s);
  if (http_threads <= workers) {
    throw CV_ERROR(InvalidArgumentError, "http_threads must exceed workers, so that /healthz answers while every worker is busy")
        .With("http_threads", http_threads).With("workers", workers);
  }
  if (max_body_bytes < 1) throw CV_ERROR(InvalidArgumentError, "max_body_bytes must be positive").With("max_body_bytes", max_body_bytes);
  if (max_image_pixels < 1) throw CV_ERROR(InvalidArgumentError, "max_image_pixels must be positive").With("max_image_pixels", max_image_pixels);
  if (max_top_k < 1) throw CV_ERROR(InvalidArgumentError, "max_top_k must be at least 1").With("max_top_k", max_top_k);
  if (!(read_timeout_s > 0.0) || !(write_timeout_s > 0.0)) {
    throw CV_ERROR(InvalidArgumentError, "timeouts must be positive").With("read_timeout_s", read_timeout_s).With("write_timeout_s", write_timeout_s);
  }
  if (overview_max_px < 0) throw CV_ERROR(InvalidArgumentError, "overview_max_px must be at least 0").With("overview_max_px", overview_max_px);
}

nlohmann::json ServiceOptions::ToJson() const {
  return {{"index", index}, {"checkpoint", checkpoint}, {"drl_checkpoint", drl_checkpoint}, {"map", map}, {"device", device},
          {"verify_checksums", verify_checksums}, {"host", host}, {"port", port}, {"workers", workers}, {"max_queue", max_queue},
          {"queue_timeout_s", queue_timeout_s}, {"http_threads", http_threads}, {"max_body_bytes", max_body_bytes},
          {"max_image_pixels", max_image_pixels}, {"max_top_k", max_top_k}, {"read_timeout_s", read_timeout_s},
          {"write_timeout_s", write_timeout_s}, {"overview_max_px", overview_max_px},
          {"example", example}, {"leaflet_dir", leaflet_dir}};
}

Service::Service(std::unique_ptr<ServiceState> state) : state_(std::move(state)) {}

Service::~Service() { Stop(); }

std::unique_ptr<Service> Service::Create(const ServiceOptions& options) {
  options.Check();
  auto s = std::make_unique<ServiceState>();
  s->options = options;

  // The Locators. Checksums (index files, and the map when refining) are verified by the first
  // one only: the others open the same files.
  std::vector<pipeline::Locator> locators;
  for (int i = 0; i < options.workers; ++i) {
    pipeline::LocatorOptions lo;
    lo.index = options.index;
    lo.checkpoint = options.checkpoint;
    lo.drl_checkpoint = options.drl_checkpoint;
    lo.map = options.map;
    lo.device = options.device;
    lo.verify_checksums = options.verify_checksums && i == 0;
    lo.verify_map_sha256 = options.verify_checksums && i == 0;
    locators.push_back(pipeline::Locator::Open(lo));
    // Refinement reads the map: open it now, so a missing or changed map stops the start-up
    // instead of failing requests.
    if (locators.back().can_refine()) locators.back().map();
  }
  s->can_refine = locators.front().can_refine();
  const pipeline::IndexManifest& m = locators.front().index().manifest();

  if (options.overview_max_px > 0) {
    try {
      geo::ReadRgbOptions read;
      read.bands = m.bands;
      if (read.bands.size() == 1) read.bands = {m.bands[0], m.bands[0], m.bands[0]};
      s->overview = RenderOverview(locators.front().map().raster, read, options.overview_max_px);
    } catch (const Error& e) {
      CV_LOG_WARN("serving without a map overview: {}", e.what());
    }
  }
  if (!options.example.empty()) {
    s->example_bytes = ReadFile(options.example);
    try {
      s->example_format = DecodeUpload(s->example_bytes, options.max_image_pixels).header.format;
    } catch (Error& e) {
      e.With("example", options.example);
      throw;
    }
  }
  s->static_files = StaticFiles::Load(options.leaflet_dir);
  for (const std::string& missing : s->static_files.missing()) {
    CV_LOG_WARN("Leaflet file missing: {} (install Debian's libjs-leaflet, or pass --leaflet-dir); the map page will not work", missing);
  }

  s->index_info = locators.front().index().Info();
  s->index_info["service"] = {
      {"refine_available", s->can_refine},
      {"overview", s->overview ? s->overview->ToJson("/v1/overview.png") : nlohmann::json()},
      {"example", !s->example_bytes.empty()},
      {"workers", options.workers},
      {"max_queue", options.max_queue},
      {"limits", {{"max_body_bytes", options.max_body_bytes}, {"max_image_pixels", options.max_image_pixels}, {"max_top_k", options.max_top_k}}}};
  s->pool = std::make_unique<LocatorPool>(std::move(locators), options.max_queue, std::chrono::duration_cast<std::chrono::milliseconds>(Micros(options.queue_timeout_s)));

  httplib::Server& srv = s->server;
  const size_t threads = static_cast<size_t>(options.http_threads);
  srv.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // SO_REUSEADDR only: httplib's default also sets SO_REUSEPORT, which would let a second server
  // bind the same port and silently share its connections.
  srv.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  srv.set_payload_max_length(static_cast<size_t>(options.max_body_bytes));
  srv.set_read_timeout(Micros(options.read_timeout_s));
  srv.set_write_timeout(Micros(options.write_timeout_s));
  // One request per connection: a refused request's unread body is never parsed as a request,
  // and an idle kept-alive connection never holds one of the HTTP threads.
  srv.set_keep_alive_max_count(1);
  srv.set_default_headers({{"X-Content-Type-Options", "nosniff"}, {"Referrer-Policy", "no-referrer"}});
  ServiceState* st = s.get();
  srv.set_pre_routing_handler([st](const Request& req, Response& res) { return PreRoute(*st, req, res); });
  srv.set_error_handler(httplib::Server::HandlerWithResponse(
      [st](const Request& req, Response& res) { return FillErrorBody(st->options, req, res); }));
  srv.set_logger(LogRequest);
  InstallRoutes(*s);
  return std::unique_ptr<Service>(new Service(std::move(s)));
}

void Service::Start() {
  ServiceState& s = *state_;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    if (s.started) throw CV_ERROR(InvalidArgumentError, "the service was started already");
    const std::string where = s.options.host + ":" + std::to_string(s.options.port);
    errno = 0;
    if (s.options.port == 0) {
      s.port = s.server.bind_to_any_port(s.options.host);
    } else {
      s.port = s.server.bind_to_port(s.options.host, s.options.port) ? s.options.port : -1;
    }
    if (s.port < 0) {
      const int err = errno;
      throw CV_ERROR(UnavailableError, "cannot bind " + where + ": " + BindFailure(err))
          .Hint(err == EADDRINUSE ? "another process listens there: stop it, or pick another --port (--port 0 takes any free port)"
                                  : "check --host (an address of this machine, e.g. 127.0.0.1) and --port");
    }
    s.started = true;
    s.thread = std::thread([&s] {
      const bool ok = s.server.listen_after_bind();
      if (!ok) CV_LOG_ERROR("the server stopped accepting connections on port {}", s.port);
      std::lock_guard<std::mutex> l(s.mutex);
      s.stopped = true;
      s.stopped_cv.notify_all();
    });
  }
  // Stop() right after Start() must find the server running, or httplib's stop() is a no-op.
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (!s.server.is_running() && running() && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  CV_LOG_INFO("serving {} on {} ({} workers, {} HTTP threads, refine {})", s.options.index, url(), s.options.workers,
              s.options.http_threads, s.can_refine ? "drl" : "off");
}

void Service::Stop() {
  ServiceState& s = *state_;
  std::thread t;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    if (!s.thread.joinable()) return;
    t = std::move(s.thread);
  }
  s.server.stop();
  t.join();
}

void Service::Wait() {
  ServiceState& s = *state_;
  std::unique_lock<std::mutex> lock(s.mutex);
  s.stopped_cv.wait(lock, [&] { return !s.started || s.stopped; });
}

bool Service::running() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->started && !state_->stopped;
}

int Service::port() const { return state_->port; }
std::string Service::url() const {
  const std::string& h = state_->options.host;
  return "http://" + (h.find(':') != std::string::npos ? "[" + h + "]" : h) + ":" + std::to_string(state_->port) + "/";
}
LocatorPool& Service::locators() { return *state_->pool; }
const nlohmann::json& Service::index_info() const { return state_->index_info; }

}  // namespace crossview::service

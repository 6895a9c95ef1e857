// The request handlers: each decodes its request, calls the pipeline, encodes the answer. Errors
// are not handled here but thrown; Guarded() turns them into JSON once (http_error.h).
#include <regex>
#include <string>

#include "crossview/pipeline/locator.h"
#include "crossview/service/locate_request.h"
#include "crossview/service/service_state.h"

namespace crossview::service {
namespace {

using httplib::Request;
using httplib::Response;

template <typename F>
httplib::Server::Handler Guarded(F handler) {
  return [handler](const Request& req, Response& res) {
    try {
      handler(req, res);
    } catch (...) {
      WriteError(res, ErrorReplyFor(std::current_exception()));
    }
  };
}

// httplib matches routes as regular expressions; ours are literal paths.
std::string Literal(const std::string& path) { return std::regex_replace(path, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)"); }

void HandleLocate(ServiceState& s, const Request& req, Response& res) {
  const pipeline::LocateOptions options = ParseLocateParams(req.params, s.options.max_top_k, s.can_refine);
  const std::string& bytes = UploadedImageBytes(req);
  const DecodedUpload upload = DecodeUpload(bytes, s.options.max_image_pixels);
  pipeline::LocateResult result;
  {
    LocatorPool::Lease locator = s.pool->Acquire();
    result = locator->Locate(upload.rgb, options);
  }
  nlohmann::json j = pipeline::ToJson(result);
  if (result.refined) j["refined"]["heatmap_png"] = "data:image/png;base64," + Base64(HeatmapPng(*result.refined));
  j["image"] = {{"format", UploadFormatName(upload.header.format)}, {"width_px", upload.header.width_px},
                {"height_px", upload.header.height_px}, {"bytes", bytes.size()}};
  j["request_id"] = res.get_header_value("X-Request-Id");
  WriteJson(res, j);
}

void HandleStatic(const ServiceState& s, const Request& req, Response& res) {
  const StaticFile* f = s.static_files.Find(req.path);
  if (f == nullptr) throw CV_HTTP_ERROR(404, "no such file").With("path", req.path).Hint("is Debian's libjs-leaflet installed on the server?");
  res.set_header("Cache-Control", f->cacheable ? "public, max-age=86400" : "no-cache");
  if (req.path == "/") {
    res.set_header("Content-Security-Policy",
                   "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:");
  }
  res.set_content(f->body, f->content_type.c_str());
}

}  // namespace

std::string AllowedMethod(const ServiceState& s, const std::string& path) {
  if (path == "/v1/locate") return "POST";
  if (path == "/healthz" || path == "/v1/index" || path == "/v1/overview.png" || path == "/v1/example") return "GET";
  if (s.static_files.Find(path) != nullptr) return "GET";
  return "";
}

void WriteJson(Response& res, const nlohmann::json& body) {
  res.set_header("Cache-Control", "no-store");
  res.set_content(body.dump(), "application/json");
}

void WriteError(Response& res, const ErrorReply& reply) {
  res.status = reply.status;
  for (const auto& [k, v] : reply.headers) res.set_header(k.c_str(), v);
  WriteJson(res, reply.body);
}

void InstallRoutes(ServiceState& s) {
  httplib::Server& srv = s.server;
  srv.Get("/healthz", Guarded([](const Request&, Response& res) { WriteJson(res, {{"status", "ok"}}); }));
  srv.Get(Literal("/v1/index"), Guarded([&s](const Request&, Response& res) { WriteJson(res, s.index_info); }));
  srv.Post(Literal("/v1/locate"), Guarded([&s](const Request& req, Response& res) { HandleLocate(s, req, res); }));
  srv.Get(Literal("/v1/overview.png"), Guarded([&s](const Request&, Response& res) {
            if (!s.overview) throw CV_HTTP_ERROR(404, "this server has no map overview").Hint("the map was not readable at start-up, or --overview-max-px is 0; see the server log");
            res.set_header("Cache-Control", "public, max-age=3600");
            res.set_content(s.overview->png, "image/png");
          }));
  srv.Get(Literal("/v1/example"), Guarded([&s](const Request&, Response& res) {
            if (s.example_bytes.empty()) throw CV_HTTP_ERROR(404, "this server has no example image").Hint("start it with --example IMG");
            res.set_content(s.example_bytes, UploadMimeType(s.example_format));
          }));
  for (const std::string& path : s.static_files.url_paths()) {
    srv.Get(Literal(path), Guarded([&s](const Request& req, Response& res) { HandleStatic(s, req, res); }));
  }
  // Anything a handler lets through (it should not: Guarded catches) still gets a JSON body.
  srv.set_exception_handler([](const Request&, Response& res, std::exception_ptr e) { WriteError(res, ErrorReplyFor(e)); });
}

}  // namespace crossview::service

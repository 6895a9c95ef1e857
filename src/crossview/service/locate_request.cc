#include "crossview/service/locate_request.h"

#include <httplib.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <set>

#include "crossview/service/http_error.h"

namespace crossview::service {
namespace {

const std::set<std::string> kLocateParams = {"top_k", "prior", "refine"};

std::string ValidParams() {
  std::string s;
  for (const std::string& p : kLocateParams) s += (s.empty() ? "" : ", ") + p;
  return s;
}

// A whole-string decimal, or throws 400 naming the parameter.
double ParseNumber(const std::string& name, const std::string& text) {
  const char* begin = text.c_str();
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(begin, &end);
  if (text.empty() || end != begin + text.size() || errno == ERANGE || !std::isfinite(v) || std::isspace(static_cast<unsigned char>(text[0]))) {
    throw CV_HTTP_ERROR(400, "query parameter " + name + " is not a number").With("value", text).Hint("e.g. top_k=5, prior=47.3769,8.5417,500");
  }
  return v;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// "image/jpeg; charset=x" → "image/jpeg".
std::string MediaType(const std::string& content_type) {
  std::string t = Lower(content_type.substr(0, content_type.find(';')));
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
  size_t i = 0;
  while (i < t.size() && std::isspace(static_cast<unsigned char>(t[i]))) ++i;
  return t.substr(i);
}

const char* const kBodyHint = "send the image as the body (Content-Type image/jpeg or image/png) or as multipart/form-data with a file field 'image'";

}  // namespace

pipeline::LocateOptions ParseLocateParams(const std::multimap<std::string, std::string>& params, int max_top_k, bool can_refine) {
  for (const auto& [name, value] : params) {
    if (kLocateParams.count(name) == 0) {
      throw CV_HTTP_ERROR(400, "unknown query parameter '" + name + "'").Hint("valid parameters: " + ValidParams());
    }
    if (params.count(name) > 1) throw CV_HTTP_ERROR(400, "query parameter " + name + " is given more than once");
  }
  pipeline::LocateOptions o;
  if (auto it = params.find("top_k"); it != params.end()) {
    const double k = ParseNumber("top_k", it->second);
    if (k != std::floor(k) || k < 1 || k > max_top_k) {
      throw CV_HTTP_ERROR(400, "top_k must be a whole number from 1 to " + std::to_string(max_top_k)).With("top_k", it->second)
          .Hint("e.g. top_k=5 (the server's limit is --max-top-k)");
    }
    o.top_k = static_cast<int64_t>(k);
  }
  if (auto it = params.find("prior"); it != params.end()) {
    std::vector<double> v;
    size_t start = 0;
    const std::string& s = it->second;
    while (true) {
      const size_t comma = s.find(',', start);
      v.push_back(ParseNumber("prior", s.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (v.size() != 3) throw CV_HTTP_ERROR(400, "prior must be LAT,LON,RADIUS_M").With("prior", s).Hint("e.g. prior=47.3769,8.5417,500");
    o.prior = pipeline::SearchPrior{{v[0], v[1]}, v[2]};
  }
  if (auto it = params.find("refine"); it != params.end()) {
    if (it->second != "drl" && it->second != "none") throw CV_HTTP_ERROR(400, "refine must be drl or none").With("refine", it->second);
    o.refine = it->second == "drl";
    if (o.refine && !can_refine) {
      throw CV_HTTP_ERROR(400, "refine=drl needs a DRL model, and this server has none").Hint("start the server with --drl-checkpoint DIR, or drop refine=drl");
    }
  }
  o.Check();  // prior position and radius (InvalidArgumentError → 400)
  return o;
}

const std::string& UploadedImageBytes(const httplib::Request& req) {
  const std::string type = MediaType(req.get_header_value("Content-Type"));
  if (type == "multipart/form-data") {
    for (const auto& [name, file] : req.files) {
      if (name != "image") throw CV_HTTP_ERROR(400, "unknown multipart field '" + name + "'").Hint("send one file field named 'image'");
    }
    if (req.files.count("image") != 1) {
      throw CV_HTTP_ERROR(400, req.files.empty() ? "the multipart body has no field 'image'" : "the multipart body has more than one field 'image'")
          .Hint(kBodyHint);
    }
    return req.files.find("image")->second.content;
  }
  if (!type.empty() && type != "image/jpeg" && type != "image/png" && type != "application/octet-stream") {
    throw CV_HTTP_ERROR(415, "unsupported Content-Type '" + type + "'").Hint(kBodyHint);
  }
  return req.body;
}

}  // namespace crossview::service

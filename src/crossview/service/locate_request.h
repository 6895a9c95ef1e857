// The parts of a POST /v1/locate request: query parameters → LocateOptions, body → image bytes.
//
// Query parameters (each at most once; any other name is a 400 that lists these):
//   top_k=N               1 ≤ N ≤ max_top_k (default: LocateOptions' 5)
//   prior=LAT,LON,RADIUS_M  search only tiles whose centre is within RADIUS_M of LAT,LON
//   refine=drl|none       DRL refinement (needs a server started with --drl-checkpoint)
//
// Body: the raw image (Content-Type image/jpeg, image/png, application/octet-stream or none) or
// multipart/form-data with one file field `image` (and no other field). Any other Content-Type is
// a 415. (Content-Encoding and chunked bodies are refused before the body is read: service.cc.)
#pragma once

#include <map>
#include <string>

#include "crossview/pipeline/locator.h"

namespace httplib {
struct Request;
}

namespace crossview::service {

pipeline::LocateOptions ParseLocateParams(const std::multimap<std::string, std::string>& params, int max_top_k, bool can_refine);

// The image bytes of the request body (a reference into `req`). Throws HttpError 400 / 415.
const std::string& UploadedImageBytes(const httplib::Request& req);

}  // namespace crossview::service

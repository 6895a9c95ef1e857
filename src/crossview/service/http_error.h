// HTTP statuses of the service, and the one place where exceptions become them.
//
// Request-level problems that have no library error type (a body over the size limit, a media
// type that is not JPEG or PNG, no free worker) are thrown as HttpError with their status.
// Library errors keep their types and are mapped by code:
//
//   HttpError                 its status (400, 405, 411, 413, 415, 503)
//   InvalidArgumentError      400      NotFoundError   404
//   UnavailableError          503      IoError, InternalError, anything else   500
//
// Every error answer has the body {"error": {"code": 400, "message": "...", "hint": "..."}}
// ("hint" is "" when there is none); a 503 also carries Retry-After.
#pragma once

#include <exception>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "crossview/util/errors.h"

namespace crossview::service {

class HttpError : public Error {
 public:
  HttpError(int status, std::string message, const char* file = nullptr, int line = 0);
  int status() const { return status_; }

  template <typename T>
  HttpError& With(const std::string& key, const T& value) {
    Error::With(key, value);
    return *this;
  }
  HttpError& Hint(std::string hint) {
    Error::Hint(std::move(hint));
    return *this;
  }

 private:
  int status_;
};

#define CV_HTTP_ERROR(status, message) ::crossview::service::HttpError((status), (message), __FILE__, __LINE__)

struct ErrorReply {
  int status = 500;
  nlohmann::json body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// The reply for one error answer (adds Retry-After to a 503).
ErrorReply MakeErrorReply(int status, const std::string& message, const std::string& hint);
// The reply for an exception caught at the service edge (the table above). Unknown exceptions
// become 500 with their what() as the message.
ErrorReply ErrorReplyFor(std::exception_ptr error);

// "Bad Request", "Payload Too Large", ... ("Error" for a status it does not know).
const char* StatusText(int status);

}  // namespace crossview::service

#include "crossview/service/http_error.h"

#include <new>

namespace crossview::service {
namespace {

ErrorCode CodeForStatus(int status) {
  if (status == 503) return ErrorCode::kUnavailable;
  if (status >= 500) return ErrorCode::kInternal;
  return ErrorCode::kInvalidArgument;
}

// The library error's message with its context, without the hint (which has its own field).
std::string MessageWithContext(const Error& e) {
  std::string s = e.message();
  if (!e.context().empty()) {
    s += " (";
    for (size_t i = 0; i < e.context().size(); ++i) {
      if (i > 0) s += ", ";
      s += e.context()[i].first + "=" + e.context()[i].second;
    }
    s += ")";
  }
  return s;
}

int StatusForCode(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return 400;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kIo:
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

}  // namespace

HttpError::HttpError(int status, std::string message, const char* file, int line)
    : Error(CodeForStatus(status), std::move(message), file, line), status_(status) {}

const char* StatusText(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

ErrorReply MakeErrorReply(int status, const std::string& message, const std::string& hint) {
  ErrorReply r;
  r.status = status;
  r.body = {{"error", {{"code", status}, {"message", message}, {"hint", hint}}}};
  if (status == 503) r.headers.emplace_back("Retry-After", "1");
  return r;
}

ErrorReply ErrorReplyFor(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const HttpError& e) {
    return MakeErrorReply(e.status(), MessageWithContext(e), e.hint());
  } catch (const Error& e) {
    return MakeErrorReply(StatusForCode(e.code()), MessageWithContext(e), e.hint());
  } catch (const std::bad_alloc&) {
    return MakeErrorReply(503, "out of memory while handling the request", "retry later, or send a smaller image");
  } catch (const std::exception& e) {
    return MakeErrorReply(500, std::string("internal error: ") + e.what(), "this is a bug in crossview; please report it");
  } catch (...) {
    return MakeErrorReply(500, "internal error: unknown exception", "this is a bug in crossview; please report it");
  }
}

}  // namespace crossview::service

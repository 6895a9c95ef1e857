// Exception types used throughout crossview.
//
// Library code throws one of a handful of types, each carrying what went wrong, where it was
// raised (file:line) and key/value context (which file, key, value, and how to fix it). The CLI
// and the service translate them once, at their edge.
#pragma once

#include <exception>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace crossview {

enum class ErrorCode {
  kInvalidArgument,  // the caller passed something wrong (bad flag, wrong size, unknown key)
  kNotFound,         // a named file, key or resource does not exist
  kIo,               // reading or writing failed (corrupt file, disk full, permission)
  kUnavailable,      // a capability is missing here (no CUDA, no GDAL driver)
  kInternal,         // a bug: an invariant of crossview itself was broken
};

const char* ErrorCodeName(ErrorCode code);

class Error : public std::exception {
 public:
  Error(ErrorCode code, std::string message, const char* file = nullptr, int line = 0);

  // Adds a key/value pair of context, e.g. With("path", p). Returns *this for chaining, and can
  // be used on a caught error before rethrowing it (`e.With("while", "loading index"); throw;`).
  template <typename T>
  Error& With(const std::string& key, const T& value) {
    std::ostringstream os;
    os << value;
    context_.emplace_back(key, os.str());
    Rebuild();
    return *this;
  }
  // A hint telling the user how to fix the problem; printed last.
  Error& Hint(std::string hint);

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::vector<std::pair<std::string, std::string>>& context() const { return context_; }
  const std::string& hint() const { return hint_; }
  // "file.cc:42", or "" when not known.
  std::string where() const;
  // The full one-line description: "message (key=value, ...). hint".
  const char* what() const noexcept override { return what_.c_str(); }

 private:
  void Rebuild();

  ErrorCode code_;
  std::string message_;
  std::string file_;
  int line_ = 0;
  std::vector<std::pair<std::string, std::string>> context_;
  std::string hint_;
  std::string what_;
};

#define CROSSVIEW_DEFINE_ERROR(Name, Code)                                                    \
  class Name : public Error {                                                                 \
   public:                                                                                    \
    explicit Name(std::string message, const char* file = nullptr, int line = 0)              \
        : Error(Code, std::move(message), file, line) {}                                      \
    template <typename T>                                                                     \
    Name& With(const std::string& key, const T& value) {                                      \
      Error::With(key, value);                                                                \
      return *this;                                                                           \
    }                                                                                         \
    Name& Hint(std::string hint) {                                                            \
      Error::Hint(std::move(hint));                                                           \
      return *this;                                                                           \
    }                                                                                         \
  }

CROSSVIEW_DEFINE_ERROR(InvalidArgumentError, ErrorCode::kInvalidArgument);
CROSSVIEW_DEFINE_ERROR(NotFoundError, ErrorCode::kNotFound);
CROSSVIEW_DEFINE_ERROR(IoError, ErrorCode::kIo);
CROSSVIEW_DEFINE_ERROR(UnavailableError, ErrorCode::kUnavailable);
CROSSVIEW_DEFINE_ERROR(InternalError, ErrorCode::kInternal);

#undef CROSSVIEW_DEFINE_ERROR

// Builds an error of the given type with the current file and line:
//   throw CV_ERROR(NotFoundError, "map not found").With("path", p).Hint("pass --map");
#define CV_ERROR(Type, message) ::crossview::Type((message), __FILE__, __LINE__)

// Checks an invariant of crossview itself; failing it is a bug, reported as InternalError.
#define CV_CHECK(cond)                                                              \
  do {                                                                              \
    if (!(cond)) throw CV_ERROR(InternalError, "internal check failed: " #cond);    \
  } while (0)

// Runs `body`; if it throws a crossview::Error, adds key=value context and rethrows.
template <typename F, typename T>
auto WithContext(const std::string& key, const T& value, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (Error& e) {
    e.With(key, value);
    throw;
  }
}

}  // namespace crossview

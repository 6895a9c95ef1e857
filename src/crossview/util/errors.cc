#include "crossview/util/errors.h"

#include <cstring>

namespace crossview {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid argument";
    case ErrorCode::kNotFound: return "not found";
    case ErrorCode::kIo: return "I/O error";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kInternal: return "internal error";
  }
  return "error";
}

namespace {
// Keeps only the path below src/ (or the file name) so messages stay short.
std::string ShortFile(const char* file) {
  if (file == nullptr) return {};
  const char* p = std::strstr(file, "src/crossview/");
  if (p != nullptr) return p + std::strlen("src/crossview/");
  const char* slash = std::strrchr(file, '/');
  return slash != nullptr ? slash + 1 : file;
}
}  // namespace

Error::Error(ErrorCode code, std::string message, const char* file, int line)
    : code_(code), message_(std::move(message)), file_(ShortFile(file)), line_(line) {
  Rebuild();
}

Error& Error::Hint(std::string hint) {
  hint_ = std::move(hint);
  Rebuild();
  return *this;
}

std::string Error::where() const {
  if (file_.empty()) return {};
  return file_ + ":" + std::to_string(line_);
}

void Error::Rebuild() {
  std::string s = message_;
  if (!context_.empty()) {
    s += " (";
    for (size_t i = 0; i < context_.size(); ++i) {
      if (i > 0) s += ", ";
      s += context_[i].first + "=" + context_[i].second;
    }
    s += ")";
  }
  if (!hint_.empty()) s += ". " + hint_;
  what_ = std::move(s);
}

}  // namespace crossview

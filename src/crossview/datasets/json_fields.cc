#include "crossview/datasets/json_fields.h"

#include <cmath>
#include <sstream>
#include <system_error>

#include "crossview/util/errors.h"
#include "crossview/util/file.h"

namespace crossview::datasets {
namespace {

bool IsPlainIdentifier(const std::string& key) {
  if (key.empty()) return false;
  for (char c : key) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

std::string PathOrTop(const std::string& key_path) { return key_path.empty() ? "(top level)" : key_path; }

}  // namespace

std::string QuoteKey(const std::string& key) {
  constexpr size_t kMax = 80;
  std::string s = key.size() > kMax ? key.substr(0, kMax) + "…" : key;
  return "\"" + s + "\"";
}

std::string MemberPath(const std::string& parent, const std::string& key) {
  if (parent.empty() && IsPlainIdentifier(key) && key.size() <= 40) return key;
  if (IsPlainIdentifier(key) && key.size() <= 40) return parent + "." + key;
  return parent + "[" + QuoteKey(key) + "]";
}

nlohmann::json ParseJsonText(const std::string& text, const std::string& source) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    throw CV_ERROR(IoError, "JSON file is empty").With("file", source).Hint("restore the file from the dataset release");
  }
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw CV_ERROR(IoError, "malformed JSON")
        .With("file", source)
        .With("parser", e.what())
        .Hint("restore the file from the dataset release");
  }
}

nlohmann::json ReadJsonFile(const std::filesystem::path& path, size_t max_bytes) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > max_bytes) {
    throw CV_ERROR(IoError, "JSON file is too large for a dataset metadata file")
        .With("file", path.string())
        .With("bytes", size)
        .With("max_bytes", max_bytes);
  }
  return ParseJsonText(ReadFile(path), path.string());
}

void RequireObject(const nlohmann::json& value, const std::string& source, const std::string& key_path) {
  if (!value.is_object()) {
    throw CV_ERROR(IoError, "malformed JSON: expected an object")
        .With("file", source)
        .With("key", PathOrTop(key_path))
        .With("got", value.type_name());
  }
}

const nlohmann::json& RequireMember(const nlohmann::json& object, const std::string& key, const std::string& source,
                                    const std::string& object_path) {
  RequireObject(object, source, object_path);
  const auto it = object.find(key);
  if (it == object.end()) {
    throw CV_ERROR(IoError, "malformed JSON: missing key").With("file", source).With("key", MemberPath(object_path, key));
  }
  return *it;
}

double RequireFiniteNumber(const nlohmann::json& value, const std::string& source, const std::string& key_path) {
  if (!value.is_number()) {
    throw CV_ERROR(IoError, "malformed JSON: expected a number")
        .With("file", source)
        .With("key", PathOrTop(key_path))
        .With("got", value.type_name());
  }
  const double d = value.get<double>();
  if (!std::isfinite(d)) {
    throw CV_ERROR(IoError, "malformed JSON: number out of range").With("file", source).With("key", PathOrTop(key_path));
  }
  return d;
}

long long RequireInteger(const nlohmann::json& value, const std::string& source, const std::string& key_path, long long lo,
                         long long hi) {
  auto out_of_range = [&](const std::string& shown) {
    return CV_ERROR(IoError, "malformed JSON: integer out of range")
        .With("file", source)
        .With("key", PathOrTop(key_path))
        .With("value", shown)
        .With("valid", "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  };
  if (value.is_number_unsigned()) {
    const auto u = value.get<unsigned long long>();
    if (u > static_cast<unsigned long long>(hi)) throw out_of_range(std::to_string(u));
    return static_cast<long long>(u);
  }
  if (value.is_number_integer()) {
    const auto i = value.get<long long>();
    if (i < lo || i > hi) throw out_of_range(std::to_string(i));
    return i;
  }
  const double d = RequireFiniteNumber(value, source, key_path);
  if (d != std::floor(d)) {
    throw CV_ERROR(IoError, "malformed JSON: expected an integer")
        .With("file", source)
        .With("key", PathOrTop(key_path))
        .With("value", d);
  }
  if (d < static_cast<double>(lo) || d > static_cast<double>(hi)) {
    std::ostringstream os;
    os << d;
    throw out_of_range(os.str());
  }
  return static_cast<long long>(d);
}

}  // namespace crossview::datasets

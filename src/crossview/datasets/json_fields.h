// Strict, hostile-input-safe access to the small JSON files of dataset layouts (UL14 labels.json
// and GPS_info.json, crossview's manifest.json). Every failure is an IoError naming the file and
// the key path (e.g. Satellite["3.jpg"].tl_E), what was expected and what was found. Unknown
// members are never an error; readers simply do not look at them.
#pragma once

#include <cstddef>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace crossview::datasets {

// Metadata files larger than this are refused (a real GPS_info.json is a few kB).
inline constexpr size_t kMaxJsonFileBytes = size_t{64} << 20;

// Reads and parses `path`. NotFoundError if it does not exist; IoError if it is empty, larger than
// `max_bytes`, or not valid JSON (with the parser's byte position).
nlohmann::json ReadJsonFile(const std::filesystem::path& path, size_t max_bytes = kMaxJsonFileBytes);
// Parses `text`; `source` names it in errors.
nlohmann::json ParseJsonText(const std::string& text, const std::string& source);

// `key` rendered for an error message: quoted, and cut to 80 characters.
std::string QuoteKey(const std::string& key);

// Throws IoError unless `value` is a JSON object.
void RequireObject(const nlohmann::json& value, const std::string& source, const std::string& key_path);
// The member `key` of the object `object` (whose own path is `object_path`, "" at the top).
// Throws IoError if `object` is not an object or has no such member.
const nlohmann::json& RequireMember(const nlohmann::json& object, const std::string& key, const std::string& source,
                                    const std::string& object_path);
// A finite number (integers accepted). Throws IoError otherwise.
double RequireFiniteNumber(const nlohmann::json& value, const std::string& source, const std::string& key_path);
// An integer in [lo, hi]; an integral floating value (230.0) is accepted. Throws IoError otherwise.
long long RequireInteger(const nlohmann::json& value, const std::string& source, const std::string& key_path, long long lo,
                         long long hi);
// Child path: MemberPath("Satellite", "0.jpg") → Satellite["0.jpg"]; MemberPath("", "UAV") → UAV.
std::string MemberPath(const std::string& parent, const std::string& key);

}  // namespace crossview::datasets

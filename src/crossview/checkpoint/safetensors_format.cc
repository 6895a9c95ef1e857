#include "crossview/checkpoint/safetensors_format.h"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "crossview/util/errors.h"

namespace crossview::checkpoint {
namespace {

using nlohmann::json;
constexpr const char* kMetadataKey = "__metadata__";
constexpr int kMaxJsonNesting = 8;  // the layout needs 3; deeper is hostile

IoError Bad(const std::string& what) {
  return CV_ERROR(IoError, "invalid safetensors file: " + what);
}

// nlohmann's parser recurses per nesting level; reject "[[[[..." before handing the text over.
void CheckNesting(const std::string& text) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonNesting) throw Bad("header JSON nested too deeply");
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
}

uint64_t ReadUnsigned(const json& value, const std::string& tensor, const char* field) {
  if (!value.is_number_unsigned() && !(value.is_number_integer() && value.get<int64_t>() >= 0)) {
    throw Bad(std::string(field) + " must hold non-negative integers").With("tensor", tensor);
  }
  return value.get<uint64_t>();
}

SafetensorsEntry ParseEntry(const std::string& name, const json& info) {
  if (name.empty()) throw Bad("empty tensor name");
  if (!info.is_object()) throw Bad("tensor entry is not an object").With("tensor", name);
  for (const auto& [field, _] : info.items()) {
    if (field != "dtype" && field != "shape" && field != "data_offsets") {
      throw Bad("unknown field '" + field + "' in tensor entry").With("tensor", name);
    }
  }
  if (!info.contains("dtype") || !info["dtype"].is_string()) throw Bad("missing dtype").With("tensor", name);
  if (!info.contains("shape") || !info["shape"].is_array()) throw Bad("missing shape").With("tensor", name);
  if (!info.contains("data_offsets") || !info["data_offsets"].is_array() || info["data_offsets"].size() != 2) {
    throw Bad("data_offsets must be [begin, end]").With("tensor", name);
  }
  SafetensorsEntry entry;
  entry.name = name;
  const std::string dtype = info["dtype"].get<std::string>();
  const std::optional<DType> parsed = DTypeFromSafetensors(dtype);
  if (!parsed) {
    throw CV_ERROR(UnavailableError, "unsupported safetensors dtype " + dtype)
        .With("tensor", name)
        .Hint(std::string("supported: ") + SafetensorsDTypeList());
  }
  entry.dtype = *parsed;
  uint64_t nbytes = ElementSize(entry.dtype);
  for (const json& dim : info["shape"]) {
    const uint64_t d = ReadUnsigned(dim, name, "shape");
    if (d > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) || !CheckedMul(nbytes, d, &nbytes)) {
      throw Bad("shape too large").With("tensor", name);
    }
    entry.shape.push_back(static_cast<int64_t>(d));
  }
  entry.begin = ReadUnsigned(info["data_offsets"][0], name, "data_offsets");
  entry.end = ReadUnsigned(info["data_offsets"][1], name, "data_offsets");
  if (entry.end < entry.begin || entry.end - entry.begin != nbytes) {
    throw Bad("data_offsets length disagrees with dtype and shape")
        .With("tensor", name)
        .With("begin", entry.begin)
        .With("end", entry.end)
        .With("expected_bytes", nbytes);
  }
  return entry;
}

}  // namespace

uint64_t SafetensorsEntry::numel() const {
  uint64_t n = 1;
  for (int64_t d : shape) n *= static_cast<uint64_t>(d);  // validated when parsed
  return n;
}

SafetensorsHeader ParseSafetensorsHeader(const ByteSource& source) {
  try {
    if (source.size() < 8) throw Bad("file shorter than the 8-byte header length").With("size", source.size());
    unsigned char prefix[8];
    source.ReadAt(0, prefix, 8);
    const uint64_t header_bytes = LoadLe64(prefix);
    if (header_bytes > kMaxSafetensorsHeaderBytes) {
      throw Bad("header length too large").With("header_bytes", header_bytes).With("max", kMaxSafetensorsHeaderBytes);
    }
    if (header_bytes > source.size() - 8) {
      throw Bad("header extends past the end of the file (truncated?)")
          .With("header_bytes", header_bytes)
          .With("size", source.size());
    }
    const std::string text = source.ReadString(8, header_bytes);
    CheckNesting(text);
    // Duplicate top-level names would silently replace each other in the parsed object.
    std::set<std::string> names;
    std::string duplicate;
    const json::parser_callback_t callback = [&](int depth, json::parse_event_t event, json& parsed) {
      if (event == json::parse_event_t::key && depth == 1 && !names.insert(parsed.get<std::string>()).second) {
        duplicate = parsed.get<std::string>();
      }
      return true;
    };
    json header;
    try {
      header = json::parse(text, callback);
    } catch (const json::exception& e) {
      throw Bad(std::string("header is not valid JSON: ") + e.what());
    }
    if (!duplicate.empty()) throw Bad("duplicate tensor name").With("tensor", duplicate);
    if (!header.is_object()) throw Bad("header is not a JSON object");

    SafetensorsHeader out;
    out.data_start = 8 + header_bytes;
    for (const auto& [name, info] : header.items()) {
      if (name == kMetadataKey) {
        if (!info.is_object()) throw Bad("__metadata__ is not an object");
        for (const auto& [key, value] : info.items()) {
          if (!value.is_string()) throw Bad("__metadata__ values must be strings").With("key", key);
          out.metadata[key] = value.get<std::string>();
        }
        continue;
      }
      out.entries.push_back(ParseEntry(name, info));
    }
    // The entries must tile the data buffer exactly.
    std::sort(out.entries.begin(), out.entries.end(), [](const SafetensorsEntry& a, const SafetensorsEntry& b) {
      return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    const uint64_t buffer_bytes = source.size() - out.data_start;
    uint64_t expected = 0;
    for (const SafetensorsEntry& e : out.entries) {
      if (e.end > buffer_bytes) {
        throw Bad("tensor data out of bounds").With("tensor", e.name).With("end", e.end).With("buffer_bytes", buffer_bytes);
      }
      if (e.begin < expected) throw Bad("tensor data overlaps another tensor").With("tensor", e.name).With("begin", e.begin);
      if (e.begin > expected) throw Bad("gap before tensor data").With("tensor", e.name).With("begin", e.begin);
      expected = e.end;
    }
    if (expected != buffer_bytes) {
      throw Bad("data buffer size differs from the tensors' total")
          .With("buffer_bytes", buffer_bytes)
          .With("tensor_bytes", expected);
    }
    return out;
  } catch (Error& e) {
    e.With("path", source.name());
    throw;
  }
}

std::string SerializeSafetensorsHeader(std::vector<SafetensorsEntry>& entries,
                                       const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header[kMetadataKey] = metadata;
  uint64_t offset = 0;
  std::set<std::string> names;
  for (SafetensorsEntry& e : entries) {
    if (e.name.empty() || e.name == kMetadataKey) {
      throw CV_ERROR(InvalidArgumentError, "invalid tensor name for safetensors").With("name", e.name);
    }
    if (!names.insert(e.name).second) throw CV_ERROR(InvalidArgumentError, "duplicate tensor name").With("name", e.name);
    uint64_t nbytes = ElementSize(e.dtype);
    for (int64_t d : e.shape) {
      if (d < 0 || !CheckedMul(nbytes, static_cast<uint64_t>(d), &nbytes)) {
        throw CV_ERROR(InvalidArgumentError, "invalid tensor shape").With("name", e.name);
      }
    }
    e.begin = offset;
    e.end = offset + nbytes;
    offset = e.end;
    header[e.name] = {{"dtype", SafetensorsName(e.dtype)}, {"shape", e.shape}, {"data_offsets", {e.begin, e.end}}};
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((text.size() >> (8 * i)) & 0xFF);
  return out + text;
}

}  // namespace crossview::checkpoint

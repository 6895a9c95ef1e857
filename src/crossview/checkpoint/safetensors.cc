#include "crossview/checkpoint/safetensors.h"

#include <memory>

#include "crossview/checkpoint/checkpoint.h"
#include "crossview/checkpoint/safetensors_format.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"

namespace crossview::checkpoint {

SafetensorsFile ReadSafetensors(const ByteSource& source) {
  const SafetensorsHeader header = ParseSafetensorsHeader(source);
  SafetensorsFile out;
  out.metadata = header.metadata;
  for (const SafetensorsEntry& e : header.entries) {
    torch::Tensor t = torch::empty(e.shape, torch::TensorOptions().dtype(ToScalarType(e.dtype)));
    if (e.end > e.begin) source.ReadAt(header.data_start + e.begin, t.data_ptr(), e.end - e.begin);
    if (e.dtype == DType::kBool) {
      auto* bytes = static_cast<uint8_t*>(t.data_ptr());
      for (int64_t i = 0; i < t.numel(); ++i) bytes[i] = bytes[i] != 0;
    }
    out.tensors.Add(e.name, std::move(t));
  }
  return out;
}

SafetensorsFile ReadSafetensors(const std::filesystem::path& path) {
  const FileSource source(path);
  return ReadSafetensors(source);
}

void WriteSafetensors(const std::filesystem::path& path, const StateDict& tensors,
                      const std::map<std::string, std::string>& metadata) {
  std::vector<SafetensorsEntry> entries;
  std::vector<torch::Tensor> data;
  entries.reserve(tensors.size());
  data.reserve(tensors.size());
  for (const auto& [name, tensor] : tensors) {
    if (!tensor.defined()) throw CV_ERROR(InvalidArgumentError, "undefined tensor").With("name", name);
    if (tensor.layout() != torch::kStrided) {
      throw CV_ERROR(UnavailableError, "only dense tensors can be written to safetensors").With("name", name);
    }
    SafetensorsEntry e;
    e.name = name;
    e.dtype = WithContext("name", name, [&] { return FromScalarType(tensor.scalar_type()); });
    e.shape = tensor.sizes().vec();
    entries.push_back(std::move(e));
    data.push_back(tensor.detach().to(torch::kCPU).contiguous());
  }
  const std::string header = WithContext("path", path.string(), [&] {
    for (const SafetensorsEntry& e : entries) {
      WithContext("name", e.name, [&] { return SafetensorsName(e.dtype); });  // complex: UnavailableError
    }
    return SerializeSafetensorsHeader(entries, metadata);
  });
  WriteFileAtomic(path, [&](std::ostream& out) {
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    for (size_t i = 0; i < data.size(); ++i) {
      const auto nbytes = static_cast<std::streamsize>(entries[i].end - entries[i].begin);
      if (nbytes > 0) out.write(static_cast<const char*>(data[i].data_ptr()), nbytes);
    }
    if (!out) throw CV_ERROR(IoError, "write failed").With("path", path.string());
  });
}

}  // namespace crossview::checkpoint

#include "crossview/checkpoint/checkpoint.h"

#include <chrono>
#include <memory>

#include "crossview/checkpoint/safetensors.h"
#include "crossview/util/errors.h"
#include "crossview/util/log.h"

namespace crossview::checkpoint {
namespace {

// Views each selected tensor on its storage, reading every storage once, the first time a
// tensor needs it; unused storages (e.g. optimizer state beside the weights) are never read.
StateDict Materialize(const TorchArchive& archive, const TensorDict& dict) {
  const std::vector<StorageRef>& storages = archive.tree().storages();
  std::vector<torch::Tensor> loaded(storages.size());
  StateDict out;
  for (const auto& [name, ref] : dict.tensors) {
    torch::Tensor& storage = loaded.at(ref->storage);
    if (!storage.defined()) {
      const StorageRef& s = storages[ref->storage];
      storage = torch::empty({static_cast<int64_t>(s.numel)}, torch::TensorOptions().dtype(ToScalarType(s.dtype)));
      if (archive.StorageBytes(ref->storage) > 0) {
        archive.ReadStorage(ref->storage, storage.data_ptr());
      }
      if (s.dtype == DType::kBool) {
        // Any byte other than 0/1 is not a valid bool; normalise rather than hand torch bad values.
        auto* bytes = static_cast<uint8_t*>(storage.data_ptr());
        for (int64_t i = 0; i < storage.numel(); ++i) bytes[i] = bytes[i] != 0;
      }
    }
    out.Add(name, storage.as_strided(ref->sizes, ref->strides, static_cast<int64_t>(ref->storage_offset)));
  }
  return out;
}

}  // namespace

void LoadOptions::Check() const {
  if (max_nesting_depth < 4) {
    throw CV_ERROR(InvalidArgumentError, "max_nesting_depth must be at least 4").With("value", max_nesting_depth);
  }
  if (max_pickle_objects < 16 || max_pickle_objects > (uint64_t{1} << 31)) {
    throw CV_ERROR(InvalidArgumentError, "max_pickle_objects must be between 16 and 2^31")
        .With("value", max_pickle_objects);
  }
  if (max_pickle_bytes == 0) throw CV_ERROR(InvalidArgumentError, "max_pickle_bytes must be positive");
}

torch::ScalarType ToScalarType(DType dtype) {
  switch (dtype) {
    case DType::kFloat32: return torch::kFloat32;
    case DType::kFloat64: return torch::kFloat64;
    case DType::kFloat16: return torch::kFloat16;
    case DType::kBFloat16: return torch::kBFloat16;
    case DType::kInt64: return torch::kInt64;
    case DType::kInt32: return torch::kInt32;
    case DType::kInt16: return torch::kInt16;
    case DType::kInt8: return torch::kInt8;
    case DType::kUInt8: return torch::kUInt8;
    case DType::kBool: return torch::kBool;
    case DType::kComplex64: return torch::kComplexFloat;
    case DType::kComplex128: return torch::kComplexDouble;
  }
  throw CV_ERROR(InternalError, "unknown DType").With("value", static_cast<int>(dtype));
}

DType FromScalarType(torch::ScalarType type) {
  switch (type) {
    case torch::kFloat32: return DType::kFloat32;
    case torch::kFloat64: return DType::kFloat64;
    case torch::kFloat16: return DType::kFloat16;
    case torch::kBFloat16: return DType::kBFloat16;
    case torch::kInt64: return DType::kInt64;
    case torch::kInt32: return DType::kInt32;
    case torch::kInt16: return DType::kInt16;
    case torch::kInt8: return DType::kInt8;
    case torch::kUInt8: return DType::kUInt8;
    case torch::kBool: return DType::kBool;
    case torch::kComplexFloat: return DType::kComplex64;
    case torch::kComplexDouble: return DType::kComplex128;
    default: break;
  }
  throw CV_ERROR(UnavailableError, "tensor dtype not supported in checkpoints").With("dtype", c10::toString(type));
}

Checkpoint ReadCheckpoint(const std::filesystem::path& path, const LoadOptions& options) {
  options.Check();
  const auto start = std::chrono::steady_clock::now();
  auto source = std::make_shared<FileSource>(path);
  Checkpoint out;
  out.format = DetectFormat(*source);
  if (out.format == CheckpointFormat::kSafetensors) {
    if (!options.state_dict_key.empty()) {
      throw CV_ERROR(InvalidArgumentError, "state_dict_key does not apply to safetensors files")
          .With("path", path.string())
          .With("state_dict_key", options.state_dict_key);
    }
    SafetensorsFile file = ReadSafetensors(*source);
    out.tensors = std::move(file.tensors);
    out.metadata = std::move(file.metadata);
  } else {
    ArchiveOptions archive_options;
    archive_options.verify_crc32 = options.verify_crc32;
    archive_options.max_pickle_bytes = options.max_pickle_bytes;
    archive_options.pickle.max_depth = options.max_nesting_depth;
    archive_options.pickle.max_objects = options.max_pickle_objects;
    archive_options.pickle.allow_opaque_globals = options.allow_opaque_globals;
    const TorchArchive archive(source, archive_options);
    const TensorDict dict = WithContext("path", path.string(),
                                        [&] { return FindTensorDict(archive.tree(), options.state_dict_key); });
    out.state_dict_path = dict.path;
    out.tensors = WithContext("path", path.string(), [&] { return Materialize(archive, dict); });
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CV_LOG_DEBUG("read {} tensors from {} ({}) in {:.3f} s", out.tensors.size(), path.string(), FormatName(out.format),
               seconds);
  return out;
}

StateDict LoadCheckpoint(const std::filesystem::path& path, const LoadOptions& options) {
  return ReadCheckpoint(path, options).tensors;
}

}  // namespace crossview::checkpoint

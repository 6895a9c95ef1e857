// Element types of stored tensors, independent of libtorch, with their names in the two file
// formats this module reads: torch.save storage classes ("FloatStorage") and safetensors ("F32").
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace crossview::checkpoint {

enum class DType : uint8_t {
  kFloat32,
  kFloat64,
  kFloat16,
  kBFloat16,
  kInt64,
  kInt32,
  kInt16,
  kInt8,
  kUInt8,
  kBool,
  kComplex64,   // torch only (ComplexFloatStorage); safetensors has no complex type
  kComplex128,  // torch only (ComplexDoubleStorage)
};

// Bytes per element.
uint64_t ElementSize(DType dtype);
// Lower-case name for messages, e.g. "float32".
const char* DTypeName(DType dtype);

// "FloatStorage" -> kFloat32 (the class name after "torch."); nullopt for names not recognised.
// "UntypedStorage" maps to kUInt8, as torch.save writes untyped storages as bytes.
std::optional<DType> DTypeFromTorchStorage(const std::string& class_name);

// Safetensors dtype strings: F32 F64 F16 BF16 I64 I32 I16 I8 U8 BOOL.
std::optional<DType> DTypeFromSafetensors(const std::string& name);
// Throws UnavailableError for dtypes safetensors cannot represent (complex).
std::string SafetensorsName(DType dtype);
// The list above, for error messages.
const char* SafetensorsDTypeList();

}  // namespace crossview::checkpoint

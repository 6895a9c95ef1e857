#include "crossview/checkpoint/dtype.h"

#include <utility>

#include "crossview/util/errors.h"

namespace crossview::checkpoint {
namespace {

struct DTypeRow {
  DType dtype;
  uint64_t size;
  const char* name;
  const char* torch_storage;
  const char* safetensors;  // nullptr: not representable
};

constexpr DTypeRow kRows[] = {
    {DType::kFloat32, 4, "float32", "FloatStorage", "F32"},
    {DType::kFloat64, 8, "float64", "DoubleStorage", "F64"},
    {DType::kFloat16, 2, "float16", "HalfStorage", "F16"},
    {DType::kBFloat16, 2, "bfloat16", "BFloat16Storage", "BF16"},
    {DType::kInt64, 8, "int64", "LongStorage", "I64"},
    {DType::kInt32, 4, "int32", "IntStorage", "I32"},
    {DType::kInt16, 2, "int16", "ShortStorage", "I16"},
    {DType::kInt8, 1, "int8", "CharStorage", "I8"},
    {DType::kUInt8, 1, "uint8", "ByteStorage", "U8"},
    {DType::kBool, 1, "bool", "BoolStorage", "BOOL"},
    {DType::kComplex64, 8, "complex64", "ComplexFloatStorage", nullptr},
    {DType::kComplex128, 16, "complex128", "ComplexDoubleStorage", nullptr},
};

const DTypeRow& Row(DType dtype) {
  for (const DTypeRow& row : kRows) {
    if (row.dtype == dtype) return row;
  }
  throw CV_ERROR(InternalError, "unknown DType").With("value", static_cast<int>(dtype));
}

}  // namespace

uint64_t ElementSize(DType dtype) { return Row(dtype).size; }

const char* DTypeName(DType dtype) { return Row(dtype).name; }

std::optional<DType> DTypeFromTorchStorage(const std::string& class_name) {
  if (class_name == "UntypedStorage") return DType::kUInt8;
  for (const DTypeRow& row : kRows) {
    if (class_name == row.torch_storage) return row.dtype;
  }
  return std::nullopt;
}

std::optional<DType> DTypeFromSafetensors(const std::string& name) {
  for (const DTypeRow& row : kRows) {
    if (row.safetensors != nullptr && name == row.safetensors) return row.dtype;
  }
  return std::nullopt;
}

std::string SafetensorsName(DType dtype) {
  const DTypeRow& row = Row(dtype);
  if (row.safetensors == nullptr) {
    throw CV_ERROR(UnavailableError, "safetensors cannot store this dtype")
        .With("dtype", row.name)
        .Hint(std::string("supported: ") + SafetensorsDTypeList());
  }
  return row.safetensors;
}

const char* SafetensorsDTypeList() { return "F32, F64, F16, BF16, I64, I32, I16, I8, U8, BOOL"; }

}  // namespace crossview::checkpoint

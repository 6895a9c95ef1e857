// Reading and writing .safetensors files (see safetensors_format.h for the layout and checks).
#pragma once

#include <torch/torch.h>

#include <filesystem>
#include <map>
#include <string>

#include "crossview/checkpoint/byte_source.h"
#include "crossview/checkpoint/state_dict.h"

namespace crossview::checkpoint {

struct SafetensorsFile {
  StateDict tensors;                             // in data-offset order
  std::map<std::string, std::string> metadata;   // the header's __metadata__
};

// Strictly validates the header (offsets contiguous, in bounds, non-overlapping, lengths matching
// dtype and shape) before reading; returns contiguous CPU tensors.
SafetensorsFile ReadSafetensors(const std::filesystem::path& path);
SafetensorsFile ReadSafetensors(const ByteSource& source);

// Writes the tensors (in the state dict's order; moved to the CPU and made contiguous) atomically:
// a failure leaves any existing file untouched. Dtypes: float32/64, float16, bfloat16,
// int64/32/16/8, uint8, bool; others are an UnavailableError.
void WriteSafetensors(const std::filesystem::path& path, const StateDict& tensors,
                      const std::map<std::string, std::string>& metadata = {});

}  // namespace crossview::checkpoint

// Loading PyTorch checkpoints without Python: torch.save files (zip, PyTorch >= 1.6, and the
// legacy format of older versions) and safetensors, detected from the file's content.
//
//   StateDict sd = LoadCheckpoint("net_best.pth");   // a state dict, a plain dict or one wrapped
//   LoadOptions options;                              // in {"state_dict": ...}, {"model": ...}, ...
//   options.state_dict_key = "model_ema";             // choose when there are several
//   StateDict ema = LoadCheckpoint("ckpt.pth", options);
//
// Reading is safe for untrusted files: nothing in a pickle is executed (see pickle.h), storages
// are size-checked against the archive before anything is allocated, and every problem is a
// crossview error naming the file and what is wrong.
//
// Tensors come back on the CPU exactly as torch.load returns them: same dtype, sizes, strides and
// storage offset; tensors that shared a storage in the file share one here too, and storages no
// selected tensor uses (optimizer state, say) are never read. requires_grad is not restored.
#pragma once

#include <torch/torch.h>

#include <filesystem>
#include <map>
#include <string>

#include "crossview/checkpoint/dtype.h"
#include "crossview/checkpoint/state_dict.h"
#include "crossview/checkpoint/torch_archive.h"

namespace crossview::checkpoint {

struct LoadOptions {
  // Which entry holds the state dict, e.g. "state_dict", "model", "net", or a nested path
  // "checkpoint/state_dict". Empty: the root if it is a dict of tensors, else the one dict of
  // tensors nested in it (an error lists the candidates if there are several).
  std::string state_dict_key;
  bool verify_crc32 = true;
  // Turn globals that are off the allow-list into inert opaque values instead of failing, e.g. to
  // read the weights of a training checkpoint that also pickles an argparse.Namespace. Nothing is
  // executed either way.
  bool allow_opaque_globals = false;
  // Limits against hostile files, each an error naming the limit when exceeded: container and
  // MARK nesting, objects the unpickler builds (a 450-tensor state dict needs about 8,000), and
  // the size of a zip's data.pkl (legacy pickles are streamed, bounded by the object limit).
  uint32_t max_nesting_depth = 256;
  uint64_t max_pickle_objects = 4'000'000;
  uint64_t max_pickle_bytes = 256ull << 20;

  void Check() const;
};

struct Checkpoint {
  StateDict tensors;
  CheckpointFormat format = CheckpointFormat::kTorchZip;
  std::string state_dict_path;  // where the tensors were found: "" (root), "state_dict", ...
  std::map<std::string, std::string> metadata;  // safetensors __metadata__
};

// Reads a checkpoint of any supported format. NotFoundError if the file does not exist; IoError if
// it is truncated or corrupt; InvalidArgumentError for disallowed globals or an ambiguous or
// missing state dict; UnavailableError for unsupported variants (compressed entries, big-endian,
// TorchScript, tar).
Checkpoint ReadCheckpoint(const std::filesystem::path& path, const LoadOptions& options = {});

// ReadCheckpoint(...).tensors.
StateDict LoadCheckpoint(const std::filesystem::path& path, const LoadOptions& options = {});

torch::ScalarType ToScalarType(DType dtype);
// UnavailableError for scalar types without a DType (quantized, unsigned beyond uint8, ...).
DType FromScalarType(torch::ScalarType type);

}  // namespace crossview::checkpoint

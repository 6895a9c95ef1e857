// State dicts: the named tensors of a module (parameters, then buffers, like PyTorch's
// state_dict()) and loading a name → tensor list into a module with a clear report. The name
// mapping of every architecture lives here (prefix rewrites, aliases), in one place.
#pragma once

#include <torch/nn/module.h>

#include <string>
#include <utility>
#include <vector>

namespace crossview::models {

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// Parameters and buffers by name (undefined optional tensors are skipped).
NamedTensors StateDict(const torch::nn::Module& module);

struct KeyRewrite {
  std::string from_prefix;  // a checkpoint key starting with this...
  std::string to_prefix;    // ...is looked up in the module under this prefix instead
};

struct LoadOptions {
  // Every module key must be present with the same shape and no checkpoint key may be left over.
  bool strict = true;
  std::vector<KeyRewrite> rewrites;
  // Checkpoint keys starting with one of these are aliases of keys loaded under another name
  // (e.g. "model_3." when the drone branch shares model_1): skipped when the aliased tensor is
  // equal, reported as unexpected otherwise.
  std::vector<KeyRewrite> aliases;
  // Checkpoint keys ending with one of these are dropped silently (e.g. "num_batches_tracked"
  // for frozen BN, an unused "fc." head).
  std::vector<std::string> ignore_suffixes;
  std::vector<std::string> ignore_prefixes;
};

struct LoadReport {
  size_t loaded = 0;
  std::vector<std::string> missing;          // in the module, not in the checkpoint
  std::vector<std::string> unexpected;       // in the checkpoint, not in the module
  std::vector<std::string> shape_mismatch;   // "key: checkpoint [..] vs module [..]"
  bool ok() const { return missing.empty() && unexpected.empty() && shape_mismatch.empty(); }
  std::string Summary(size_t max_keys = 8) const;
};

// Copies matching tensors into the module (converting dtype, keeping the module's device). With
// options.strict, any missing/unexpected/mismatched key throws InvalidArgumentError listing them
// and nothing is modified; otherwise what matches is loaded and the rest is reported.
LoadReport LoadStateDict(torch::nn::Module& module, const NamedTensors& checkpoint, const LoadOptions& options = {});

}  // namespace crossview::models

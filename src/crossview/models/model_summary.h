// Describing a model: the module tree with parameter counts, the state-dict keys with shapes,
// and the multiply-accumulates (MACs) of one forward pass.
//
// MACs are counted by observing the ATen operators that actually run (RecordFunction callbacks
// on the calling thread), not estimated from module types: convolutions (per output element
// C_in/groups·k_h·k_w), transposed convolutions (per input element C_out/groups·k_h·k_w), linear
// layers and matrix products (mm, addmm, bmm, baddbmm, matmul: per output element the inner
// dimension). Only the outermost counted operator of a call is counted (conv2d, not also the
// convolution it dispatches to). Element-wise operations, normalisation, pooling, softmax and
// interpolation are not counted. Papers usually call MACs "FLOPs"; 2·MACs is the FLOP count.
#pragma once

#include <torch/nn/module.h>

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace crossview::models {

struct ModuleSummary {
  std::string name;        // the registered name ("" for the root)
  std::string type;        // the C++ module type without namespace and "Impl", e.g. "Conv2d"
  int64_t parameters = 0;  // parameters of the module and its descendants (each tensor once)
  std::vector<ModuleSummary> children;
};

// The tree down to `max_depth` levels below the root (deeper modules are folded into their parent).
ModuleSummary SummariseModules(const torch::nn::Module& module, int max_depth);
// Indented text, one module per line: "name  Type  parameters".
std::string FormatModuleTree(const ModuleSummary& tree);
nlohmann::json ToJson(const ModuleSummary& tree);

// Number of parameter elements, each tensor counted once.
int64_t CountParameters(const torch::nn::Module& module);

struct MacCount {
  int64_t total = 0;
  std::map<std::string, int64_t> by_operator;  // e.g. "aten::conv2d" → MACs
};

// Runs `fn` on this thread and counts the MACs of the operators it executes (see above).
MacCount CountMacs(const std::function<void()>& fn);

}  // namespace crossview::models

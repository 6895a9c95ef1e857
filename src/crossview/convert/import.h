// Published PyTorch checkpoints → crossview models, and crossview models → safetensors.
//
//   ImportOptions o;                     // arch "auto": guessed from the key names
//   ImportSummary s = ImportCheckpoint("net_119.pth", "models/msba", o);   // a crossview model dir
//   StoredRetrievalModel m = LoadRetrievalModelAny("net_119.pth", o);      // the same, in memory
//   StoredDrlModel d = LoadDrlModelAny("drl_release.pth", o);
//
// What each architecture becomes:
//   u1652-baseline, lpn, msba, mfrl, imlnet → a retrieval model directory (model.json + model.pt):
//       the network is built from the method's preset (default "paper") with what the weights
//       determine read from them — classes and bottleneck (classifier shapes), ResNet depth and
//       width, LPN blocks, the baseline's pooling, the ConvNeXt size — then `--set model.*`
//       overrides; the weights load strictly (models/weight_import.h for the name mapping).
//   drl-mix → a DRL model directory (drl_model.json + drl_model.pt), the paper configuration.
//   resnet18/34/50, convnext-t, vgg16, vgg16-features, cvt13-imagenet (backbones) → one
//       .safetensors file in crossview's names, checked by loading it into the backbone, ready for
//       `train --init-backbone`.
// A .safetensors file written by ExportSafetensors carries its model.json in the metadata and is
// rebuilt exactly from it (no inference).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crossview/models/model_store.h"
#include "crossview/models/weights.h"
#include "crossview/train/drl_trainer.h"

namespace crossview::convert {

struct ImportOptions {
  std::string arch = "auto";    // models::ImportArchitectures() or auto
  std::string method;           // retrieval: the method to build (default: the arch's; imlnet from a baseline file)
  std::string preset = "paper"; // the training preset whose model options fill what the weights do not determine
  std::vector<std::string> sets;  // model.* overrides
  int64_t classes = 0;          // > 0: the class count the caller expects (checked against the file)
  int input_size = 0;           // retrieval input side; 0 = the preset's
  bool strict = true;           // off: load what matches and list the rest
  std::string state_dict_key;   // which entry of a wrapped checkpoint holds the weights
  void Check() const;
};

struct ImportSummary {
  std::string kind;    // retrieval | drl | backbone
  std::string arch, layout, method, in, out;
  std::string sha256;  // of the input file
  int64_t classes = -1;
  models::LoadReport report;
  nlohmann::json ToJson() const;
};

// The checkpoint's tensors and (for safetensors) metadata.
struct CheckpointTensors {
  models::NamedTensors tensors;
  std::map<std::string, std::string> metadata;
};
CheckpointTensors ReadCheckpointTensors(const std::filesystem::path& file, const ImportOptions& options = {});

// Imports `in` into `out` (a directory for models, a .safetensors file for backbones). Nothing is
// written unless the weights loaded (strictly, unless options.strict is off); `out` must not exist.
ImportSummary ImportCheckpoint(const std::filesystem::path& in, const std::filesystem::path& out, const ImportOptions& options);

// A crossview model directory as is, or a checkpoint file imported in memory.
models::StoredRetrievalModel LoadRetrievalModelAny(const std::filesystem::path& path, const ImportOptions& options = {},
                                                   ImportSummary* summary = nullptr);
train::StoredDrlModel LoadDrlModelAny(const std::filesystem::path& path, const ImportOptions& options = {}, ImportSummary* summary = nullptr);

// True for a checkpoint file (not a crossview model directory).
bool IsCheckpointFile(const std::filesystem::path& path);

// Writes a crossview model directory (retrieval or DRL) as one .safetensors file: the state dict
// under the reference's key names, metadata {"crossview_kind", "crossview_model_json"}. Atomic.
nlohmann::json ExportSafetensors(const std::filesystem::path& model_dir, const std::filesystem::path& out);

}  // namespace crossview::convert

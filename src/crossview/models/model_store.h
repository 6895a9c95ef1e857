// Saving and loading trained crossview models: a directory (or file pair) holding
//   model.json  {"kind": "retrieval", "options": {...}, "input_size": 256, ...}
//   model.pt    the state dict (named tensors) in libtorch's archive format
// so evaluation, indexing and the service rebuild exactly the trained architecture.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "crossview/models/retrieval_net.h"

namespace crossview::models {

nlohmann::json ToJson(const RetrievalNetOptions& o);
RetrievalNetOptions RetrievalNetOptionsFromJson(const nlohmann::json& j);

struct StoredRetrievalModel {
  RetrievalNet net{nullptr};
  nlohmann::json info;  // model.json (options, input_size, training provenance)
  int input_size = 256;
};

// Writes model.json and model.pt into `dir` atomically. `extra` is merged into model.json.
void SaveRetrievalModel(const std::filesystem::path& dir, RetrievalNet& net, int input_size, const nlohmann::json& extra = {});
// Reads a directory written by SaveRetrievalModel (or a run directory containing one). Strict:
// a state dict that does not match the architecture in model.json is an error.
StoredRetrievalModel LoadRetrievalModel(const std::filesystem::path& dir);

// The named tensors of a module written to / read from a libtorch archive file (atomic write).
void SaveStateDictArchive(const std::filesystem::path& path, const torch::nn::Module& module);
void LoadStateDictArchive(const std::filesystem::path& path, torch::nn::Module& module);

}  // namespace crossview::models

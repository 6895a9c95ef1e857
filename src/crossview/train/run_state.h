// Training-run state on disk: checkpoints that hold the model, the optimiser and the position
// (epoch, iteration) and resume exactly at an epoch boundary; the JSONL epoch log, rewritten
// atomically and truncated to the resumed epoch.
#pragma once

#include <c10/core/Device.h>
#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace crossview::train {

struct RunPosition {
  int epoch = -1;      // last completed epoch (0-based)
  int64_t iteration = 0;  // optimiser steps taken so far
};

void SaveTrainingCheckpoint(const std::filesystem::path& path, const torch::nn::Module& model, torch::optim::Optimizer& opt,
                            const RunPosition& position);
RunPosition LoadTrainingCheckpoint(const std::filesystem::path& path, torch::nn::Module& model, torch::optim::Optimizer& opt,
                                   c10::Device device);

// The JSONL log of a run directory: existing lines of epochs < `keep_before_epoch` are kept.
class EpochLog {
 public:
  EpochLog(std::filesystem::path path, int keep_before_epoch);
  void Append(const nlohmann::json& line);  // rewrites the file atomically

 private:
  std::filesystem::path path_;
  std::vector<std::string> lines_;
};

// Refuses to overwrite a run unless resuming, and to resume what is not there.
void CheckRunDirectory(const std::filesystem::path& run, bool resume);

}  // namespace crossview::train

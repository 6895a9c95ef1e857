// Training Drone Referring Localization (spec drl.md §6–9) on a UL14-layout dataset: UAV random
// erasing + random-interpolation resize, satellite Random Scale Crop + random-interpolation resize,
// no normalisation, the DRL losses on the output-sized heatmap, AdamW with weight decay on every
// parameter and the per-iteration warm-up + cosine schedule, checkpoints and JSONL log as for
// retrieval, and the MA@K / RDS evaluation on the test folder at the end.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crossview/models/drl/drl_net.h"
#include "crossview/train/drl_loss.h"
#include "crossview/train/schedule.h"
#include "crossview/transforms/drl_augment.h"
#include "crossview/util/option_table.h"

namespace crossview::train {

struct DrlTrainOptions {
  std::string data, out, preset = "cpu-tiny";
  models::drl::DrlNetOptions net = models::drl::DrlNetOptions::Paper();
  std::string init_backbone;  // ImageNet CvT-13 weights (models/pretrained.h); empty = random
  int uav_size = 128;
  int satellite_size = 384;
  transforms::RandomScaleCropOptions rsc;
  double uav_erasing = 0.3;
  DrlLossOptions loss;
  int hanning_size = 31;
  int stored_size = 768;  // side of the stored test search maps (their labels are in this space)
  int epochs = 12;
  int batch_size = 8;
  int64_t seed = 666;
  std::string device = "auto";
  int decode_threads = 0;
  int64_t eval_max_samples = 0;  // 0 = the whole test folder
  OptimOptions optim;
  void Check() const;
  OptionTable Bind();
  static const std::vector<std::string>& Presets();
  static DrlTrainOptions Preset(const std::string& preset, const std::string& fusion);
};

struct DrlTrainSummary {
  int epochs_run = 0;
  double final_loss = 0;
  double seconds = 0;
  nlohmann::json evaluation;
};

// Writes config.json, log.jsonl, checkpoint.pt, drl_model.pt + drl_model.json and eval.json
// (with predictions.json) into options.out.
DrlTrainSummary TrainDrl(const DrlTrainOptions& options, bool resume);

// The DRL model store: drl_model.json ({"kind": "drl", "options": ..., sizes, hanning}) and
// drl_model.pt, written next to each other.
nlohmann::json ToJson(const models::drl::DrlNetOptions& o);
models::drl::DrlNetOptions DrlNetOptionsFromJson(const nlohmann::json& j);
void SaveDrlModel(const std::string& dir, models::drl::DrlNet& net, const DrlTrainOptions& options);
struct StoredDrlModel {
  models::drl::DrlNet net{nullptr};
  int uav_size = 128, satellite_size = 384, hanning_size = 31;
  nlohmann::json info;
};
StoredDrlModel LoadDrlModel(const std::string& dir);

}  // namespace crossview::train

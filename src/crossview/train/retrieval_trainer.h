// Training the retrieval networks (spec retrieval.md §5–6) on a University-1652-layout dataset:
// the per-class paired sampler (each batch = B distinct buildings, one satellite + one drone image
// each, aligned), multi-threaded decoding and augmentation, the per-method losses (retrieval_step.h:
// CE per head summed or averaged, KL mutual learning, cross-view triplet, the MFRL hybrid loss, the
// IML-Net reconstruction + DRCL + MUML crop passes), SGD/AdamW with a lower backbone
// learning rate and epoch schedules, checkpoints that resume exactly at epoch boundaries, a JSONL
// log and the effective configuration written into the run directory.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crossview/models/retrieval_net.h"
#include "crossview/train/retrieval_step.h"
#include "crossview/train/schedule.h"
#include "crossview/util/option_table.h"

namespace crossview::train {

struct RetrievalTrainOptions {
  std::string data;  // dataset root (University-1652 layout: train/{satellite,drone})
  std::string out;   // run directory
  std::string preset = "cpu-tiny";
  // model
  std::string method = "msba";
  int depth = 50;
  int last_stride = 1;
  int base_width = 64;
  double dropout = 0.75;
  int bottleneck = 512;
  int lpn_blocks = 4;
  std::string baseline_pool = "avg";
  std::string init_backbone;  // ImageNet weights for the backbone (models/pretrained.h); empty = random
  std::string convnext = "tiny";  // MFRL backbone: tiny (ConvNeXt-T) | base | reduced (depths 1/1/2/1, dims 24..192)
  models::MfrlOptions mfrl;
  models::ImlNetOptions iml;
  // data
  int size = 256;
  int pad = 10;
  double color_jitter = 0.0;
  double erasing = 0.0;
  double flip = 0.5;             // horizontal-flip probability
  bool satellite_affine = true;  // RandomAffine(90) on satellites
  int batch_size = 8;
  int sample_num = 1;  // each building repeated this many times, consecutively, per epoch (paired sampler)
  int decode_threads = 0;
  RetrievalLossOptions loss;  // loss.* and muml.*
  // run
  int epochs = 140;
  int64_t seed = 1;
  std::string device = "auto";
  int eval_every = 0;  // evaluate on test/ every N epochs (0 = only at the end)
  OptimOptions optim;

  void Check() const;
  // The network these options describe, for a dataset of `num_classes` training buildings.
  models::RetrievalNetOptions ModelOptions(int64_t num_classes) const;
  // Binds every field except data/out/preset under its config key (model.*, data.*, loss.*,
  // muml.*, train.*, optim.*).
  OptionTable Bind();
  // The named presets: cpu-tiny (minutes, for tests and the demo), cpu-ci, paper (the method's
  // published recipe). Presets set defaults; --config and --set override them.
  static const std::vector<std::string>& Presets();
  static RetrievalTrainOptions Preset(const std::string& preset, const std::string& method);
};

struct TrainSummary {
  int epochs_run = 0;
  double final_loss = 0;
  double final_accuracy = 0;
  double seconds = 0;
  nlohmann::json evaluation;  // D→S / S→D metrics when the dataset has a test split
};

// Trains (or resumes with `resume`) and writes into options.out: config.json, log.jsonl,
// checkpoint.pt (model + optimiser + epoch), model.pt + model.json (for evaluation and indexing),
// eval.json. Throws InvalidArgumentError when the run directory already holds a run and `resume`
// is off.
TrainSummary TrainRetrieval(const RetrievalTrainOptions& options, bool resume);

}  // namespace crossview::train

// The paper's comparison of DRL with image retrieval on the same test pairs (spec drl.md §10):
// the grid-split retrieval baseline and the per-stage time and storage accounting, in one run on
// one machine.
//
// Grid split (§10.1), for every (UAV, search map) pair and every variant (K, stride fraction f):
// the search map is resized (OpenCV bilinear) to K·s square (s = the retrieval model's input side)
// and cut into s-px tiles every s·f px (f = 1: the K×K grid; f = 0.5: half-overlapping tiles);
// tiles and the UAV image (PIL bicubic to s) are described with the model's own preprocessing
// (ImageNet normalisation, flip TTA, per-part L2); the tile with the highest cosine wins and its
// centre is the prediction, expressed in the reference's 400-px frame (trunc(fraction · 400)) for
// RDS and the corner geo-conversion; MA@K / RDS / SDM as for DRL.
//
// Time (§10.2), summed over the pairs, batch 1 for DRL and the UAV, `tile_batch` for the gallery:
//   BSG  building the gallery: resize + crop + tile-centre coordinates  (DRL: resize the map to S)
//   GFP  gallery forward pass: the tiles' descriptors                    (DRL: none)
//   IAL  inference + localisation: UAV descriptor + dot products + argmax + lookup
//        (DRL: forward + sigmoid + Hanning + argmax + geo-conversion)
// Decoding the JPEG files is common to both and not counted. Storage: SI = the search-map files
// on disk; GI = the gallery tiles as JPEG (quality 95, encoded in memory: the bytes they would
// take); GF = tiles × D × 4 bytes (float32).
#pragma once

#include <c10/core/Device.h>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crossview/datasets/ul14.h"
#include "crossview/eval/drl_metrics.h"
#include "crossview/models/drl/drl_net.h"
#include "crossview/models/retrieval_net.h"

namespace crossview::eval {

struct GridVariant {
  int k = 5;
  double stride = 1.0;  // fraction of the tile side
};

struct DrlVsIrOptions {
  std::vector<GridVariant> variants = {{3, 1.0}, {5, 1.0}, {7, 1.0}, {10, 1.0}, {5, 0.5}};
  int ir_input_size = 256;
  int tile_batch = 32;
  // DRL model sizes (from its model.json).
  int uav_size = 128, satellite_size = 384, hanning_size = 31;
  int stored_size = 768;  // side of the stored search maps (labels)
  int frame = 400;        // the reference's IR prediction frame
  int64_t max_samples = 0;  // UAV images (0 = all)
  c10::Device device{c10::kCPU};
  std::string progress_label;
  DrlMetricOptions metrics;
  void Check() const;
};

struct StageTimes {
  double bsg_s = 0, gfp_s = 0, ial_s = 0;
};

struct DrlVsIrRow {
  std::string name;  // "DRL" or "IR K=5 stride 1"
  GridVariant variant;
  int64_t tiles_per_map = 0;  // mean
  std::vector<DrlSample> samples;
  DrlMetrics metrics;
  StageTimes time;
  int64_t si_bytes = 0, gi_bytes = 0, gf_bytes = 0;
};

struct DrlVsIrResult {
  std::vector<DrlVsIrRow> rows;  // DRL first, then one per variant
  int64_t pairs = 0;
  int64_t descriptor_dim = 0;
};

DrlVsIrResult CompareDrlWithRetrieval(models::drl::DrlNet& drl, models::RetrievalNet& ir, const std::vector<datasets::Ul14TestSample>& test,
                                      const DrlVsIrOptions& options);

nlohmann::json ToJson(const DrlVsIrResult& r, const DrlVsIrOptions& options);
// The markdown tables (accuracy, time, storage) with the paper's Table III / §10.2 rows beside.
std::string DrlVsIrMarkdown(const DrlVsIrResult& r, const DrlVsIrOptions& options);

}  // namespace crossview::eval

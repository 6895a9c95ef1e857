// Running a model in eval mode on named input tensors and writing every named output as .npy —
// the format-neutral parity check: any tool (NumPy, the reference code) can compare the files.
//
//   arch            inputs                      outputs
//   drl-mix         uav (B,3,h,h),              heatmap_logits, heatmap (sigmoid), satellite_fpn_p3,
//                   satellite (B,3,s,s)         uav_stage{0,1,2}, satellite_stage{0,1,2}
//   msba-head       layer3 (B,C3,h,w),          part_pool, block_attention, descriptor_parts
//                   layer4 (B,C4,h,w)
//   u1652-baseline, lpn, msba, mfrl, imlnet
//                   images (B,3,H,W)            parts (the eval output before flip averaging),
//                                               descriptor (flip TTA + normalisation, as indexed)
//   resnet18/34/50  images                      layer1..layer4, logits
//   vgg16           images                      stage1..stage5, logits
//   convnext-t      images                      stage0..stage3, pooled
// Weights: a checkpoint file (.pth / .safetensors, read by the checkpoint reader) or, for the
// model architectures, a crossview model directory.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crossview/models/weights.h"

namespace crossview::convert {

struct ModelRunOptions {
  std::string arch;              // see the table above
  std::string method;            // retrieval archs: the method to build (default: the arch's)
  std::filesystem::path weights;
  std::filesystem::path inputs;  // .pth / .safetensors holding the named input tensors
  std::string device = "cpu";
  std::string preset = "paper";
  std::vector<std::string> sets;
  int time_runs = 0;  // > 0: also time the computation (median of this many runs after one warm-up)
  void Check() const;
  static const std::vector<std::string>& Archs();
};

// The named outputs, in a fixed order, on the CPU in float32. With options.time_runs, `median_s`
// receives the median seconds of the timed computation (inference mode; the retrieval methods:
// descriptor extraction with flip TTA + normalisation; drl-mix: one forward; backbones: forward).
models::NamedTensors RunModel(const ModelRunOptions& options, double* median_s = nullptr);

// Writes DIR/<name>.npy (float32, C order) for every output and DIR/outputs.json (names, shapes,
// the options). Returns outputs.json's content.
nlohmann::json WriteOutputs(const std::filesystem::path& dir, const models::NamedTensors& outputs, const ModelRunOptions& options);

}  // namespace crossview::convert

// The Drone Referring Localization network (spec drl.md §3–5): a UAV image and a satellite search
// map in, a logit heatmap over the search map out (no final activation; sigmoid is the caller's).
// Inputs are RGB in [0, 1] with no mean/std normalisation.
//
// Module names reproduce the official state dict:
//   Mix-Fusion:  union_backbone.backbone.backbone.<CvT>,  Post-Fusion: backbone_{uav,satellite}.backbone.<CvT>
//   neck_{uav,satellite}.neck.<FPN_I3 | CCN>,  head.head.<ChannelEmbedding | pooling | GC>
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <string>
#include <vector>

#include "crossview/models/drl/attention_fusion.h"
#include "crossview/models/drl/cvt.h"
#include "crossview/models/drl/heads.h"
#include "crossview/models/drl/necks.h"

namespace crossview::models::drl {

struct DrlNetOptions {
  std::string fusion = "mix";   // mix (single stream) | post (two CvT streams)
  bool small_backbone = false;  // reduced CvT for CPU tests and the demo
  std::string neck = "fpn";     // fpn (FPN_I3) | ccn (Conv1×1 on stage 2)
  std::string head = "ce";      // ce | avg | gem | gc | caf | saf
  int64_t neck_dim = 128;
  std::vector<int64_t> ce_dims = {64, 16, 1};  // ChannelEmbedding after neck_dim
  int64_t fpn_level = 0;        // satellite FPN level fed to the head: 0 = P3 (stride 4)
  int64_t output_size = 384;    // nearest (legacy) upsampling of the logits; 0 = keep the head's size
  double gc_out_scale = 1e-4;   // GC's learnable scale init (3e-5 in Mix+GC configs)
  bool gc_padding = true;
  bool share_backbone = false;  // Post-Fusion: one CvT for both views
  bool skip_unused_branches = false;  // inference: skip the UAV FPN and P4/P5 outputs
  void Check() const;
  // MixCvT13_FPN128_outstride1nearest_CE (the paper configuration), and a small CPU variant.
  static DrlNetOptions Paper();
  static DrlNetOptions Small();
  // Post-Fusion CvT-13 + CCN + GC, the dual-stream comparison configuration.
  static DrlNetOptions PostFusionGc();
};

struct DrlOutput {
  torch::Tensor logits;                        // (B, 1, S, S) after upsampling
  std::vector<torch::Tensor> uav_stages;       // backbone maps, for parity checks
  std::vector<torch::Tensor> satellite_stages;
  torch::Tensor satellite_neck;                // the satellite map the head consumed
};

// Holder modules that only exist to reproduce the reference's key prefixes.
class NamedHolderImpl : public torch::nn::Module {};
TORCH_MODULE(NamedHolder);

class DrlNetImpl : public torch::nn::Module {
 public:
  explicit DrlNetImpl(const DrlNetOptions& options = DrlNetOptions::Paper());
  DrlOutput forward(const torch::Tensor& uav, const torch::Tensor& satellite);
  const DrlNetOptions& options() const { return options_; }
  Cvt& uav_backbone() { return cvt_uav_; }

 private:
  std::vector<torch::Tensor> Neck(bool uav, const std::vector<torch::Tensor>& stages);
  torch::Tensor Head(const std::vector<torch::Tensor>& uav_neck, const std::vector<torch::Tensor>& sat_neck);

  DrlNetOptions options_;
  Cvt cvt_uav_{nullptr}, cvt_satellite_{nullptr};  // the same module for Mix-Fusion
  FpnI3 fpn_uav_{nullptr}, fpn_satellite_{nullptr};
  Ccn ccn_uav_{nullptr}, ccn_satellite_{nullptr};
  ChannelEmbedding ce_{nullptr};
  ChannelPooling pool_{nullptr};
  SingleGroupFusionHead gc_{nullptr};
  AttentionFusionHead fusion_{nullptr};
};
TORCH_MODULE(DrlNet);

}  // namespace crossview::models::drl

// Retrieval networks of the University-1652 family, composed from a backbone and heads (spec
// retrieval.md §4.2–4.4): the baseline (`three_view_net`), LPN and MSBA. Module names reproduce
// the official state-dict keys: model_1.model.<resnet>, [model_1.gem2.p], classifier.* (baseline),
// classifier{i}.* (LPN), classifier{0..5}.* + classifier00.* (MSBA). Satellite images go through
// model_1 and drone images through model_3, which is model_1 itself when weights are shared (the
// checkpoint's duplicate model_3.* keys are an alias handled by the weight loader).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <string>
#include <vector>

#include "crossview/models/backbones/resnet.h"
#include "crossview/models/heads/class_block.h"

namespace crossview::models {

enum class View { kSatellite, kDrone };
const char* ViewName(View view);

struct RetrievalNetOptions {
  std::string method = "msba";  // baseline | lpn | msba
  ResNetOptions backbone{50, 1, 64, 1000};
  int64_t num_classes = 701;
  double dropout = 0.75;
  int64_t bottleneck = 512;
  bool share_weights = true;       // one backbone for satellite and drone
  std::string baseline_pool = "avg";  // avg | max | avg+max | gem
  int lpn_blocks = 4;
  bool lpn_odd_size_quirk = true;
  // Throws InvalidArgumentError naming the field, listing valid values.
  void Check() const;
  static const std::vector<std::string>& Methods();
};

struct RetrievalOutput {
  // Training: one logit tensor (N, K) and one feature tensor (N, bottleneck) per head.
  std::vector<torch::Tensor> logits;
  std::vector<torch::Tensor> features;
  // Both modes: the head bottlenecks stacked as (N, bottleneck, P) — in eval mode this is the
  // reference's eval output (P = 1 for the baseline, b for LPN, 7 for MSBA with global last).
  torch::Tensor parts;
};

class BackboneWrapperImpl : public torch::nn::Module {
 public:
  BackboneWrapperImpl(const ResNetOptions& options, bool gem);
  ResNet model{nullptr};
  torch::Tensor gem_p;  // registered as "gem2.p" when GeM pooling is used
};
TORCH_MODULE(BackboneWrapper);

class RetrievalNetImpl : public torch::nn::Module {
 public:
  explicit RetrievalNetImpl(const RetrievalNetOptions& options = {});
  RetrievalOutput forward(const torch::Tensor& images, View view);
  // The heads alone on backbone stage maps [layer1, layer2, layer3, layer4] (parity checks and
  // cached features): what forward() does after the backbone.
  RetrievalOutput ForwardHeads(const std::vector<torch::Tensor>& stages, View view);
  // Number of descriptor columns P.
  int64_t num_parts() const;
  const RetrievalNetOptions& options() const { return options_; }
  // The backbone modules (for the lower learning rate of the backbone parameter group).
  std::vector<torch::Tensor> BackboneParameters();
  std::vector<torch::Tensor> HeadParameters();

 private:
  BackboneWrapper& Branch(View view);
  torch::Tensor PoolBaseline(BackboneWrapper& branch, const torch::Tensor& x4);

  RetrievalNetOptions options_;
  BackboneWrapper model_1{nullptr};
  BackboneWrapper model_3{nullptr};  // only when weights are not shared
  std::vector<ClassBlock> heads_;    // classifier / classifier{i} / classifier0..5, classifier00
};
TORCH_MODULE(RetrievalNet);

}  // namespace crossview::models

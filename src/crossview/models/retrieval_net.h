// Retrieval networks of the University-1652 family, composed from a backbone and heads (spec
// retrieval.md §4.2–4.4, §4.7–4.8): the baseline (`three_view_net`), LPN, MSBA, MFRL and IML-Net.
// Module names reproduce the official state-dict keys: model_1.model.<resnet>, [model_1.gem2.p],
// classifier.* (baseline), classifier{i}.* (LPN), classifier{0..5}.* + classifier00.* (MSBA). Satellite
// images go through model_1 and drone images through model_3, which is model_1 itself when weights
// are shared (the checkpoint's duplicate model_3.* keys are an alias handled by the weight loader).
// MFRL and IML-Net have no public code; their keys are the spec's: model_1.{convnext,fusion,
// classifier1,classifier_fuse}.* (MFRL, see mfrl.h); model_1.model.<resnet | vgg16 features>,
// classifier.add_block.*, irn.*, muml.* (IML-Net, see imlnet.h). Both always share one backbone.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <string>
#include <vector>

#include "crossview/models/backbones/convnext.h"
#include "crossview/models/backbones/resnet.h"
#include "crossview/models/backbones/vgg.h"
#include "crossview/models/heads/class_block.h"
#include "crossview/models/imlnet.h"
#include "crossview/models/mfrl.h"

namespace crossview::models {

enum class View { kSatellite, kDrone };
const char* ViewName(View view);

struct RetrievalNetOptions {
  std::string method = "msba";  // baseline | lpn | msba | mfrl | imlnet
  ResNetOptions backbone{50, 1, 64, 1000};  // baseline, lpn, msba; imlnet with iml.encoder = resnet
  ConvNextOptions convnext = ConvNextOptions::Tiny();  // mfrl
  VggOptions vgg;  // imlnet with iml.encoder = vgg16 (built without the ImageNet classifier)
  int64_t num_classes = 701;
  double dropout = 0.75;  // the ClassBlocks' Dropout (IML-Net's recipe has none: its presets set 0)
  int64_t bottleneck = 512;
  bool share_weights = true;       // one backbone for satellite and drone
  std::string baseline_pool = "avg";  // avg | max | avg+max | gem
  int lpn_blocks = 4;
  bool lpn_odd_size_quirk = true;
  MfrlOptions mfrl;
  ImlNetOptions iml;
  // Throws InvalidArgumentError naming the field, listing valid values.
  void Check() const;
  static const std::vector<std::string>& Methods();
};

struct RetrievalOutput {
  // Training: one logit tensor (N, K) and one feature tensor (N, bottleneck) per head.
  std::vector<torch::Tensor> logits;
  std::vector<torch::Tensor> features;
  // Both modes: the head bottlenecks stacked as (N, bottleneck, P) — in eval mode this is the
  // reference's eval output (P = 1 for the baseline and IML-Net, b for LPN, 7 for MSBA with global
  // last, 2 for MFRL = [fuse, glob]).
  torch::Tensor parts;
  // IML-Net in training mode: logits = [unit 1..4 (, global when iml.global_ce > 0)], features =
  // [descriptor]; `unit_maps` = the MUML G_n outputs (for the CAMs) and `reconstruction` = the IRN
  // output (N, 3, H, W) for drone inputs (and satellite inputs with iml.recon_satellite).
  std::vector<torch::Tensor> unit_maps;
  torch::Tensor reconstruction;
};

// `model_1` / `model_3` of the ResNet and VGG methods: the backbone under the name "model".
class BackboneWrapperImpl : public torch::nn::Module {
 public:
  BackboneWrapperImpl(const ResNetOptions& options, bool gem);
  explicit BackboneWrapperImpl(const VggOptions& options);
  // Four unit maps — ResNet: layer1..layer4; VGG-16: the post-pool maps of stages 2..5 [INTERP] —
  // and, with `switches`, the max-pool switches the IRN decoder needs.
  std::vector<torch::Tensor> ForwardUnits(const torch::Tensor& x, EncoderSwitches* switches = nullptr);
  ResNet model{nullptr};
  Vgg vgg{nullptr};     // registered as "model" for a VGG backbone
  torch::Tensor gem_p;  // registered as "gem2.p" when GeM pooling is used
};
TORCH_MODULE(BackboneWrapper);

class RetrievalNetImpl : public torch::nn::Module {
 public:
  explicit RetrievalNetImpl(const RetrievalNetOptions& options = {});
  RetrievalOutput forward(const torch::Tensor& images, View view);
  // The backbone alone: the stage maps ForwardHeads consumes (ResNet layer1..layer4, VGG-16
  // stages 2..5, ConvNeXt stages 0..3).
  std::vector<torch::Tensor> ForwardBackbone(const torch::Tensor& images, View view);
  // The heads alone on backbone stage maps [layer1, layer2, layer3, layer4] (ConvNeXt stages 0..3
  // for MFRL; the BackboneWrapper unit maps for IML-Net) — what forward() does after the backbone,
  // except IML-Net's reconstruction, which needs the encoder's switches.
  RetrievalOutput ForwardHeads(const std::vector<torch::Tensor>& stages, View view);
  // Number of descriptor columns P.
  int64_t num_parts() const;
  const RetrievalNetOptions& options() const { return options_; }
  // The backbone modules (for the lower learning rate of the backbone parameter group).
  std::vector<torch::Tensor> BackboneParameters();
  // Every other parameter (heads, MFRL fusion, IRN decoder, MUML units), deduplicated.
  std::vector<torch::Tensor> HeadParameters();
  // IML-Net's MUML units (for the CAMs of the crop step); throws for other methods.
  MumlUnits& muml();

 private:
  BackboneWrapper& Branch(View view);
  torch::Tensor PoolBaseline(BackboneWrapper& branch, const torch::Tensor& x4);
  void BuildImlNet();
  torch::Tensor Reconstruct(const std::vector<torch::Tensor>& units, const EncoderSwitches& switches, const torch::Tensor& images);

  RetrievalNetOptions options_;
  BackboneWrapper model_1{nullptr};
  BackboneWrapper model_3{nullptr};  // only when weights are not shared
  MfrlBranch mfrl_{nullptr};         // "model_1" of MFRL
  ResNetDecoder irn_resnet_{nullptr};  // "irn" of IML-Net (ResNet or VGG encoder)
  VggDecoder irn_vgg_{nullptr};
  MumlUnits muml_{nullptr};
  // classifier / classifier{i} / classifier0..5, classifier00 / MFRL [classifier_fuse, classifier1]
  std::vector<ClassBlock> heads_;
};
TORCH_MODULE(RetrievalNet);

}  // namespace crossview::models

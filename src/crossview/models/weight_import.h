// Published checkpoints → crossview modules: the name mapping of every supported architecture,
// in one place (spec retrieval.md §3–4, drl.md §5.8–5.9).
//
//   arch              checkpoint layout                                    crossview module
//   resnet18/34/50    torchvision ResNet (conv1, layer*, fc)               ResNet
//   convnext-t        Meta (downsample_layers, stages.s.b.*), timm         ConvNext (Meta names)
//                     (stem, stages.s.blocks.b.*, head.norm/head.fc) or torchvision
//                     (features.*, classifier.*); an optional prefix such
//                     as "model_1.convnext." or "model." is removed
//   vgg16             torchvision VGG-16 (features.N, classifier.{0,3,6})   Vgg
//   vgg16-features    the same, classifier.* dropped                       Vgg without classifier
//   u1652-baseline    three_view_net: model_1/model_3 (alias when shared), RetrievalNet (baseline)
//                     model_2 (street, dropped), classifier.*
//   lpn, msba         the same wiring with classifier{i} / classifier00      RetrievalNet
//   mfrl              crossview's MFRL keys (spec §4.7), or an [MCCG]      RetrievalNet (mfrl)
//                     checkpoint (non-strict: tri_layer/classifier_mcb dropped)
//   imlnet            crossview's IML-Net keys (spec §4.8), or a [U1652]   RetrievalNet (imlnet)
//                     baseline initialising encoder + descriptor (non-strict)
//   drl-mix           the DRL paper configuration (union_backbone.*)       DrlNet (paper)
//   cvt13-imagenet    Microsoft CvT-13 (stage{i}.*, norm, head): loaded non-strictly under the
//                     DRL backbone prefix; frozen-BN num_batches_tracked dropped
// A leading "module." (DataParallel) is always removed.
#pragma once

#include <string>
#include <vector>

#include "crossview/models/weights.h"

namespace crossview::models {

const std::vector<std::string>& ImportArchitectures();

// Renames checkpoint keys into crossview's names for `arch` (layout detection included) and
// returns the load options (aliases, ignored keys) for LoadStateDict. Throws InvalidArgumentError
// for an unknown arch, listing the valid ones.
struct ImportPlan {
  NamedTensors tensors;
  LoadOptions options;
  std::string detected_layout;  // e.g. "timm", "meta", "torchvision", "three_view_net"
};
ImportPlan PlanImport(const std::string& arch, NamedTensors checkpoint, bool strict = true);

// Guesses the architecture of a checkpoint from its key names (after removing "module."):
// union_backbone.* → drl-mix; model_1.convnext.* → mfrl; irn.*/muml.* → imlnet; classifier00.* →
// msba; classifier0.* → lpn; model_1.* + classifier.* → u1652-baseline; stage2.cls_token → cvt13-imagenet;
// ConvNeXt stems (downsample_layers.0 / stem. / features.0.0, bare or under model. / convnext.) → convnext-t;
// features.N + classifier.N → vgg16; conv1 + layer1..4 → resnet18/34/50 by block layout.
// InvalidArgumentError listing a few keys when nothing fits (pass --arch explicitly).
std::string DetectArchitecture(const NamedTensors& checkpoint);

// For a retrieval checkpoint (three_view_net layout): the ResNet depth and stage-1 width of
// model_1.model, or 0 when it has no ResNet.
struct ResNetShape {
  int depth = 0;
  int base_width = 0;
};
ResNetShape InspectResNet(const NamedTensors& tensors, const std::string& prefix = "model_1.model.");

// For the retrieval architectures: the number of classes and the bottleneck width found in the
// checkpoint's classifier (so the model can be built to match), or -1 when absent.
struct ClassifierShape {
  int64_t num_classes = -1;
  int64_t bottleneck = -1;
  int64_t heads = 0;
};
ClassifierShape InspectClassifier(const NamedTensors& tensors);

}  // namespace crossview::models

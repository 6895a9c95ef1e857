// Initialising a network's backbone from a published ImageNet checkpoint — how users start
// training from pretrained weights (`crossview train ir|drl --init-backbone FILE`).
//
//   BackboneInit r = InitBackboneFromFile(*net, "resnet50-0676ba61.pth");   // RetrievalNet
//   BackboneInit d = InitBackboneFromFile(*drl, "CvT-13-224x224-IN-1k.pth");  // DrlNet
//
// The file may be a torch.save .pth (zip or legacy) or .safetensors in any layout PlanImport
// knows for the backbone: torchvision ResNet-18/34/50 and VGG-16, torchvision / timm / Meta
// ConvNeXt, Microsoft CvT-13. Every backbone module of the network (model_1 and, without weight
// sharing, model_3; both CvT streams of Post-Fusion) receives the same weights. Every backbone
// tensor must come from the file with its shape (else one InvalidArgumentError listing the
// missing keys and mismatched shapes, and the network is left untouched); checkpoint keys the
// backbone has no use for (the ImageNet classifier, CvT's pos_embed) are counted and ignored.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crossview/models/drl/drl_net.h"
#include "crossview/models/retrieval_net.h"
#include "crossview/models/weights.h"

namespace crossview::models {

struct BackboneInit {
  std::string arch;     // the PlanImport architecture used: resnet50, vgg16-features, convnext-t, cvt13-imagenet
  std::string layout;   // detected checkpoint layout
  std::vector<std::string> modules;  // the backbone modules initialised, e.g. "model_1.model"
  size_t tensors_per_module = 0;     // tensors copied into each
  size_t ignored = 0;                // checkpoint keys not used
  nlohmann::json ToJson() const;
};

// The PlanImport architecture of a retrieval network's backbone.
std::string BackboneArch(const RetrievalNetOptions& options);

BackboneInit InitBackbone(RetrievalNetImpl& net, const NamedTensors& checkpoint);
BackboneInit InitBackbone(drl::DrlNetImpl& net, const NamedTensors& checkpoint);
BackboneInit InitBackboneFromFile(RetrievalNetImpl& net, const std::filesystem::path& file);
BackboneInit InitBackboneFromFile(drl::DrlNetImpl& net, const std::filesystem::path& file);

// The named tensors of a checkpoint file (any format the checkpoint reader accepts).
NamedTensors ReadNamedTensors(const std::filesystem::path& file);

}  // namespace crossview::models

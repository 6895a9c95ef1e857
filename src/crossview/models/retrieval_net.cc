#include "crossview/models/retrieval_net.h"

#include <torch/torch.h>

#include <algorithm>
#include <unordered_set>

#include "crossview/models/heads/part_pooling.h"
#include "crossview/util/errors.h"

namespace crossview::models {

const char* ViewName(View view) { return view == View::kSatellite ? "satellite" : "drone"; }

const std::vector<std::string>& RetrievalNetOptions::Methods() {
  static const std::vector<std::string> kMethods = {"baseline", "lpn", "msba", "mfrl", "imlnet"};
  return kMethods;
}

void RetrievalNetOptions::Check() const {
  const auto& m = Methods();
  if (std::find(m.begin(), m.end(), method) == m.end()) {
    throw CV_ERROR(InvalidArgumentError, "unknown retrieval method '" + method + "'").Hint("valid methods: baseline, lpn, msba, mfrl, imlnet");
  }
  if ((method == "mfrl" || method == "imlnet") && !share_weights) {
    throw CV_ERROR(InvalidArgumentError, method + " shares one backbone between the views").With("share_weights", share_weights)
        .Hint("set share_weights = true");
  }
  if (method == "mfrl") {
    convnext.Check();
    mfrl.Check(convnext.dims[3]);
  } else if (method == "imlnet") {
    iml.Check();
    if (iml.encoder == "vgg16") vgg.Check();
  }
  backbone.Check();
  if (num_classes < 1) throw CV_ERROR(InvalidArgumentError, "num_classes must be positive").With("num_classes", num_classes);
  static const std::vector<std::string> kPools = {"avg", "max", "avg+max", "gem"};
  if (std::find(kPools.begin(), kPools.end(), baseline_pool) == kPools.end()) {
    throw CV_ERROR(InvalidArgumentError, "unknown baseline pooling '" + baseline_pool + "'").Hint("valid: avg, max, avg+max, gem");
  }
  if (lpn_blocks < 1 || lpn_blocks > 8) throw CV_ERROR(InvalidArgumentError, "lpn_blocks must be in 1..8").With("lpn_blocks", lpn_blocks);
}

BackboneWrapperImpl::BackboneWrapperImpl(const ResNetOptions& options, bool gem) {
  model = register_module("model", ResNet(options));
  if (gem) {
    // GeM's learnable per-channel exponent, key "gem2.p" under the backbone wrapper.
    auto holder = register_module("gem2", std::make_shared<torch::nn::Module>());
    gem_p = holder->register_parameter("p", torch::full({options.OutChannels()}, 3.0));
  }
}

BackboneWrapperImpl::BackboneWrapperImpl(const VggOptions& options) {
  VggOptions o = options;
  o.classifier = false;  // the ImageNet head is never used by a retrieval method
  vgg = register_module("model", Vgg(o));
}

std::vector<torch::Tensor> BackboneWrapperImpl::ForwardUnits(const torch::Tensor& x, EncoderSwitches* switches) {
  if (!vgg.is_empty()) {
    VggStages st = vgg->ForwardStages(x);
    if (switches != nullptr) {
      switches->indices = st.indices;
      switches->pre_pool_sizes = st.pre_pool_sizes;
    }
    return {st.maps[1], st.maps[2], st.maps[3], st.maps[4]};
  }
  if (switches == nullptr) return model->ForwardStages(x);
  StemPool stem;
  std::vector<torch::Tensor> stages = model->ForwardStages(x, &stem);
  switches->indices = {stem.indices};
  switches->pre_pool_sizes = {stem.pre_pool_size};
  return stages;
}

RetrievalNetImpl::RetrievalNetImpl(const RetrievalNetOptions& options) : options_(options) {
  options_.Check();
  ClassBlockOptions ho;
  ho.num_classes = options_.num_classes;
  ho.bottleneck = options_.bottleneck;
  ho.dropout = options_.dropout;
  if (options_.method == "mfrl") {
    ho.bn_weight_std = 0;  // the [MCCG] ClassBlock (BN weight 1)
    mfrl_ = register_module("model_1", MfrlBranch(options_.convnext, options_.mfrl, ho));
    heads_ = {mfrl_->classifier_fuse, mfrl_->classifier1};
    return;
  }
  if (options_.method == "imlnet") {
    BuildImlNet();
    return;
  }
  const bool gem = options_.method == "baseline" && options_.baseline_pool == "gem";
  model_1 = register_module("model_1", BackboneWrapper(options_.backbone, gem));
  if (!options_.share_weights) model_3 = register_module("model_3", BackboneWrapper(options_.backbone, gem));

  const int64_t c4 = options_.backbone.OutChannels();
  const int64_t c3 = options_.backbone.StageChannels()[2];
  auto head = [&](int64_t in) {
    ClassBlockOptions o = ho;
    o.in_features = in;
    return ClassBlock(o);
  };
  if (options_.method == "baseline") {
    heads_.push_back(register_module("classifier", head(options_.baseline_pool == "avg+max" ? 2 * c4 : c4)));
  } else if (options_.method == "lpn") {
    for (int i = 0; i < options_.lpn_blocks; ++i) heads_.push_back(register_module("classifier" + std::to_string(i), head(c4)));
  } else {  // msba: six block heads, then the global head on max(layer4) ++ max(layer3)
    for (int i = 0; i < 6; ++i) heads_.push_back(register_module("classifier" + std::to_string(i), head(c4)));
    heads_.push_back(register_module("classifier00", head(c4 + c3)));
  }
}

void RetrievalNetImpl::BuildImlNet() {
  const bool vgg = options_.iml.encoder == "vgg16";
  std::vector<int64_t> units;  // channels of the four unit maps
  if (vgg) {
    model_1 = register_module("model_1", BackboneWrapper(options_.vgg));
    std::vector<int64_t> c = options_.vgg.StageChannels();
    units.assign(c.begin() + 1, c.end());
    irn_vgg_ = register_module("irn", VggDecoder(c));
  } else {
    model_1 = register_module("model_1", BackboneWrapper(options_.backbone, false));
    units = options_.backbone.StageChannels();
    irn_resnet_ = register_module("irn", ResNetDecoder(units, options_.backbone.base_width, options_.backbone.last_stride));
  }
  ClassBlockOptions d;  // the descriptor block: Linear → BN1d (→ Dropout), classifier only with a global CE
  d.in_features = units.back();
  d.num_classes = options_.num_classes;
  d.bottleneck = options_.bottleneck;
  d.dropout = options_.dropout;
  d.with_classifier = options_.iml.global_ce > 0;
  heads_.push_back(register_module("classifier", ClassBlock(d)));
  muml_ = register_module("muml", MumlUnits(units, options_.iml.unit_channels, options_.num_classes));
}

MumlUnits& RetrievalNetImpl::muml() {
  if (muml_.is_empty()) throw CV_ERROR(InvalidArgumentError, "only IML-Net has MUML units").With("method", options_.method);
  return muml_;
}

torch::Tensor RetrievalNetImpl::Reconstruct(const std::vector<torch::Tensor>& units, const EncoderSwitches& switches,
                                            const torch::Tensor& images) {
  if (!irn_vgg_.is_empty()) return irn_vgg_->forward(units.back(), switches);
  return irn_resnet_->forward(units, switches, {images.size(2), images.size(3)});
}

int64_t RetrievalNetImpl::num_parts() const { return static_cast<int64_t>(heads_.size()); }

BackboneWrapper& RetrievalNetImpl::Branch(View view) {
  return (view == View::kDrone && !options_.share_weights) ? model_3 : model_1;
}

torch::Tensor RetrievalNetImpl::PoolBaseline(BackboneWrapper& branch, const torch::Tensor& x4) {
  const std::string& pool = options_.baseline_pool;
  if (pool == "avg") return x4.mean({2, 3});
  if (pool == "max") return x4.amax({2, 3});
  if (pool == "avg+max") return torch::cat({x4.mean({2, 3}), x4.amax({2, 3})}, 1);
  return GemPool(x4, branch->gem_p);
}

std::vector<torch::Tensor> RetrievalNetImpl::ForwardBackbone(const torch::Tensor& images, View view) {
  if (images.dim() != 4 || images.size(1) != 3) {
    throw CV_ERROR(InvalidArgumentError, "expected images of shape (N, 3, H, W)").With("shape", images.sizes());
  }
  if (options_.method == "mfrl") return mfrl_->convnext->ForwardStages(images);
  return Branch(view)->ForwardUnits(images);
}

RetrievalOutput RetrievalNetImpl::forward(const torch::Tensor& images, View view) {
  if (options_.method == "imlnet" && is_training() && (view == View::kDrone || options_.iml.recon_satellite)) {
    if (images.dim() != 4 || images.size(1) != 3) {
      throw CV_ERROR(InvalidArgumentError, "expected images of shape (N, 3, H, W)").With("shape", images.sizes());
    }
    EncoderSwitches switches;
    std::vector<torch::Tensor> units = model_1->ForwardUnits(images, &switches);
    RetrievalOutput out = ForwardHeads(units, view);
    out.reconstruction = Reconstruct(units, switches, images);
    return out;
  }
  return ForwardHeads(ForwardBackbone(images, view), view);
}

RetrievalOutput RetrievalNetImpl::ForwardHeads(const std::vector<torch::Tensor>& stages, View view) {
  if (stages.size() != 4 || !stages[3].defined() || (options_.method == "msba" && !stages[2].defined())) {
    throw CV_ERROR(InvalidArgumentError, "ForwardHeads needs the four stage maps (layer3 and layer4 for MSBA)");
  }
  const torch::Tensor& x4 = stages[3];
  std::vector<torch::Tensor> inputs;  // one (N, C) vector per head
  RetrievalOutput out;
  if (options_.method == "imlnet" && is_training()) {
    for (const auto& s : stages) {
      if (!s.defined()) throw CV_ERROR(InvalidArgumentError, "IML-Net training needs all four unit maps");
    }
    MumlOutput m = muml_(stages);
    out.unit_maps = std::move(m.maps);
    out.logits = std::move(m.logits);
  }
  if (options_.method == "mfrl") {
    inputs = mfrl_->HeadInputs(x4);
  } else if (options_.method == "imlnet") {
    inputs.push_back(x4.mean({2, 3}));
  } else if (options_.method == "baseline") {
    inputs.push_back(PoolBaseline(Branch(view), x4));
  } else if (options_.method == "lpn") {
    LpnOptions lo;
    lo.blocks = options_.lpn_blocks;
    lo.odd_size_quirk = options_.lpn_odd_size_quirk;
    torch::Tensor parts = LpnPartition(x4, lo);
    for (int64_t i = 0; i < parts.size(2); ++i) inputs.push_back(parts.select(2, i));
  } else {
    const torch::Tensor& x3 = stages[2];
    torch::Tensor blocks = BlockAttention(MsbaBlocks(x4, PartPool::kAvg, options_.lpn_odd_size_quirk));
    for (int64_t i = 0; i < 6; ++i) inputs.push_back(blocks.select(2, i));
    inputs.push_back(torch::cat({x4.amax({2, 3}), x3.amax({2, 3})}, 1));
  }
  for (size_t h = 0; h < heads_.size(); ++h) {
    if (is_training()) {
      ClassBlockOutput o = heads_[h]->forward(inputs[h]);
      out.features.push_back(o.features);
      if (o.logits.defined()) out.logits.push_back(o.logits);
    } else {
      out.features.push_back(heads_[h]->Features(inputs[h]));
    }
  }
  out.parts = torch::stack(out.features, 2);
  return out;
}

std::vector<torch::Tensor> RetrievalNetImpl::BackboneParameters() {
  if (!mfrl_.is_empty()) return mfrl_->convnext->parameters();
  std::vector<torch::Tensor> p = model_1->parameters();
  if (!model_3.is_empty()) {
    auto q = model_3->parameters();
    p.insert(p.end(), q.begin(), q.end());
  }
  return p;
}

std::vector<torch::Tensor> RetrievalNetImpl::HeadParameters() {
  std::unordered_set<const void*> seen;
  for (const auto& t : BackboneParameters()) seen.insert(t.unsafeGetTensorImpl());
  std::vector<torch::Tensor> p;
  for (const auto& t : parameters()) {
    if (seen.insert(t.unsafeGetTensorImpl()).second) p.push_back(t);
  }
  return p;
}

}  // namespace crossview::models

#include "crossview/models/retrieval_net.h"

#include <torch/torch.h>

#include <algorithm>

#include "crossview/models/heads/part_pooling.h"
#include "crossview/util/errors.h"

namespace crossview::models {

const char* ViewName(View view) { return view == View::kSatellite ? "satellite" : "drone"; }

const std::vector<std::string>& RetrievalNetOptions::Methods() {
  static const std::vector<std::string> kMethods = {"baseline", "lpn", "msba"};
  return kMethods;
}

void RetrievalNetOptions::Check() const {
  const auto& m = Methods();
  if (std::find(m.begin(), m.end(), method) == m.end()) {
    throw CV_ERROR(InvalidArgumentError, "unknown retrieval method '" + method + "'").Hint("valid methods: baseline, lpn, msba");
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

RetrievalNetImpl::RetrievalNetImpl(const RetrievalNetOptions& options) : options_(options) {
  options_.Check();
  const bool gem = options_.method == "baseline" && options_.baseline_pool == "gem";
  model_1 = register_module("model_1", BackboneWrapper(options_.backbone, gem));
  if (!options_.share_weights) model_3 = register_module("model_3", BackboneWrapper(options_.backbone, gem));

  const int64_t c4 = options_.backbone.OutChannels();
  const int64_t c3 = options_.backbone.StageChannels()[2];
  auto head = [&](int64_t in) {
    ClassBlockOptions o;
    o.in_features = in;
    o.num_classes = options_.num_classes;
    o.bottleneck = options_.bottleneck;
    o.dropout = options_.dropout;
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

RetrievalOutput RetrievalNetImpl::forward(const torch::Tensor& images, View view) {
  if (images.dim() != 4 || images.size(1) != 3) {
    throw CV_ERROR(InvalidArgumentError, "expected images of shape (N, 3, H, W)").With("shape", images.sizes());
  }
  BackboneWrapper& branch = Branch(view);
  std::vector<torch::Tensor> stages;
  if (options_.method == "msba") {
    stages = branch->model->ForwardStages(images);
  } else {
    stages = {torch::Tensor(), torch::Tensor(), torch::Tensor(), branch->model->forward(images)};
  }
  return ForwardHeads(stages, view);
}

RetrievalOutput RetrievalNetImpl::ForwardHeads(const std::vector<torch::Tensor>& stages, View view) {
  if (stages.size() != 4 || !stages[3].defined() || (options_.method == "msba" && !stages[2].defined())) {
    throw CV_ERROR(InvalidArgumentError, "ForwardHeads needs the four stage maps (layer3 and layer4 for MSBA)");
  }
  BackboneWrapper& branch = Branch(view);
  const torch::Tensor& x4 = stages[3];
  std::vector<torch::Tensor> inputs;  // one (N, C) vector per head
  if (options_.method == "baseline") {
    inputs.push_back(PoolBaseline(branch, x4));
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
  RetrievalOutput out;
  for (size_t h = 0; h < heads_.size(); ++h) {
    if (is_training()) {
      ClassBlockOutput o = heads_[h]->forward(inputs[h]);
      out.features.push_back(o.features);
      out.logits.push_back(o.logits);
    } else {
      out.features.push_back(heads_[h]->Features(inputs[h]));
    }
  }
  out.parts = torch::stack(out.features, 2);
  return out;
}

std::vector<torch::Tensor> RetrievalNetImpl::BackboneParameters() {
  std::vector<torch::Tensor> p = model_1->parameters();
  if (!model_3.is_empty()) {
    auto q = model_3->parameters();
    p.insert(p.end(), q.begin(), q.end());
  }
  return p;
}

std::vector<torch::Tensor> RetrievalNetImpl::HeadParameters() {
  std::vector<torch::Tensor> p;
  for (auto& h : heads_) {
    auto q = h->parameters();
    p.insert(p.end(), q.begin(), q.end());
  }
  return p;
}

}  // namespace crossview::models

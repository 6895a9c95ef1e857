#include "crossview/models/heads/class_block.h"

#include <torch/torch.h>

#include "crossview/util/errors.h"

namespace crossview::models {

namespace nn = torch::nn;

void ClassBlockOptions::Check() const {
  if (in_features < 1 || num_classes < 1 || bottleneck < 1) {
    throw CV_ERROR(InvalidArgumentError, "ClassBlock sizes must be positive")
        .With("in_features", in_features).With("num_classes", num_classes).With("bottleneck", bottleneck);
  }
  if (dropout < 0 || dropout >= 1) throw CV_ERROR(InvalidArgumentError, "dropout must be in [0, 1)").With("dropout", dropout);
}

ClassBlockImpl::ClassBlockImpl(const ClassBlockOptions& options) : options_(options) {
  options_.Check();
  add_block = nn::Sequential();
  nn::Linear linear(options_.in_features, options_.bottleneck);
  nn::init::kaiming_normal_(linear->weight, 0.0, torch::kFanOut);
  nn::init::zeros_(linear->bias);
  add_block->push_back(linear);
  if (options_.batch_norm) {
    nn::BatchNorm1d bn(options_.bottleneck);
    if (options_.bn_weight_std > 0) {
      nn::init::normal_(bn->weight, 1.0, options_.bn_weight_std);
    } else {
      nn::init::ones_(bn->weight);
    }
    nn::init::zeros_(bn->bias);
    add_block->push_back(bn);
  }
  if (options_.relu) add_block->push_back(nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.1)));
  if (options_.dropout > 0) add_block->push_back(nn::Dropout(options_.dropout));
  register_module("add_block", add_block);

  if (!options_.with_classifier) return;
  nn::Linear cls(options_.bottleneck, options_.num_classes);
  nn::init::normal_(cls->weight, 0.0, 0.001);
  nn::init::zeros_(cls->bias);
  classifier = register_module("classifier", nn::Sequential(cls));
}

torch::Tensor ClassBlockImpl::Features(const torch::Tensor& x) { return add_block->forward(x); }

ClassBlockOutput ClassBlockImpl::forward(const torch::Tensor& x) {
  ClassBlockOutput out;
  out.features = add_block->forward(x);
  if (!classifier.is_empty()) out.logits = classifier->forward(out.features);
  return out;
}

}  // namespace crossview::models

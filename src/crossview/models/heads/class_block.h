// ClassBlock (spec retrieval.md §4.1), shared by every University-1652-family head:
//   add_block  = Linear(in → bottleneck) → BatchNorm1d → [LeakyReLU(0.1) if relu] → [Dropout]
//   classifier = Linear(bottleneck → classes)
// Keys: add_block.0.{weight,bias}, add_block.1.{weight,bias,running_mean,running_var,
// num_batches_tracked}, classifier.0.{weight,bias}.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/pimpl.h>

namespace crossview::models {

struct ClassBlockOptions {
  int64_t in_features = 2048;
  int64_t num_classes = 701;
  int64_t bottleneck = 512;
  double dropout = 0.5;     // 0 = no Dropout module
  bool relu = false;        // LeakyReLU(0.1) after the BN (never used by the published methods)
  bool batch_norm = true;   // false = the SUES-200 variant (Linear → Dropout → Linear)
  double bn_weight_std = 0.02;  // BN1d weight ~ N(1, std) ([U1652]/[LPN]); 0 = constant 1 ([FSRA]/[MCCG])
  bool with_classifier = true;  // false: add_block only, no `classifier` (IML-Net's descriptor block)
  void Check() const;
};

struct ClassBlockOutput {
  torch::Tensor features;  // the add_block output (after dropout in training)
  torch::Tensor logits;    // undefined without a classifier
};

class ClassBlockImpl : public torch::nn::Module {
 public:
  explicit ClassBlockImpl(const ClassBlockOptions& options = {});
  ClassBlockOutput forward(const torch::Tensor& x);
  // The add_block output only (what eval mode returns as the descriptor).
  torch::Tensor Features(const torch::Tensor& x);
  const ClassBlockOptions& options() const { return options_; }

 private:
  ClassBlockOptions options_;
  torch::nn::Sequential add_block{nullptr};
  torch::nn::Sequential classifier{nullptr};
};
TORCH_MODULE(ClassBlock);

}  // namespace crossview::models

// The reference checkpoints' key names and shapes, written out from the spec's rules
// (retrieval.md §3-4, drl.md §5.8-5.9) and never derived from crossview's own modules: the
// independent side of the key-level import tests (weight_import_keys_test.cc).
#pragma once

#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

#include "crossview/models/weights.h"

namespace crossview::models::reference {

using Shape = std::vector<int64_t>;

// One state-dict entry as the reference writes it.
struct KeySpec {
  std::string name;
  Shape shape;
  bool buffer = false;    // running statistics (not counted as parameters)
  bool counter = false;   // BatchNorm's num_batches_tracked: an int64 scalar
  std::string alias_of;   // the same tensor as this key (a module registered under two names)
};

class KeyList {
 public:
  void Tensor(const std::string& name, Shape shape, bool buffer = false) { keys_.push_back({name, std::move(shape), buffer, false, ""}); }
  // weight [out, in_per_group, k, k] (ConvTranspose: [in, out, k, k]) and optionally bias [out].
  void Conv(const std::string& p, int64_t out, int64_t in, int64_t k, bool bias) {
    Tensor(p + ".weight", {out, in, k, k});
    if (bias) Tensor(p + ".bias", {out});
  }
  void Linear(const std::string& p, int64_t out, int64_t in) {
    Tensor(p + ".weight", {out, in});
    Tensor(p + ".bias", {out});
  }
  void Affine(const std::string& p, int64_t c) {  // LayerNorm
    Tensor(p + ".weight", {c});
    Tensor(p + ".bias", {c});
  }
  void BatchNorm(const std::string& p, int64_t c) {  // BatchNorm1d/2d
    Affine(p, c);
    Tensor(p + ".running_mean", {c}, true);
    Tensor(p + ".running_var", {c}, true);
    keys_.push_back({p + ".num_batches_tracked", {}, true, true, ""});
  }
  void FrozenBatchNorm(const std::string& p, int64_t c) {  // four buffers, no counter (drl.md §2.3)
    for (const char* n : {".weight", ".bias", ".running_mean", ".running_var"}) Tensor(p + n, {c}, true);
  }
  void Append(const std::string& prefix, const KeyList& other) {
    for (KeySpec k : other.keys_) {
      k.name = prefix + k.name;
      keys_.push_back(std::move(k));
    }
  }
  // Entries under `to` repeated under `from`, holding the same tensors (three_view_net's
  // model_3 when it shares model_1, retrieval.md §4.2).
  void Alias(const std::string& from, const std::string& to) {
    const std::vector<KeySpec> current = keys_;
    for (const KeySpec& k : current) {
      if (k.name.rfind(to, 0) != 0) continue;
      KeySpec a = k;
      a.name = from + k.name.substr(to.size());
      a.alias_of = k.name;
      keys_.push_back(std::move(a));
    }
  }
  const std::vector<KeySpec>& keys() const { return keys_; }
  int64_t Parameters() const {
    int64_t n = 0;
    for (const auto& k : keys_) {
      if (!k.buffer && k.alias_of.empty()) n += c10::multiply_integers(k.shape);
    }
    return n;
  }

 private:
  std::vector<KeySpec> keys_;
};

// Distinct values per key and per element, without a random generator (see the .cc).
torch::Tensor Values(const Shape& shape, int64_t key_index);
NamedTensors Fill(const KeyList& list, int64_t salt);

// Reference key lists (the .cc documents each one's source in the spec).
KeyList TorchvisionResNet(int depth);
KeyList MetaConvNextT();
KeyList TimmConvNextT();
KeyList TorchvisionConvNextT();
KeyList TorchvisionVgg16(bool classifier);
KeyList ClassBlockKeys(int64_t in, int64_t classes, bool with_classifier = true);
KeyList ThreeViewNet(const std::vector<std::pair<std::string, int64_t>>& heads, int64_t classes);
KeyList MfrlKeys(int64_t classes);
void AddMuml(KeyList& k, const std::vector<int64_t>& unit_channels, int64_t classes);
KeyList ImlNetResNetKeys(int64_t classes);
KeyList ImlNetVggKeys(int64_t classes);
KeyList Cvt13Keys(bool frozen_bn, bool head);
KeyList DrlPaperKeys();

}  // namespace crossview::models::reference

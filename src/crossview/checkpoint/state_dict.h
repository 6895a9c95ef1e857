// StateDict: named tensors in a fixed order (the order of the file), with lookup by name.
#pragma once

#include <torch/torch.h>

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "crossview/util/errors.h"

namespace crossview::checkpoint {

class StateDict {
 public:
  using Entry = std::pair<std::string, torch::Tensor>;

  // Appends a tensor; InvalidArgumentError if the name is already present.
  void Add(std::string name, torch::Tensor tensor) {
    if (!index_.emplace(name, entries_.size()).second) {
      throw CV_ERROR(InvalidArgumentError, "duplicate tensor name in state dict").With("name", name);
    }
    entries_.emplace_back(std::move(name), std::move(tensor));
  }

  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  bool Contains(const std::string& name) const { return index_.count(name) > 0; }
  // NotFoundError naming the key when absent.
  const torch::Tensor& at(const std::string& name) const {
    auto it = index_.find(name);
    if (it == index_.end()) throw CV_ERROR(NotFoundError, "no tensor with this name in the state dict").With("name", name);
    return entries_[it->second].second;
  }
  const std::vector<Entry>& entries() const { return entries_; }
  std::vector<Entry>::const_iterator begin() const { return entries_.begin(); }
  std::vector<Entry>::const_iterator end() const { return entries_.end(); }

 private:
  std::vector<Entry> entries_;
  std::unordered_map<std::string, size_t> index_;
};

}  // namespace crossview::checkpoint

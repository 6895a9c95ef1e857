#include "crossview/models/weights.h"

#include <torch/torch.h>

#include <map>
#include <set>
#include <sstream>

#include "crossview/util/errors.h"

namespace crossview::models {

NamedTensors StateDict(const torch::nn::Module& module) {
  NamedTensors out;
  for (const auto& p : module.named_parameters()) {
    if (p.value().defined()) out.emplace_back(p.key(), p.value());
  }
  for (const auto& b : module.named_buffers()) {
    if (b.value().defined()) out.emplace_back(b.key(), b.value());
  }
  return out;
}

namespace {

bool StartsWith(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }
bool EndsWith(const std::string& s, const std::string& p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

std::string Shape(const torch::Tensor& t) {
  std::ostringstream os;
  os << t.sizes();
  return os.str();
}

std::string ListKeys(const std::vector<std::string>& keys, size_t max_keys) {
  std::string s;
  for (size_t i = 0; i < keys.size() && i < max_keys; ++i) s += (i ? ", " : "") + keys[i];
  if (keys.size() > max_keys) s += ", ... (" + std::to_string(keys.size() - max_keys) + " more)";
  return s;
}

}  // namespace

std::string LoadReport::Summary(size_t max_keys) const {
  std::string s = std::to_string(loaded) + " tensors loaded";
  if (!missing.empty()) s += "; " + std::to_string(missing.size()) + " missing: " + ListKeys(missing, max_keys);
  if (!unexpected.empty()) s += "; " + std::to_string(unexpected.size()) + " unexpected: " + ListKeys(unexpected, max_keys);
  if (!shape_mismatch.empty()) s += "; " + std::to_string(shape_mismatch.size()) + " shape mismatches: " + ListKeys(shape_mismatch, max_keys);
  return s;
}

LoadReport LoadStateDict(torch::nn::Module& module, const NamedTensors& checkpoint, const LoadOptions& options) {
  std::map<std::string, torch::Tensor> targets;
  for (auto& kv : StateDict(module)) targets.emplace(kv.first, kv.second);

  auto rewrite = [](std::string key, const std::vector<KeyRewrite>& rules) {
    for (const auto& r : rules) {
      if (StartsWith(key, r.from_prefix)) return r.to_prefix + key.substr(r.from_prefix.size());
    }
    return key;
  };
  auto ignored = [&](const std::string& key) {
    for (const auto& s : options.ignore_suffixes) if (EndsWith(key, s)) return true;
    for (const auto& p : options.ignore_prefixes) if (StartsWith(key, p)) return true;
    return false;
  };

  LoadReport report;
  std::map<std::string, const torch::Tensor*> matched;  // module key → checkpoint tensor
  std::set<std::string> mismatched;                     // module keys reported as shape mismatches
  std::vector<std::pair<std::string, const torch::Tensor*>> alias_keys;
  for (const auto& [raw, tensor] : checkpoint) {
    if (ignored(raw)) continue;
    bool is_alias = false;
    for (const auto& a : options.aliases) is_alias |= StartsWith(raw, a.from_prefix);
    if (is_alias) {
      alias_keys.emplace_back(raw, &tensor);
      continue;
    }
    std::string key = rewrite(raw, options.rewrites);
    auto it = targets.find(key);
    if (it == targets.end()) {
      report.unexpected.push_back(raw);
    } else if (it->second.sizes() != tensor.sizes()) {
      report.shape_mismatch.push_back(key + ": checkpoint " + Shape(tensor) + " vs model " + Shape(it->second));
      mismatched.insert(key);
    } else {
      matched[key] = &tensor;
    }
  }
  for (const auto& [raw, tensor] : alias_keys) {
    std::string key = rewrite(raw, options.aliases);
    auto m = matched.find(key);
    if (m == matched.end() || !torch::equal(*m->second, *tensor)) {
      // An alias that does not duplicate a loaded tensor is real, unshared data.
      auto it = targets.find(raw);
      if (it != targets.end() && it->second.sizes() == tensor->sizes()) {
        matched[raw] = tensor;
      } else {
        report.unexpected.push_back(raw);
      }
    }
  }
  for (const auto& [key, t] : targets) {
    if (!matched.count(key) && !mismatched.count(key)) report.missing.push_back(key);
  }
  if (options.strict && !report.ok()) {
    throw CV_ERROR(InvalidArgumentError, "checkpoint does not match the model: " + report.Summary())
        .Hint("check the architecture options, or load with strict off to keep what matches");
  }
  torch::NoGradGuard no_grad;
  for (const auto& [key, src] : matched) {
    torch::Tensor& dst = targets[key];
    dst.copy_(src->to(dst.device(), dst.scalar_type()));
    ++report.loaded;
  }
  return report;
}

}  // namespace crossview::models

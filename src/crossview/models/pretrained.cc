#include "crossview/models/pretrained.h"

#include <map>
#include <set>

#include "crossview/checkpoint/checkpoint.h"
#include "crossview/models/drl/cvt.h"
#include "crossview/models/weight_import.h"
#include "crossview/util/errors.h"

namespace crossview::models {
namespace {

bool IsBackbone(torch::nn::Module& m, bool drl) {
  if (drl) return dynamic_cast<drl::CvtImpl*>(&m) != nullptr;
  return dynamic_cast<ResNetImpl*>(&m) != nullptr || dynamic_cast<VggImpl*>(&m) != nullptr ||
         dynamic_cast<ConvNextImpl*>(&m) != nullptr;
}

// The outermost backbone modules of `root`, each once (a shared backbone is registered once).
std::vector<std::pair<std::string, std::shared_ptr<torch::nn::Module>>> BackboneModules(torch::nn::Module& root, bool drl) {
  std::vector<std::pair<std::string, std::shared_ptr<torch::nn::Module>>> out;
  std::set<const torch::nn::Module*> seen;
  for (const auto& item : root.named_modules("", /*include_self=*/false)) {
    if (!IsBackbone(*item.value(), drl) || seen.count(item.value().get())) continue;
    bool nested = false;
    for (const auto& [name, m] : out) nested = nested || item.key().rfind(name + ".", 0) == 0;
    if (nested) continue;
    seen.insert(item.value().get());
    out.emplace_back(item.key(), item.value());
  }
  return out;
}

bool Ignored(const std::string& key, const LoadOptions& o) {
  for (const auto& p : o.ignore_prefixes) if (key.rfind(p, 0) == 0) return true;
  for (const auto& s : o.ignore_suffixes) if (key.size() >= s.size() && key.compare(key.size() - s.size(), s.size(), s) == 0) return true;
  return false;
}

std::string ShapeText(at::IntArrayRef s) {
  std::string t = "[";
  for (size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
  return t + "]";
}

BackboneInit Init(torch::nn::Module& root, bool drl, const std::string& arch, const NamedTensors& checkpoint) {
  ImportPlan plan = PlanImport(arch, checkpoint, /*strict=*/false);
  std::map<std::string, torch::Tensor> by_key;
  for (const auto& [k, v] : plan.tensors) {
    if (!Ignored(k, plan.options)) by_key[k] = v;
  }
  auto modules = BackboneModules(root, drl);
  if (modules.empty()) throw CV_ERROR(InternalError, "the network has no backbone module to initialise").With("arch", arch);
  BackboneInit r;
  r.arch = arch;
  r.layout = plan.detected_layout;
  // Check everything before touching any weight.
  NamedTensors selected;
  std::set<std::string> used;
  {
    std::vector<std::string> missing, mismatch;
    for (const auto& [k, v] : StateDict(*modules.front().second)) {
      auto it = by_key.find(k);
      if (it == by_key.end()) {
        // BatchNorm's step counter is not a weight (and the CvT plan drops it from the file).
        const std::string nbt = "num_batches_tracked";
        if (k.size() < nbt.size() || k.compare(k.size() - nbt.size(), nbt.size(), nbt) != 0) missing.push_back(k);
      } else if (it->second.sizes() != v.sizes()) {
        mismatch.push_back(k + ": file " + ShapeText(it->second.sizes()) + " vs network " + ShapeText(v.sizes()));
      } else {
        selected.emplace_back(k, it->second);
        used.insert(k);
      }
    }
    if (!missing.empty() || !mismatch.empty()) {
      auto list = [](const std::vector<std::string>& v) {
        std::string s;
        for (size_t i = 0; i < v.size() && i < 6; ++i) s += (i ? "; " : "") + v[i];
        if (v.size() > 6) s += "; … (" + std::to_string(v.size()) + " in all)";
        return s;
      };
      throw CV_ERROR(InvalidArgumentError, "the file does not fit the network's " + arch + " backbone")
          .With("missing", missing.size())
          .With("shape_mismatches", mismatch.size())
          .With("first", list(!mismatch.empty() ? mismatch : missing))
          .Hint("pass ImageNet weights of the backbone the method uses (" + arch +
                (drl ? ")" : "; reduced widths/depths such as model.base_width≠64 cannot take ImageNet weights)"));
    }
  }
  LoadOptions exact;  // every selected tensor has its place in the module
  exact.strict = false;
  for (const auto& [name, m] : modules) {
    LoadStateDict(*m, selected, exact);
    r.modules.push_back(name);
  }
  r.tensors_per_module = selected.size();
  r.ignored = plan.tensors.size() - used.size();
  return r;
}

}  // namespace

nlohmann::json BackboneInit::ToJson() const {
  return {{"arch", arch}, {"layout", layout}, {"modules", modules}, {"tensors_per_module", tensors_per_module}, {"ignored_keys", ignored}};
}

std::string BackboneArch(const RetrievalNetOptions& o) {
  if (o.method == "mfrl") return "convnext-t";  // the layout mapping is the same for ConvNeXt-B; shapes decide
  if (o.method == "imlnet" && o.iml.encoder == "vgg16") return "vgg16-features";
  return "resnet" + std::to_string(o.backbone.depth);
}

BackboneInit InitBackbone(RetrievalNetImpl& net, const NamedTensors& checkpoint) {
  return Init(net, false, BackboneArch(net.options()), checkpoint);
}

BackboneInit InitBackbone(drl::DrlNetImpl& net, const NamedTensors& checkpoint) {
  return Init(net, true, "cvt13-imagenet", checkpoint);
}

NamedTensors ReadNamedTensors(const std::filesystem::path& file) {
  checkpoint::LoadOptions o;
  o.allow_opaque_globals = true;  // training checkpoints often pickle an argparse.Namespace beside the weights
  checkpoint::StateDict sd = checkpoint::LoadCheckpoint(file, o);
  return NamedTensors(sd.entries().begin(), sd.entries().end());
}

BackboneInit InitBackboneFromFile(RetrievalNetImpl& net, const std::filesystem::path& file) {
  return WithContext("init_backbone", file.string(), [&] { return InitBackbone(net, ReadNamedTensors(file)); });
}

BackboneInit InitBackboneFromFile(drl::DrlNetImpl& net, const std::filesystem::path& file) {
  return WithContext("init_backbone", file.string(), [&] { return InitBackbone(net, ReadNamedTensors(file)); });
}

}  // namespace crossview::models

#include "crossview/models/weight_import.h"

#include <algorithm>

#include <torch/torch.h>

#include "crossview/util/errors.h"

namespace crossview::models {

const std::vector<std::string>& ImportArchitectures() {
  static const std::vector<std::string> kArchs = {"resnet18", "resnet34", "resnet50", "convnext-t", "vgg16", "vgg16-features",
                                                  "u1652-baseline", "lpn", "msba", "mfrl", "imlnet", "drl-mix", "cvt13-imagenet"};
  return kArchs;
}

namespace {

bool StartsWith(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }

void StripPrefix(NamedTensors& t, const std::string& prefix) {
  bool all = !t.empty() && std::all_of(t.begin(), t.end(), [&](const auto& kv) { return StartsWith(kv.first, prefix); });
  if (!all) return;
  for (auto& kv : t) kv.first = kv.first.substr(prefix.size());
}

// Splits "a.b.c" into parts.
std::vector<std::string> Split(const std::string& key) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t i = 0; i <= key.size(); ++i) {
    if (i == key.size() || key[i] == '.') {
      parts.push_back(key.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

std::string Join(const std::vector<std::string>& parts, size_t from) {
  std::string s;
  for (size_t i = from; i < parts.size(); ++i) s += (s.empty() ? "" : ".") + parts[i];
  return s;
}

// timm ConvNeXt names → Meta names (spec retrieval.md §3.2 table).
std::string TimmToMeta(const std::string& key) {
  std::vector<std::string> p = Split(key);
  if (p.size() >= 2 && p[0] == "stem") return "downsample_layers.0." + Join(p, 1);
  if (p.size() >= 2 && p[0] == "head" && p[1] == "norm") return "norm." + Join(p, 2);
  if (p.size() >= 2 && p[0] == "head" && p[1] == "fc") return "head." + Join(p, 2);
  if (p.size() >= 4 && p[0] == "stages" && p[2] == "downsample") return "downsample_layers." + p[1] + "." + Join(p, 3);
  if (p.size() >= 5 && p[0] == "stages" && p[2] == "blocks") {
    std::string rest = Join(p, 4);
    if (StartsWith(rest, "conv_dw.")) rest = "dwconv." + rest.substr(8);
    else if (StartsWith(rest, "mlp.fc1.")) rest = "pwconv1." + rest.substr(8);
    else if (StartsWith(rest, "mlp.fc2.")) rest = "pwconv2." + rest.substr(8);
    return "stages." + p[1] + "." + p[3] + "." + rest;
  }
  return key;
}

// torchvision ConvNeXt names → Meta names: features.0 = stem, features.{1,3,5,7} = stages 0..3
// (CNBlock: block.0 dwconv, block.2 norm, block.3 pwconv1, block.5 pwconv2, layer_scale [C,1,1]),
// features.{2,4,6} = downsample layers 1..3, classifier.0 = norm, classifier.2 = head.
std::string TorchvisionToMeta(const std::string& key) {
  std::vector<std::string> p = Split(key);
  if (p.size() >= 3 && p[0] == "classifier") return (p[1] == "0" ? "norm." : "head.") + Join(p, 2);
  if (p.size() < 3 || p[0] != "features") return key;
  const int f = std::stoi(p[1]);
  if (f == 0) return "downsample_layers.0." + Join(p, 2);
  if (f % 2 == 0) return "downsample_layers." + std::to_string(f / 2) + "." + Join(p, 2);
  const std::string prefix = "stages." + std::to_string(f / 2) + "." + p[2] + ".";
  if (p.size() == 4 && p[3] == "layer_scale") return prefix + "gamma";
  if (p.size() >= 6 && p[3] == "block") {
    static const char* kNames[] = {"dwconv", "", "norm", "pwconv1", "", "pwconv2"};
    const int b = std::stoi(p[4]);
    if (b >= 0 && b < 6 && kNames[b][0] != '\0') return prefix + kNames[b] + "." + Join(p, 5);
  }
  return key;
}

bool AnyKeyStartsWith(const NamedTensors& t, const std::string& p) {
  return std::any_of(t.begin(), t.end(), [&](const auto& kv) { return StartsWith(kv.first, p); });
}

}  // namespace

ImportPlan PlanImport(const std::string& arch, NamedTensors t, bool strict) {
  const auto& archs = ImportArchitectures();
  if (std::find(archs.begin(), archs.end(), arch) == archs.end()) {
    std::string list;
    for (const auto& a : archs) list += (list.empty() ? "" : ", ") + a;
    throw CV_ERROR(InvalidArgumentError, "unknown architecture '" + arch + "'").Hint("valid: " + list);
  }
  StripPrefix(t, "module.");
  ImportPlan plan;
  plan.options.strict = strict;
  if (arch == "resnet18" || arch == "resnet34" || arch == "resnet50") {
    StripPrefix(t, "model.");
    plan.detected_layout = "torchvision";
  } else if (arch == "convnext-t") {
    for (const char* prefix : {"model_1.convnext.", "model.", "convnext."}) StripPrefix(t, prefix);
    if (AnyKeyStartsWith(t, "features.0.0.")) {
      plan.detected_layout = "torchvision";
      for (auto& kv : t) {
        kv.first = TorchvisionToMeta(kv.first);
        if (kv.second.dim() == 3 && kv.first.size() > 6 && kv.first.compare(kv.first.size() - 6, 6, ".gamma") == 0) {
          kv.second = kv.second.reshape({-1});  // layer_scale [C, 1, 1] → gamma [C]
        }
      }
    } else if (AnyKeyStartsWith(t, "stem.") || AnyKeyStartsWith(t, "head.fc.")) {
      plan.detected_layout = "timm";
      for (auto& kv : t) kv.first = TimmToMeta(kv.first);
    } else {
      plan.detected_layout = "meta";
    }
  } else if (arch == "u1652-baseline" || arch == "lpn" || arch == "msba") {
    plan.detected_layout = "three_view_net";
    // model_2 is the street branch (unused here); model_3 is model_1 when weights are shared.
    plan.options.ignore_prefixes = {"model_2."};
    plan.options.aliases = {{"model_3.", "model_1."}};
  } else if (arch == "vgg16" || arch == "vgg16-features") {
    StripPrefix(t, "model.");
    plan.detected_layout = "torchvision";
    if (arch == "vgg16-features") plan.options.ignore_prefixes = {"classifier."};
  } else if (arch == "mfrl") {
    if (AnyKeyStartsWith(t, "model_1.tri_layer.") || AnyKeyStartsWith(t, "model_1.classifier_mcb")) {
      // An [MCCG] checkpoint initialises the backbone and classifier1; the fusion and
      // classifier_fuse stay as initialised.
      plan.detected_layout = "mccg";
      plan.options.strict = false;
      plan.options.ignore_prefixes = {"model_1.tri_layer.", "model_1.classifier_mcb"};
    } else {
      plan.detected_layout = "mfrl";
    }
  } else if (arch == "imlnet") {
    if (AnyKeyStartsWith(t, "irn.") || AnyKeyStartsWith(t, "muml.")) {
      plan.detected_layout = "imlnet";
    } else {
      // A [U1652] baseline checkpoint initialises the encoder and the descriptor block (§4.8).
      plan.detected_layout = "three_view_net";
      plan.options.strict = false;
      plan.options.ignore_prefixes = {"model_2."};
      plan.options.aliases = {{"model_3.", "model_1."}};
    }
  } else if (arch == "drl-mix") {
    plan.detected_layout = "drl";
  } else if (arch == "cvt13-imagenet") {
    plan.detected_layout = "microsoft-cvt";
    plan.options.strict = false;
    plan.options.rewrites = {{"", "union_backbone.backbone.backbone."}};
    plan.options.ignore_suffixes = {"num_batches_tracked"};
    plan.options.ignore_prefixes = {"pos_embed"};
  }
  plan.tensors = std::move(t);
  return plan;
}

ClassifierShape InspectClassifier(const NamedTensors& tensors) {
  ClassifierShape s;
  for (const auto& [k, v] : tensors) {
    const std::string suffix = "classifier.0.weight";
    if (k.size() >= suffix.size() && k.compare(k.size() - suffix.size(), suffix.size(), suffix) == 0 && v.dim() == 2 &&
        StartsWith(k, "classifier")) {
      s.num_classes = v.size(0);
      s.bottleneck = v.size(1);
      ++s.heads;
    }
  }
  return s;
}

std::string DetectArchitecture(const NamedTensors& checkpoint) {
  NamedTensors t = checkpoint;
  StripPrefix(t, "module.");
  auto has = [&](const std::string& p) { return AnyKeyStartsWith(t, p); };
  if (has("union_backbone.")) return "drl-mix";
  if (has("model_1.convnext.")) return "mfrl";
  if (has("irn.") || has("muml.")) return "imlnet";
  if (has("model_1.") || has("model_3.")) {
    if (has("classifier00.")) return "msba";
    if (has("classifier0.")) return "lpn";
    if (has("classifier.")) return "u1652-baseline";
  }
  if (has("stage2.cls_token") || has("stage0.patch_embed.")) return "cvt13-imagenet";
  // The stems under the optional prefixes PlanImport removes (timm under "model." in [S4G]).
  for (const char* p : {"", "model.", "convnext."}) {
    const std::string prefix = p;
    if (has(prefix + "downsample_layers.0.") || has(prefix + "stem.") || has(prefix + "features.0.0.")) return "convnext-t";
  }
  if (has("features.0.weight") && (has("classifier.0.") || has("features.28."))) return has("classifier.") ? "vgg16" : "vgg16-features";
  NamedTensors r = t;
  StripPrefix(r, "model.");
  ResNetShape rs = InspectResNet(r, "");
  if (rs.depth > 0) return "resnet" + std::to_string(rs.depth);
  std::string first;
  for (size_t i = 0; i < t.size() && i < 4; ++i) first += (i ? ", " : "") + t[i].first;
  throw CV_ERROR(InvalidArgumentError, "cannot tell which architecture this checkpoint holds").With("keys", t.size()).With("first_keys", first)
      .Hint("pass --arch (one of " + [] { std::string l; for (const auto& a : ImportArchitectures()) l += (l.empty() ? "" : ", ") + a; return l; }() + ")");
}

ResNetShape InspectResNet(const NamedTensors& tensors, const std::string& prefix) {
  ResNetShape s;
  int64_t layer3_blocks = 0;
  bool bottleneck = false, layer4 = false;
  for (const auto& [k, v] : tensors) {
    if (!StartsWith(k, prefix)) continue;
    const std::string r = k.substr(prefix.size());
    if (r == "conv1.weight" && v.dim() == 4) s.base_width = static_cast<int>(v.size(0));
    if (StartsWith(r, "layer1.0.conv3.")) bottleneck = true;
    if (StartsWith(r, "layer4.")) layer4 = true;
    if (StartsWith(r, "layer3.")) {
      const std::string idx = r.substr(7, r.find('.', 7) - 7);
      if (!idx.empty() && std::all_of(idx.begin(), idx.end(), ::isdigit)) layer3_blocks = std::max<int64_t>(layer3_blocks, std::stoll(idx) + 1);
    }
  }
  if (s.base_width == 0 || !layer4) return {};
  if (bottleneck) s.depth = layer3_blocks == 6 ? 50 : 0;  // ResNet-101/152 are not supported
  else s.depth = layer3_blocks == 2 ? 18 : layer3_blocks == 6 ? 34 : 0;
  if (s.depth == 0) s.base_width = 0;
  return s;
}

}  // namespace crossview::models

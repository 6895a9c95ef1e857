// crossview model describe --method baseline|lpn|msba|mfrl|imlnet|drl-mix|drl-post [--preset P] [--size N]
//   [--classes N] [--set model.KEY=VALUE ...] [--keys] [--depth D] [--time N] [--json]
// Builds the method's network (the preset's configuration, paper by default) and prints its module
// tree with parameter counts, the backbone feature-map sizes and the train/eval output shapes from
// forward passes on zeros, the descriptor size, the multiply-accumulates per image (counted on the
// ATen operators that run, see models/model_summary.h), optionally the eval forward time and
// every state-dict key with its shape.
#include <algorithm>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "crossview/cli/command.h"
#include "crossview/cli/common_flags.h"
#include "crossview/convert/model_run.h"
#include "crossview/models/descriptor.h"
#include "crossview/models/model_store.h"
#include "crossview/models/model_summary.h"
#include "crossview/models/weights.h"
#include "crossview/runtime/device.h"
#include "crossview/train/drl_trainer.h"
#include "crossview/train/retrieval_trainer.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"

namespace crossview::cli {

namespace {

struct DescribeFlags {
  std::string method = "msba", preset = "paper";
  int size = 0, satellite_size = 0, depth = 2, time_runs = 0;
  int64_t classes = 701;
  std::vector<std::string> sets;
  bool json = false, keys = false;
};

nlohmann::json ShapeList(const std::vector<torch::Tensor>& ts) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& t : ts) j.push_back(t.defined() ? nlohmann::json(t.sizes().vec()) : nlohmann::json(nullptr));
  return j;
}

std::string Shape(const nlohmann::json& s) {
  if (s.is_null()) return "-";
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i].get<int64_t>());
  return out + "]";
}

std::string Giga(int64_t macs) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(3) << static_cast<double>(macs) / 1e9 << " G";
  return os.str();
}

// Applies --set, accepting model.* keys only (the other keys of the training table do not change
// the network).
void ApplySets(OptionTable& table, const std::vector<std::string>& sets) {
  for (const auto& s : sets) {
    if (s.rfind("model.", 0) != 0) {
      throw CV_ERROR(InvalidArgumentError, "describe takes model.* options only").With("set", s).Hint("e.g. --set model.base_width=16");
    }
    table.SetAssignment(s);
  }
}

nlohmann::json Keys(const torch::nn::Module& m) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& [k, v] : models::StateDict(m)) j.push_back({{"key", k}, {"shape", v.sizes().vec()}, {"dtype", std::string(c10::toString(v.scalar_type()))}});
  return j;
}

double MedianMs(int runs, const std::function<void()>& fn) {
  fn();  // warm-up
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    fn();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

nlohmann::json DescribeRetrieval(const DescribeFlags& f, torch::nn::Module** root, std::shared_ptr<torch::nn::Module>* keep) {
  train::RetrievalTrainOptions o = train::RetrievalTrainOptions::Preset(f.preset, f.method);
  OptionTable table = o.Bind();
  ApplySets(table, f.sets);
  const int size = f.size > 0 ? f.size : o.size;
  models::RetrievalNet net(o.ModelOptions(f.classes));
  *keep = net.ptr();
  *root = net.ptr().get();
  torch::NoGradGuard ng;
  nlohmann::json j = {{"method", f.method}, {"preset", f.preset}, {"classes", f.classes}, {"input_size", size},
                      {"options", models::ToJson(net->options())}};
  j["parameters"] = {{"total", models::CountParameters(*net)},
                     {"backbone", [&] { int64_t n = 0; for (const auto& t : net->BackboneParameters()) n += t.numel(); return n; }()},
                     {"other", [&] { int64_t n = 0; for (const auto& t : net->HeadParameters()) n += t.numel(); return n; }()}};
  net->eval();
  torch::Tensor one = torch::zeros({1, 3, size, size});
  j["feature_maps"] = ShapeList(net->ForwardBackbone(one, models::View::kDrone));
  models::RetrievalOutput e;
  models::MacCount eval_macs = models::CountMacs([&] { e = net->forward(one, models::View::kDrone); });
  j["eval"] = {{"parts", e.parts.sizes().vec()},
               {"descriptor_dim", models::NormaliseParts(e.parts, net->options().method == "msba").size(1)},
               {"macs_per_image", eval_macs.total},
               {"macs_by_operator", eval_macs.by_operator}};
  net->train();  // BatchNorm1d in training mode needs two images
  models::RetrievalOutput t;
  models::MacCount train_macs = models::CountMacs([&] { t = net->forward(torch::zeros({2, 3, size, size}), models::View::kDrone); });
  j["train"] = {{"batch", 2}, {"logits", ShapeList(t.logits)}, {"features", ShapeList(t.features)}, {"parts", t.parts.sizes().vec()},
                {"unit_maps", ShapeList(t.unit_maps)}, {"reconstruction", t.reconstruction.defined() ? nlohmann::json(t.reconstruction.sizes().vec()) : nlohmann::json(nullptr)},
                {"macs_per_image", train_macs.total / 2}};
  net->eval();
  if (f.time_runs > 0) {
    j["eval"]["ms_per_image"] = MedianMs(f.time_runs, [&] { net->forward(one, models::View::kDrone); });
    j["eval"]["threads"] = IntraOpThreads();
  }
  return j;
}

nlohmann::json DescribeDrl(const DescribeFlags& f, torch::nn::Module** root, std::shared_ptr<torch::nn::Module>* keep) {
  train::DrlTrainOptions o = train::DrlTrainOptions::Preset(f.preset, f.method == "drl-mix" ? "mix" : "post");
  OptionTable table = o.Bind();
  ApplySets(table, f.sets);
  const int uav = f.size > 0 ? f.size : o.uav_size, sat = f.satellite_size > 0 ? f.satellite_size : o.satellite_size;
  models::drl::DrlNet net(o.net);
  *keep = net.ptr();
  *root = net.ptr().get();
  torch::NoGradGuard ng;
  net->eval();
  torch::Tensor u = torch::zeros({1, 3, uav, uav}), s = torch::zeros({1, 3, sat, sat});
  models::drl::DrlOutput out;
  models::MacCount macs = models::CountMacs([&] { out = net->forward(u, s); });
  nlohmann::json j = {{"method", f.method}, {"preset", f.preset}, {"uav_size", uav}, {"satellite_size", sat},
                      {"options", train::ToJson(net->options())}, {"parameters", {{"total", models::CountParameters(*net)}}}};
  j["feature_maps"] = {{"uav", ShapeList(out.uav_stages)}, {"satellite", ShapeList(out.satellite_stages)}};
  j["eval"] = {{"logits", out.logits.sizes().vec()}, {"satellite_neck", out.satellite_neck.defined() ? nlohmann::json(out.satellite_neck.sizes().vec()) : nlohmann::json(nullptr)},
               {"macs_per_image", macs.total}, {"macs_by_operator", macs.by_operator}};
  if (f.time_runs > 0) {
    j["eval"]["ms_per_image"] = MedianMs(f.time_runs, [&] { net->forward(u, s); });
    j["eval"]["threads"] = IntraOpThreads();
  }
  return j;
}

void PrintText(const nlohmann::json& j, const models::ModuleSummary& tree, int depth) {
  std::cout << j["method"].get<std::string>() << " (preset " << j["preset"].get<std::string>() << ")";
  if (j.contains("input_size")) std::cout << ", " << j["classes"] << " classes, input " << j["input_size"] << "×" << j["input_size"];
  if (j.contains("uav_size")) std::cout << ", UAV " << j["uav_size"] << ", satellite " << j["satellite_size"];
  std::cout << "\nparameters: " << j["parameters"]["total"];
  if (j["parameters"].contains("backbone")) std::cout << " (backbone " << j["parameters"]["backbone"] << ", other " << j["parameters"]["other"] << ")";
  std::cout << "\n";
  if (j["feature_maps"].is_array()) {
    std::cout << "backbone maps (eval, batch 1):";
    for (const auto& s : j["feature_maps"]) std::cout << "  " << Shape(s);
    std::cout << "\n";
  } else {
    for (const char* v : {"uav", "satellite"}) {
      std::cout << v << " backbone maps:";
      for (const auto& s : j["feature_maps"][v]) std::cout << "  " << Shape(s);
      std::cout << "\n";
    }
  }
  const auto& e = j["eval"];
  if (e.contains("parts")) {
    std::cout << "eval output: parts " << Shape(e["parts"]) << " → descriptor " << e["descriptor_dim"] << " floats (flip TTA, L2"
              << (e["parts"][2].get<int64_t>() > 1 ? " per column, ÷√P, channel-major" : "") << ")\n";
    const auto& t = j["train"];
    std::cout << "train output (one view, batch 2): " << t["logits"].size() << " logits " << (t["logits"].empty() ? "-" : Shape(t["logits"][0]))
              << ", " << t["features"].size() << " features " << Shape(t["features"][0]) << ", parts " << Shape(t["parts"]);
    if (!t["unit_maps"].empty()) {
      std::cout << ", unit maps";
      for (const auto& s : t["unit_maps"]) std::cout << " " << Shape(s);
    }
    if (!t["reconstruction"].is_null()) std::cout << ", reconstruction " << Shape(t["reconstruction"]);
    std::cout << "\nMACs per image: eval " << Giga(e["macs_per_image"].get<int64_t>()) << " (one pass; flip TTA doubles it), train forward "
              << Giga(t["macs_per_image"].get<int64_t>()) << "\n";
  } else {
    std::cout << "output: logits " << Shape(e["logits"]) << "\nMACs per UAV/satellite pair: " << Giga(e["macs_per_image"].get<int64_t>()) << "\n";
  }
  std::cout << "  (multiply-accumulates of convolutions, transposed convolutions, linear layers and matrix products, counted on the\n"
               "   ATen operators that ran; FLOPs = 2 × MACs)\n";
  if (e.contains("ms_per_image")) std::cout << "eval forward: " << e["ms_per_image"] << " ms per image (median, " << e["threads"] << " threads)\n";
  std::cout << "modules (depth " << depth << "; name, type, parameters):\n" << models::FormatModuleTree(tree);
  if (j.contains("keys")) {
    std::cout << "state dict (" << j["keys"].size() << " entries):\n";
    for (const auto& k : j["keys"]) std::cout << "  " << k["key"].get<std::string>() << " " << Shape(k["shape"]) << "\n";
  }
}

}  // namespace

int RunModel(int argc, char** argv) {
  CLI::App app("Inspect model architectures and run models on named tensors.", "crossview model");
  app.require_subcommand(1);
  CommonFlags common;
  AddCommonFlags(app, &common);
  CLI::App* describe = app.add_subcommand("describe", "module tree, parameter counts, output shapes, MACs and state-dict keys of a method");
  DescribeFlags f;
  describe->add_option("--method", f.method, "baseline | lpn | msba | mfrl | imlnet | drl-mix | drl-post")
      ->capture_default_str()
      ->check(CLI::IsMember({"baseline", "lpn", "msba", "mfrl", "imlnet", "drl-mix", "drl-post"}));
  describe->add_option("--preset", f.preset, "cpu-tiny | cpu-ci | paper (the configuration to build)")->capture_default_str();
  describe->add_option("--size", f.size, "input side (DRL: the UAV side); default: the preset's");
  describe->add_option("--satellite-size", f.satellite_size, "DRL satellite side; default: the preset's");
  describe->add_option("--classes", f.classes, "training classes K")->capture_default_str();
  describe->add_option("--set", f.sets, "model option override model.KEY=VALUE (repeatable), e.g. --set model.base_width=16");
  describe->add_option("--depth", f.depth, "levels of the module tree to print")->capture_default_str();
  describe->add_option("--time", f.time_runs, "also time N eval forward passes at batch 1 (median)");
  describe->add_flag("--keys", f.keys, "list every state-dict key with its shape");
  describe->add_flag("--json", f.json, "print JSON on stdout");
  std::string backbone;
  describe->add_option("--backbone", backbone, "resnet18 | resnet34 | resnet50 (ResNet methods), vgg16 (imlnet), convnext-t | convnext-b (mfrl)")
      ->check(CLI::IsMember({"resnet18", "resnet34", "resnet50", "vgg16", "convnext-t", "convnext-b"}));
  CLI::App* run = app.add_subcommand("run", "run a model in eval mode on named input tensors; write every named output as DIR/<name>.npy");
  convert::ModelRunOptions ro;
  std::string run_out, run_weights, run_inputs;
  std::string run_archs;
  for (const auto& a : convert::ModelRunOptions::Archs()) run_archs += (run_archs.empty() ? "" : " | ") + a;
  run->add_option("--arch", ro.arch, run_archs)->required();
  run->add_option("--method", ro.method, "retrieval method to build from a checkpoint (default: the arch's)");
  run->add_option("--weights", run_weights, "checkpoint (.pth/.safetensors) or crossview model directory")->required();
  run->add_option("--inputs", run_inputs, ".pth/.safetensors with the named inputs (drl-mix: uav, satellite; msba-head: layer3, layer4; others: images)")
      ->required();
  run->add_option("--out", run_out, "directory for <name>.npy (float32, C order) and outputs.json")->required();
  run->add_option("--set", ro.sets, "model option override model.KEY=VALUE (repeatable)");
  run->add_option("--time", ro.time_runs, "also time N runs (median, after one warm-up) and record it in outputs.json");
  AddDeviceFlag(*run, &ro.device);
  return RunCommand(app, argc, argv, [&] {
    common.Apply();
    if (run->parsed()) {
      ro.weights = run_weights;
      ro.inputs = run_inputs;
      double median_s = 0;
      models::NamedTensors outputs = convert::RunModel(ro, &median_s);
      nlohmann::json j = convert::WriteOutputs(run_out, outputs, ro);
      if (ro.time_runs > 0) {
        j["median_s"] = median_s;
        j["time_runs"] = ro.time_runs;
        j["intra_op_threads"] = IntraOpThreads();
        WriteFileAtomic(std::filesystem::path(run_out) / "outputs.json", j.dump(2) + "\n");
        std::cout << "median " << median_s * 1000.0 << " ms over " << ro.time_runs << " runs (" << IntraOpThreads() << " threads)\n";
      }
      for (const auto& o : j["outputs"]) std::cout << o["name"].get<std::string>() << " " << Shape(o["shape"]) << " → " << run_out << "/" << o["file"].get<std::string>() << "\n";
      return;
    }
    // --backbone is shorthand for the model option that selects it.
    if (backbone.rfind("resnet", 0) == 0) {
      f.sets.insert(f.sets.begin(), "model.depth=" + backbone.substr(6));
    } else if (backbone == "vgg16") {
      if (f.method != "imlnet") throw CV_ERROR(InvalidArgumentError, "--backbone vgg16 is the IML-Net encoder").Hint("use --method imlnet");
      f.sets.insert(f.sets.begin(), "model.iml_encoder=vgg16");
    } else if (!backbone.empty()) {
      if (f.method != "mfrl") throw CV_ERROR(InvalidArgumentError, "ConvNeXt backbones are MFRL's").Hint("use --method mfrl");
      f.sets.insert(f.sets.begin(), std::string("model.convnext=") + (backbone == "convnext-t" ? "tiny" : "base"));
    }
    if (f.classes < 1) throw CV_ERROR(InvalidArgumentError, "--classes must be positive").With("classes", f.classes);
    torch::nn::Module* root = nullptr;
    std::shared_ptr<torch::nn::Module> keep;
    nlohmann::json j = f.method.rfind("drl-", 0) == 0 ? DescribeDrl(f, &root, &keep) : DescribeRetrieval(f, &root, &keep);
    models::ModuleSummary tree = models::SummariseModules(*root, f.depth);
    if (f.keys) j["keys"] = Keys(*root);
    if (f.json) {
      j["modules"] = models::ToJson(tree);
      std::cout << j.dump(2) << "\n";
    } else {
      PrintText(j, tree, f.depth);
    }
  });
}

}  // namespace crossview::cli

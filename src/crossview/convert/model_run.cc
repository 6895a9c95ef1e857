#include "crossview/convert/model_run.h"

#include <algorithm>
#include <chrono>
#include <functional>

#include "crossview/checkpoint/checkpoint.h"
#include "crossview/convert/import.h"
#include "crossview/models/backbones/convnext.h"
#include "crossview/models/backbones/resnet.h"
#include "crossview/models/backbones/vgg.h"
#include "crossview/models/descriptor.h"
#include "crossview/models/heads/part_pooling.h"
#include "crossview/models/weight_import.h"
#include "crossview/runtime/device.h"
#include "crossview/train/retrieval_trainer.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"
#include "crossview/util/npy.h"

namespace crossview::convert {
namespace fs = std::filesystem;
namespace {

struct Inputs {
  checkpoint::StateDict tensors;
  fs::path path;
  // The named input as float32 on `device`; NotFoundError listing what the file holds.
  torch::Tensor Get(const std::string& name, int dims, const c10::Device& device) const {
    if (!tensors.Contains(name)) {
      std::string have;
      for (const auto& [k, v] : tensors.entries()) have += (have.empty() ? "" : ", ") + k;
      throw CV_ERROR(NotFoundError, "the inputs file has no tensor '" + name + "'").With("inputs", path.string()).With("has", have);
    }
    torch::Tensor t = tensors.at(name);
    if (t.dim() != dims) {
      throw CV_ERROR(InvalidArgumentError, "input '" + name + "' has the wrong rank").With("expected_dims", dims).With("got_dims", t.dim());
    }
    return t.to(device, torch::kFloat).contiguous();
  }
};

double Median(int runs, const std::function<void()>& fn) {
  torch::InferenceMode inference;  // as timed in PyTorch (torch.inference_mode)
  fn();  // warm-up
  std::vector<double> s;
  for (int i = 0; i < runs; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    fn();
    s.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(s.begin(), s.end());
  return s[s.size() / 2];
}

void Add(models::NamedTensors& out, const std::string& name, const torch::Tensor& t) {
  out.emplace_back(name, t.detach().to(torch::kCPU, torch::kFloat).contiguous());
}

models::NamedTensors RunDrl(const ModelRunOptions& o, const Inputs& in, const c10::Device& device, double* median_s) {
  ImportOptions io;
  io.arch = "drl-mix";
  io.preset = o.preset;
  io.sets = o.sets;
  train::StoredDrlModel m = LoadDrlModelAny(o.weights, io);
  m.net->to(device);
  m.net->eval();
  torch::Tensor uav = in.Get("uav", 4, device), sat = in.Get("satellite", 4, device);
  models::drl::DrlOutput r = m.net->forward(uav, sat);
  if (o.time_runs > 0 && median_s) *median_s = Median(o.time_runs, [&] { m.net->forward(uav, sat); });
  models::NamedTensors out;
  Add(out, "heatmap_logits", r.logits);
  Add(out, "heatmap", torch::sigmoid(r.logits));
  if (r.satellite_neck.defined()) Add(out, "satellite_fpn_p3", r.satellite_neck);
  for (size_t i = 0; i < r.uav_stages.size(); ++i) Add(out, "uav_stage" + std::to_string(i), r.uav_stages[i]);
  for (size_t i = 0; i < r.satellite_stages.size(); ++i) Add(out, "satellite_stage" + std::to_string(i), r.satellite_stages[i]);
  return out;
}

models::NamedTensors RunMsbaHead(const ModelRunOptions& o, const Inputs& in, const c10::Device& device) {
  models::NamedTensors w = ReadCheckpointTensors(o.weights).tensors;
  models::ImportPlan plan = models::PlanImport("msba", w, false);
  train::RetrievalTrainOptions to = train::RetrievalTrainOptions::Preset(o.preset, "msba");
  models::ClassifierShape cs = models::InspectClassifier(plan.tensors);
  if (cs.bottleneck > 0) to.bottleneck = static_cast<int>(cs.bottleneck);
  OptionTable table = to.Bind();
  for (const auto& s : o.sets) table.SetAssignment(s);
  models::RetrievalNet net(to.ModelOptions(cs.num_classes > 0 ? cs.num_classes : 701));
  plan.options.strict = false;
  models::LoadReport r = models::LoadStateDict(*net, plan.tensors, plan.options);
  // Head weights only: everything but the backbone must have come from the file.
  std::vector<std::string> head_missing;
  for (const auto& k : r.missing) if (k.rfind("model_1.", 0) != 0) head_missing.push_back(k);
  if (!head_missing.empty() || !r.unexpected.empty() || !r.shape_mismatch.empty()) {
    throw CV_ERROR(InvalidArgumentError, "the weights are not an MSBA head").With("weights", o.weights.string())
        .With("missing_head_keys", head_missing.size()).With("unexpected", r.unexpected.size()).With("shape_mismatch", r.shape_mismatch.size())
        .With("detail", r.Summary(4)).Hint("pass classifier00.*/classifier{0..5}.* weights (a full MSBA checkpoint works too)");
  }
  net->to(device);
  net->eval();
  torch::Tensor x3 = in.Get("layer3", 4, device), x4 = in.Get("layer4", 4, device);
  torch::Tensor parts = models::MsbaBlocks(x4);
  models::NamedTensors out;
  Add(out, "part_pool", parts);
  Add(out, "block_attention", models::BlockAttention(parts));
  Add(out, "descriptor_parts", net->ForwardHeads({torch::Tensor(), torch::Tensor(), x3, x4}, models::View::kDrone).parts);
  return out;
}

models::NamedTensors RunRetrieval(const ModelRunOptions& o, const Inputs& in, const c10::Device& device, double* median_s) {
  ImportOptions io;
  io.arch = fs::is_regular_file(o.weights) ? o.arch : "auto";
  io.method = o.method;
  io.preset = o.preset;
  io.sets = o.sets;
  models::StoredRetrievalModel m = LoadRetrievalModelAny(o.weights, io);
  m.net->to(device);
  m.net->eval();
  torch::Tensor images = in.Get("images", 4, device);
  models::NamedTensors out;
  Add(out, "parts", m.net->forward(images, models::View::kDrone).parts);
  Add(out, "descriptor", models::ExtractDescriptors(m.net, images, models::View::kDrone));
  if (o.time_runs > 0 && median_s) *median_s = Median(o.time_runs, [&] { models::ExtractDescriptors(m.net, images, models::View::kDrone); });
  return out;
}

models::NamedTensors RunBackbone(const ModelRunOptions& o, const Inputs& in, const c10::Device& device, double* median_s) {
  models::ImportPlan plan = models::PlanImport(o.arch, ReadCheckpointTensors(o.weights).tensors, true);
  torch::Tensor images = in.Get("images", 4, device);
  models::NamedTensors out;
  auto load = [&](torch::nn::Module& m) {
    models::LoadStateDict(m, plan.tensors, plan.options);
    m.to(device);
    m.eval();
  };
  if (o.arch.rfind("resnet", 0) == 0) {
    models::ResNetOptions ro;
    ro.depth = std::stoi(o.arch.substr(6));
    models::ResNetShape rs = models::InspectResNet(plan.tensors, "");
    if (rs.base_width > 0) ro.base_width = rs.base_width;
    models::ResNet net(ro);
    load(*net);
    std::vector<torch::Tensor> stages = net->ForwardStages(images);
    for (size_t i = 0; i < stages.size(); ++i) Add(out, "layer" + std::to_string(i + 1), stages[i]);
    Add(out, "logits", net->forward(images));
    if (o.time_runs > 0 && median_s) *median_s = Median(o.time_runs, [&] { net->forward(images); });
  } else if (o.arch == "vgg16") {
    models::Vgg net(models::VggOptions{});
    load(*net);
    models::VggStages s = net->ForwardStages(images);
    for (size_t i = 0; i < s.maps.size(); ++i) Add(out, "stage" + std::to_string(i + 1), s.maps[i]);
    Add(out, "logits", net->forward(images));
  } else {
    models::ConvNext net(models::ConvNextOptions::Tiny());
    load(*net);
    std::vector<torch::Tensor> stages = net->ForwardStages(images);
    for (size_t i = 0; i < stages.size(); ++i) Add(out, "stage" + std::to_string(i), stages[i]);
    Add(out, "pooled", net->Pooled(stages.back()));
  }
  return out;
}

}  // namespace

const std::vector<std::string>& ModelRunOptions::Archs() {
  static const std::vector<std::string> kArchs = {"drl-mix", "msba-head", "u1652-baseline", "lpn", "msba", "mfrl", "imlnet",
                                                  "resnet18", "resnet34", "resnet50", "vgg16", "convnext-t"};
  return kArchs;
}

void ModelRunOptions::Check() const {
  const auto& archs = Archs();
  if (std::find(archs.begin(), archs.end(), arch) == archs.end()) {
    std::string list;
    for (const auto& a : archs) list += (list.empty() ? "" : ", ") + a;
    throw CV_ERROR(InvalidArgumentError, "unknown architecture '" + arch + "' for model run").Hint("valid: " + list);
  }
  if (!fs::exists(weights)) throw CV_ERROR(NotFoundError, "weights not found").With("weights", weights.string());
  if (!fs::is_regular_file(inputs)) throw CV_ERROR(NotFoundError, "inputs file not found").With("inputs", inputs.string());
}

models::NamedTensors RunModel(const ModelRunOptions& o, double* median_s) {
  o.Check();
  const c10::Device device = ResolveDevice(o.device);
  Inputs in{checkpoint::LoadCheckpoint(o.inputs), o.inputs};
  torch::NoGradGuard no_grad;
  if (o.arch == "drl-mix") return RunDrl(o, in, device, median_s);
  if (o.arch == "msba-head") return RunMsbaHead(o, in, device);
  if (o.arch.rfind("resnet", 0) == 0 || o.arch == "vgg16" || o.arch == "convnext-t") return RunBackbone(o, in, device, median_s);
  return RunRetrieval(o, in, device, median_s);
}

nlohmann::json WriteOutputs(const fs::path& dir, const models::NamedTensors& outputs, const ModelRunOptions& o) {
  EnsureDirectory(dir);
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [name, t] : outputs) {
    torch::Tensor c = t.to(torch::kCPU, torch::kFloat).contiguous();
    std::vector<int64_t> shape = c.sizes().vec();
    WriteNpy(dir / (name + ".npy"), NpyType::kFloat32, shape, c.data_ptr<float>());
    list.push_back({{"name", name}, {"file", name + ".npy"}, {"shape", shape}, {"dtype", "float32"}});
  }
  nlohmann::json j = {{"arch", o.arch}, {"weights", fs::absolute(o.weights).string()}, {"inputs", fs::absolute(o.inputs).string()},
                      {"device", o.device}, {"outputs", list}};
  WriteFileAtomic(dir / "outputs.json", j.dump(2) + "\n");
  return j;
}

}  // namespace crossview::convert

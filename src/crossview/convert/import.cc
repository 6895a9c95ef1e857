#include "crossview/convert/import.h"

#include <algorithm>
#include <set>

#include "crossview/checkpoint/checkpoint.h"
#include "crossview/checkpoint/safetensors.h"
#include "crossview/models/backbones/convnext.h"
#include "crossview/models/backbones/resnet.h"
#include "crossview/models/backbones/vgg.h"
#include "crossview/models/pretrained.h"
#include "crossview/models/weight_import.h"
#include "crossview/train/retrieval_trainer.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"
#include "crossview/util/sha256.h"

namespace crossview::convert {
namespace fs = std::filesystem;
namespace {

const std::set<std::string> kRetrievalArchs = {"u1652-baseline", "lpn", "msba", "mfrl", "imlnet"};
const std::set<std::string> kBackboneArchs = {"resnet18", "resnet34", "resnet50", "convnext-t", "vgg16", "vgg16-features", "cvt13-imagenet"};

constexpr char kKindKey[] = "crossview_kind";
constexpr char kModelJsonKey[] = "crossview_model_json";

bool Has(const models::NamedTensors& t, const std::string& key) {
  return std::any_of(t.begin(), t.end(), [&](const auto& kv) { return kv.first == key; });
}
const torch::Tensor* Find(const models::NamedTensors& t, const std::string& key) {
  for (const auto& kv : t) if (kv.first == key) return &kv.second;
  return nullptr;
}

std::string ResolveArch(const ImportOptions& o, const CheckpointTensors& ck) {
  if (o.arch != "auto") return o.arch;
  if (ck.metadata.count(kKindKey)) return "crossview-" + ck.metadata.at(kKindKey);
  return models::DetectArchitecture(ck.tensors);
}

void CheckClasses(const ImportOptions& o, int64_t found) {
  if (o.classes > 0 && found > 0 && found != o.classes) {
    throw CV_ERROR(InvalidArgumentError, "the checkpoint's classifier has a different class count").With("checkpoint_classes", found)
        .With("expected_classes", o.classes).Hint("drop --classes to use the checkpoint's, or pass the checkpoint trained on your classes");
  }
}

// Every classifier Linear "…classifier.0.weight" (three_view_net heads, MFRL's classifier1 /
// classifier_fuse) → (classes, bottleneck, heads).
models::ClassifierShape Classifiers(const models::NamedTensors& t) {
  models::ClassifierShape s;
  const std::string suffix = "classifier.0.weight";
  for (const auto& [k, v] : t) {
    if (k.size() >= suffix.size() && k.compare(k.size() - suffix.size(), suffix.size(), suffix) == 0 && v.dim() == 2) {
      s.num_classes = v.size(0);
      s.bottleneck = v.size(1);
      ++s.heads;
    }
  }
  return s;
}

// What the weights determine about the network, written into the training options.
void InferRetrieval(const models::NamedTensors& t, train::RetrievalTrainOptions& o, int64_t* classes) {
  models::ClassifierShape cs = Classifiers(t);
  if (cs.num_classes > 0) *classes = cs.num_classes;
  if (const torch::Tensor* b = Find(t, "classifier.add_block.0.weight")) {
    o.bottleneck = static_cast<int>(b->size(0));
  } else if (cs.bottleneck > 0) {
    o.bottleneck = static_cast<int>(cs.bottleneck);
  }
  models::ResNetShape rs = models::InspectResNet(t, "model_1.model.");
  if (rs.depth > 0) {
    o.depth = rs.depth;
    o.base_width = rs.base_width;
  }
  if (o.method == "lpn" && cs.heads > 0) o.lpn_blocks = static_cast<int>(cs.heads);
  if (o.method == "baseline") {
    if (Has(t, "model_1.gem2.p")) {
      o.baseline_pool = "gem";
    } else if (const torch::Tensor* b = Find(t, "classifier.add_block.0.weight")) {
      models::ResNetOptions ro;
      ro.depth = o.depth;
      ro.base_width = o.base_width;
      o.baseline_pool = b->size(1) == 2 * ro.OutChannels() ? "avg+max" : "avg";
    }
  }
  if (o.method == "mfrl") {
    if (const torch::Tensor* stem = Find(t, "model_1.convnext.downsample_layers.0.0.weight")) {
      const int64_t c = stem->size(0);
      o.convnext = c == 128 ? "base" : c == 24 ? "reduced" : "tiny";
    }
  }
  if (o.method == "imlnet") {
    bool vgg = std::any_of(t.begin(), t.end(), [](const auto& kv) { return kv.first.rfind("model_1.model.features.", 0) == 0; });
    o.iml.encoder = vgg ? "vgg16" : "resnet";
    if (vgg) {
      if (const torch::Tensor* c = Find(t, "model_1.model.features.0.weight")) o.base_width = static_cast<int>(c->size(0));
    }
    o.iml.global_ce = Has(t, "classifier.classifier.0.weight") ? std::max(o.iml.global_ce, 1.0) : 0.0;
  }
}

nlohmann::json Provenance(const fs::path& in, const std::string& sha, const std::string& arch, const std::string& layout) {
  return {{"file", fs::absolute(in).string()}, {"sha256", sha}, {"arch", arch}, {"layout", layout}};
}

models::StoredRetrievalModel BuildRetrieval(const fs::path& in, const CheckpointTensors& ck, const ImportOptions& io, ImportSummary* s) {
  models::StoredRetrievalModel m;
  if (s->arch == "crossview-retrieval") {
    nlohmann::json info = nlohmann::json::parse(ck.metadata.at(kModelJsonKey), nullptr, false);
    if (info.is_discarded()) throw CV_ERROR(InvalidArgumentError, "the file's crossview_model_json metadata is not JSON").With("path", in.string());
    m.net = models::RetrievalNet(models::RetrievalNetOptionsFromJson(info.at("options")));
    models::LoadOptions lo;
    lo.aliases = {{"model_3.", "model_1."}};
    s->report = models::LoadStateDict(*m.net, ck.tensors, lo);
    m.info = info;
    m.input_size = info.value("input_size", 256);
    s->method = m.net->options().method;
    s->layout = "crossview";
  } else {
    if (!kRetrievalArchs.count(s->arch)) {
      throw CV_ERROR(InvalidArgumentError, "this is not a retrieval checkpoint").With("arch", s->arch)
          .Hint("retrieval architectures: u1652-baseline, lpn, msba, mfrl, imlnet");
    }
    s->method = !io.method.empty() ? io.method : s->arch == "u1652-baseline" ? "baseline" : s->arch;
    models::ImportPlan plan = models::PlanImport(s->arch, ck.tensors, io.strict);
    train::RetrievalTrainOptions o = train::RetrievalTrainOptions::Preset(io.preset, s->method);
    int64_t classes = 701;
    InferRetrieval(plan.tensors, o, &classes);
    CheckClasses(io, classes);
    if (io.classes > 0) classes = io.classes;
    OptionTable table = o.Bind();
    for (const auto& set : io.sets) table.SetAssignment(set);
    m.net = models::RetrievalNet(o.ModelOptions(classes));
    s->report = models::LoadStateDict(*m.net, plan.tensors, plan.options);
    s->layout = plan.detected_layout;
    m.input_size = io.input_size > 0 ? io.input_size : o.size;
    m.info = {{"kind", "retrieval"}, {"format", 1}, {"options", models::ToJson(m.net->options())}, {"input_size", m.input_size},
              {"imported_from", Provenance(in, s->sha256, s->arch, s->layout)}};
  }
  s->kind = "retrieval";
  s->classes = m.net->options().num_classes;
  m.net->eval();
  return m;
}

train::StoredDrlModel BuildDrl(const fs::path& in, const CheckpointTensors& ck, const ImportOptions& io, ImportSummary* s) {
  train::StoredDrlModel m;
  if (s->arch == "crossview-drl") {
    nlohmann::json info = nlohmann::json::parse(ck.metadata.at(kModelJsonKey), nullptr, false);
    if (info.is_discarded()) throw CV_ERROR(InvalidArgumentError, "the file's crossview_model_json metadata is not JSON").With("path", in.string());
    m.net = models::drl::DrlNet(train::DrlNetOptionsFromJson(info.at("options")));
    s->report = models::LoadStateDict(*m.net, ck.tensors);
    m.uav_size = info.value("uav_size", 128);
    m.satellite_size = info.value("satellite_size", 384);
    m.hanning_size = info.value("hanning_size", 31);
    m.info = info;
    s->layout = "crossview";
  } else {
    if (s->arch != "drl-mix") {
      throw CV_ERROR(InvalidArgumentError, "this is not a DRL checkpoint").With("arch", s->arch).Hint("the DRL architecture is drl-mix");
    }
    models::ImportPlan plan = models::PlanImport("drl-mix", ck.tensors, io.strict);
    train::DrlTrainOptions o = train::DrlTrainOptions::Preset(io.preset, "mix");
    OptionTable table = o.Bind();
    for (const auto& set : io.sets) table.SetAssignment(set);
    models::drl::DrlNetOptions no = o.net;
    no.output_size = o.satellite_size;
    m.net = models::drl::DrlNet(no);
    s->report = models::LoadStateDict(*m.net, plan.tensors, plan.options);
    s->layout = plan.detected_layout;
    m.uav_size = o.uav_size;
    m.satellite_size = o.satellite_size;
    m.hanning_size = o.hanning_size;
    m.info = {{"kind", "drl"}, {"format", 1}, {"options", train::ToJson(m.net->options())}, {"uav_size", m.uav_size},
              {"satellite_size", m.satellite_size}, {"hanning_size", m.hanning_size}, {"preset", io.preset},
              {"imported_from", Provenance(in, s->sha256, s->arch, s->layout)}};
  }
  s->kind = "drl";
  s->method = "drl-" + m.net->options().fusion;
  m.net->eval();
  return m;
}

// Renames a backbone file into crossview's names and proves it loads into the backbone.
models::NamedTensors BuildBackbone(const CheckpointTensors& ck, const ImportOptions& io, ImportSummary* s) {
  models::ImportPlan plan = models::PlanImport(s->arch, ck.tensors, io.strict);
  s->layout = plan.detected_layout;
  s->kind = "backbone";
  models::NamedTensors kept;
  for (const auto& kv : plan.tensors) {
    bool drop = false;
    for (const auto& p : plan.options.ignore_prefixes) drop = drop || kv.first.rfind(p, 0) == 0;
    for (const auto& x : plan.options.ignore_suffixes) {
      drop = drop || (kv.first.size() >= x.size() && kv.first.compare(kv.first.size() - x.size(), x.size(), x) == 0);
    }
    if (!drop) kept.push_back(kv);
  }
  if (s->arch == "cvt13-imagenet") {
    models::drl::DrlNet net(models::drl::DrlNetOptions::Paper());
    models::BackboneInit init = models::InitBackbone(*net, kept);
    s->report.loaded = init.tensors_per_module;
    return kept;
  }
  std::shared_ptr<torch::nn::Module> module;
  if (s->arch.rfind("resnet", 0) == 0) {
    models::ResNetShape rs = models::InspectResNet(kept, "");
    models::ResNetOptions ro;
    ro.depth = std::stoi(s->arch.substr(6));
    ro.base_width = rs.base_width > 0 ? rs.base_width : 64;
    if (const torch::Tensor* fc = Find(kept, "fc.weight")) ro.num_classes = static_cast<int>(fc->size(0));
    module = models::ResNet(ro).ptr();
  } else if (s->arch == "convnext-t") {
    const torch::Tensor* stem = Find(kept, "downsample_layers.0.0.weight");
    models::ConvNextOptions co = stem != nullptr && stem->size(0) == 128 ? models::ConvNextOptions::Base() : models::ConvNextOptions::Tiny();
    if (const torch::Tensor* head = Find(kept, "head.weight")) co.num_classes = head->size(0);
    module = models::ConvNext(co).ptr();
  } else {
    models::VggOptions vo;
    vo.classifier = s->arch == "vgg16";
    if (const torch::Tensor* fc = Find(kept, "classifier.6.weight")) vo.num_classes = fc->size(0);
    module = models::Vgg(vo).ptr();
  }
  models::LoadOptions lo;
  lo.strict = io.strict;
  s->report = models::LoadStateDict(*module, kept, lo);
  return kept;
}

void CheckOutputFree(const fs::path& out) {
  if (fs::exists(out)) {
    throw CV_ERROR(InvalidArgumentError, "the output already exists").With("out", out.string()).Hint("choose a new path or remove the old one");
  }
}

}  // namespace

void ImportOptions::Check() const {
  if (arch != "auto") {
    const auto& archs = models::ImportArchitectures();
    if (std::find(archs.begin(), archs.end(), arch) == archs.end()) {
      std::string list = "auto";
      for (const auto& a : archs) list += ", " + a;
      throw CV_ERROR(InvalidArgumentError, "unknown architecture '" + arch + "'").Hint("valid: " + list);
    }
  }
  if (classes < 0) throw CV_ERROR(InvalidArgumentError, "classes must be positive").With("classes", classes);
  if (input_size < 0 || input_size % 16 != 0) throw CV_ERROR(InvalidArgumentError, "input size must be a positive multiple of 16").With("input_size", input_size);
}

nlohmann::json ImportSummary::ToJson() const {
  return {{"kind", kind}, {"arch", arch}, {"layout", layout}, {"method", method}, {"in", in}, {"out", out}, {"sha256", sha256},
          {"classes", classes}, {"loaded", report.loaded}, {"missing", report.missing}, {"unexpected", report.unexpected},
          {"shape_mismatch", report.shape_mismatch}};
}

bool IsCheckpointFile(const fs::path& path) { return fs::is_regular_file(path); }

CheckpointTensors ReadCheckpointTensors(const fs::path& file, const ImportOptions& options) {
  checkpoint::LoadOptions lo;
  lo.allow_opaque_globals = true;  // inert: nothing in a pickle is ever executed
  lo.state_dict_key = options.state_dict_key;
  checkpoint::Checkpoint c = checkpoint::ReadCheckpoint(file, lo);
  CheckpointTensors out;
  out.tensors.assign(c.tensors.entries().begin(), c.tensors.entries().end());
  out.metadata = c.metadata;
  if (out.tensors.empty()) throw CV_ERROR(InvalidArgumentError, "the checkpoint holds no tensors").With("path", file.string());
  return out;
}

models::StoredRetrievalModel LoadRetrievalModelAny(const fs::path& path, const ImportOptions& options, ImportSummary* summary) {
  if (!IsCheckpointFile(path)) return models::LoadRetrievalModel(path);
  options.Check();
  ImportSummary s;
  s.in = path.string();
  s.sha256 = Sha256File(path);
  return WithContext("checkpoint", path.string(), [&] {
    CheckpointTensors ck = ReadCheckpointTensors(path, options);
    s.arch = ResolveArch(options, ck);
    models::StoredRetrievalModel m = BuildRetrieval(path, ck, options, &s);
    if (summary) *summary = s;
    return m;
  });
}

train::StoredDrlModel LoadDrlModelAny(const fs::path& path, const ImportOptions& options, ImportSummary* summary) {
  if (!IsCheckpointFile(path)) return train::LoadDrlModel(path.string());
  options.Check();
  ImportSummary s;
  s.in = path.string();
  s.sha256 = Sha256File(path);
  return WithContext("checkpoint", path.string(), [&] {
    CheckpointTensors ck = ReadCheckpointTensors(path, options);
    s.arch = ResolveArch(options, ck);
    train::StoredDrlModel m = BuildDrl(path, ck, options, &s);
    if (summary) *summary = s;
    return m;
  });
}

ImportSummary ImportCheckpoint(const fs::path& in, const fs::path& out, const ImportOptions& options) {
  options.Check();
  if (!fs::is_regular_file(in)) throw CV_ERROR(NotFoundError, "no checkpoint file here").With("path", in.string());
  CheckOutputFree(out);
  ImportSummary s;
  s.in = in.string();
  s.out = out.string();
  s.sha256 = Sha256File(in);
  WithContext("checkpoint", in.string(), [&] {
    CheckpointTensors ck = ReadCheckpointTensors(in, options);
    s.arch = ResolveArch(options, ck);
    if (s.arch == "drl-mix" || s.arch == "crossview-drl") {
      train::StoredDrlModel m = BuildDrl(in, ck, options, &s);
      AtomicPath dir(out);
      train::DrlTrainOptions o = train::DrlTrainOptions::Preset(options.preset, m.net->options().fusion);
      o.uav_size = m.uav_size;
      o.satellite_size = m.satellite_size;
      o.hanning_size = m.hanning_size;
      train::SaveDrlModel(dir.temp_path().string(), m.net, o);
      // Keep the provenance next to what SaveDrlModel writes.
      nlohmann::json info = nlohmann::json::parse(ReadFile(dir.temp_path() / "drl_model.json"));
      if (m.info.contains("imported_from")) info["imported_from"] = m.info["imported_from"];
      WriteFileAtomic(dir.temp_path() / "drl_model.json", info.dump(2) + "\n");
      dir.Commit();
    } else if (kBackboneArchs.count(s.arch)) {
      models::NamedTensors kept = BuildBackbone(ck, options, &s);
      checkpoint::StateDict sd;
      for (auto& [k, v] : kept) sd.Add(k, v);
      checkpoint::WriteSafetensors(out, sd, {{"crossview_kind", "backbone"}, {"crossview_arch", s.arch}, {"source_layout", s.layout},
                                             {"source_sha256", s.sha256}});
    } else {
      models::StoredRetrievalModel m = BuildRetrieval(in, ck, options, &s);
      AtomicPath dir(out);
      nlohmann::json extra = m.info;
      extra.erase("options");
      extra.erase("input_size");
      models::SaveRetrievalModel(dir.temp_path(), m.net, m.input_size, extra);
      dir.Commit();
    }
  });
  return s;
}

nlohmann::json ExportSafetensors(const fs::path& model_dir, const fs::path& out) {
  checkpoint::StateDict sd;
  nlohmann::json info;
  std::string kind;
  if (fs::exists(model_dir / "drl_model.json")) {
    train::StoredDrlModel m = train::LoadDrlModel(model_dir.string());
    for (auto& [k, v] : models::StateDict(*m.net)) sd.Add(k, v);
    info = m.info;
    kind = "drl";
  } else if (fs::exists(model_dir / "model.json")) {
    models::StoredRetrievalModel m = models::LoadRetrievalModel(model_dir);
    models::NamedTensors t = models::StateDict(*m.net);
    for (auto& [k, v] : t) sd.Add(k, v);
    // The reference three_view_net keeps model_3 = model_1 as a second name for the shared
    // backbone; its checkpoints carry both, and so does ours.
    const auto& o = m.net->options();
    if (o.share_weights && (o.method == "baseline" || o.method == "lpn" || o.method == "msba")) {
      for (auto& [k, v] : t) if (k.rfind("model_1.", 0) == 0) sd.Add("model_3." + k.substr(8), v);
    }
    info = m.info;
    kind = "retrieval";
  } else {
    throw CV_ERROR(NotFoundError, "not a crossview model directory (no model.json or drl_model.json)").With("path", model_dir.string())
        .Hint("pass a directory written by 'crossview train' or 'crossview import'");
  }
  checkpoint::WriteSafetensors(out, sd, {{kKindKey, kind}, {kModelJsonKey, info.dump()}});
  return {{"kind", kind}, {"tensors", sd.size()}, {"out", out.string()}, {"bytes", fs::file_size(out)}};
}

}  // namespace crossview::convert

#include "crossview/models/model_store.h"

#include <torch/torch.h>

#include "crossview/models/weights.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"

namespace crossview::models {

nlohmann::json ToJson(const RetrievalNetOptions& o) {
  return {{"method", o.method},
          {"backbone", {{"depth", o.backbone.depth}, {"last_stride", o.backbone.last_stride}, {"base_width", o.backbone.base_width}}},
          {"num_classes", o.num_classes},
          {"dropout", o.dropout},
          {"bottleneck", o.bottleneck},
          {"share_weights", o.share_weights},
          {"baseline_pool", o.baseline_pool},
          {"lpn_blocks", o.lpn_blocks},
          {"lpn_odd_size_quirk", o.lpn_odd_size_quirk},
          {"convnext", {{"depths", o.convnext.depths}, {"dims", o.convnext.dims}, {"drop_path", o.convnext.drop_path}}},
          {"vgg", {{"base_width", o.vgg.base_width}}},
          {"mfrl", {{"attention", o.mfrl.attention}, {"conv", o.mfrl.conv}, {"sge_groups", o.mfrl.sge_groups}, {"heads", o.mfrl.heads},
                    {"kernel", o.mfrl.kernel}, {"alpha_init", o.mfrl.alpha_init}, {"beta_init", o.mfrl.beta_init}}},
          {"iml", {{"encoder", o.iml.encoder}, {"unit_channels", o.iml.unit_channels}, {"global_ce", o.iml.global_ce},
                   {"recon_satellite", o.iml.recon_satellite}}}};
}

RetrievalNetOptions RetrievalNetOptionsFromJson(const nlohmann::json& j) {
  RetrievalNetOptions o;
  try {
    o.method = j.at("method").get<std::string>();
    o.backbone.depth = j.at("backbone").at("depth").get<int>();
    o.backbone.last_stride = j.at("backbone").at("last_stride").get<int>();
    o.backbone.base_width = j.at("backbone").at("base_width").get<int>();
    o.num_classes = j.at("num_classes").get<int64_t>();
    o.dropout = j.value("dropout", o.dropout);
    o.bottleneck = j.value("bottleneck", o.bottleneck);
    o.share_weights = j.value("share_weights", o.share_weights);
    o.baseline_pool = j.value("baseline_pool", o.baseline_pool);
    o.lpn_blocks = j.value("lpn_blocks", o.lpn_blocks);
    o.lpn_odd_size_quirk = j.value("lpn_odd_size_quirk", o.lpn_odd_size_quirk);
    if (j.contains("convnext")) {
      const auto& c = j.at("convnext");
      o.convnext.depths = c.at("depths").get<std::vector<int64_t>>();
      o.convnext.dims = c.at("dims").get<std::vector<int64_t>>();
      o.convnext.drop_path = c.value("drop_path", o.convnext.drop_path);
    }
    if (j.contains("vgg")) o.vgg.base_width = j.at("vgg").value("base_width", o.vgg.base_width);
    if (j.contains("mfrl")) {
      const auto& m = j.at("mfrl");
      o.mfrl.attention = m.value("attention", o.mfrl.attention);
      o.mfrl.conv = m.value("conv", o.mfrl.conv);
      o.mfrl.sge_groups = m.value("sge_groups", o.mfrl.sge_groups);
      o.mfrl.heads = m.value("heads", o.mfrl.heads);
      o.mfrl.kernel = m.value("kernel", o.mfrl.kernel);
      o.mfrl.alpha_init = m.value("alpha_init", o.mfrl.alpha_init);
      o.mfrl.beta_init = m.value("beta_init", o.mfrl.beta_init);
    }
    if (j.contains("iml")) {
      const auto& m = j.at("iml");
      o.iml.encoder = m.value("encoder", o.iml.encoder);
      o.iml.unit_channels = m.value("unit_channels", o.iml.unit_channels);
      o.iml.global_ce = m.value("global_ce", o.iml.global_ce);
      o.iml.recon_satellite = m.value("recon_satellite", o.iml.recon_satellite);
    }
  } catch (const nlohmann::json::exception& e) {
    throw CV_ERROR(InvalidArgumentError, "model options are incomplete or of the wrong type").With("json", e.what());
  }
  o.Check();
  return o;
}

void SaveStateDictArchive(const std::filesystem::path& path, const torch::nn::Module& module) {
  torch::serialize::OutputArchive archive;
  for (const auto& [name, t] : StateDict(module)) archive.write(name, t.detach().to(torch::kCPU), /*is_buffer=*/true);
  AtomicPath out(path);
  archive.save_to(out.temp_path().string());
  out.Commit();
}

void LoadStateDictArchive(const std::filesystem::path& path, torch::nn::Module& module) {
  if (!std::filesystem::exists(path)) throw CV_ERROR(NotFoundError, "weights file not found").With("path", path.string());
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path.string());
  } catch (const c10::Error& e) {
    throw CV_ERROR(IoError, "cannot read the weights file (truncated or not a crossview archive)").With("path", path.string());
  }
  NamedTensors tensors;
  std::vector<std::string> missing;
  for (const auto& [name, t] : StateDict(module)) {
    torch::Tensor v;
    if (archive.try_read(name, v, /*is_buffer=*/true)) {
      tensors.emplace_back(name, v);
    } else {
      missing.push_back(name);
    }
  }
  if (!missing.empty()) {
    throw CV_ERROR(InvalidArgumentError, "weights file does not match the model").With("path", path.string())
        .With("missing", missing.size()).With("first_missing", missing.front());
  }
  LoadStateDict(module, tensors);
}

void SaveRetrievalModel(const std::filesystem::path& dir, RetrievalNet& net, int input_size, const nlohmann::json& extra) {
  EnsureDirectory(dir);
  nlohmann::json info = {{"kind", "retrieval"}, {"format", 1}, {"options", ToJson(net->options())}, {"input_size", input_size}};
  for (auto it = extra.begin(); extra.is_object() && it != extra.end(); ++it) info[it.key()] = it.value();
  SaveStateDictArchive(dir / "model.pt", *net);
  WriteFileAtomic(dir / "model.json", info.dump(2) + "\n");
}

StoredRetrievalModel LoadRetrievalModel(const std::filesystem::path& dir) {
  std::filesystem::path json_path = dir / "model.json";
  if (!std::filesystem::exists(json_path)) {
    throw CV_ERROR(NotFoundError, "no model.json here").With("path", dir.string()).Hint("pass a directory written by 'crossview train'");
  }
  nlohmann::json info = nlohmann::json::parse(ReadFile(json_path), nullptr, false);
  if (info.is_discarded() || !info.is_object()) throw CV_ERROR(InvalidArgumentError, "model.json is not valid JSON").With("path", json_path.string());
  if (info.value("kind", "") != "retrieval") {
    throw CV_ERROR(InvalidArgumentError, "not a retrieval model").With("kind", info.value("kind", "?")).With("path", json_path.string());
  }
  if (info.value("format", 0) > 1) {
    throw CV_ERROR(InvalidArgumentError, "model.json is from a newer crossview").With("format", info.value("format", 0)).Hint("upgrade crossview");
  }
  StoredRetrievalModel m;
  m.info = info;
  m.input_size = info.value("input_size", 256);
  m.net = RetrievalNet(WithContext("model", json_path.string(), [&] { return RetrievalNetOptionsFromJson(info.at("options")); }));
  LoadStateDictArchive(dir / "model.pt", *m.net);
  m.net->eval();
  return m;
}

}  // namespace crossview::models

#include "crossview/train/drl_trainer.h"

#include "crossview/models/pretrained.h"

#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "crossview/data/image_io.h"
#include "crossview/datasets/ul14.h"
#include "crossview/eval/drl_eval.h"
#include "crossview/models/image_tensor.h"
#include "crossview/models/model_store.h"
#include "crossview/runtime/device.h"
#include "crossview/train/run_state.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"
#include "crossview/util/log.h"
#include "crossview/util/parallel.h"
#include "crossview/util/progress.h"
#include "crossview/util/random.h"

namespace crossview::train {

namespace fs = std::filesystem;

void DrlTrainOptions::Check() const {
  net.Check();
  rsc.Check();
  loss.Check();
  optim.Check();
  if (data.empty()) throw CV_ERROR(InvalidArgumentError, "no dataset given").Hint("pass --data DIR (UL14 layout)");
  if (out.empty()) throw CV_ERROR(InvalidArgumentError, "no run directory given").Hint("pass --out RUN");
  if (uav_size % 16 != 0 || satellite_size % 16 != 0) {
    throw CV_ERROR(InvalidArgumentError, "DRL input sizes must be multiples of 16").With("uav", uav_size).With("satellite", satellite_size);
  }
  if (batch_size < 1 || epochs < 1) throw CV_ERROR(InvalidArgumentError, "batch_size and epochs must be positive");
}

OptionTable DrlTrainOptions::Bind() {
  OptionTable t;
  t.Add("model.fusion", &net.fusion, "", {"mix", "post"});
  t.Add("model.small_backbone", &net.small_backbone, "reduced CvT for CPU budgets");
  t.Add("model.neck", &net.neck, "", {"fpn", "ccn"});
  t.Add("model.head", &net.head, "", {"ce", "avg", "gem", "gc"});
  t.Add("model.neck_dim", &net.neck_dim);
  t.Add("model.fpn_level", &net.fpn_level);
  t.Add("model.init_backbone", &init_backbone, "ImageNet CvT-13 checkpoint (.pth/.safetensors) to start the backbone from; empty = random");
  t.Add("data.uav_size", &uav_size);
  t.Add("data.satellite_size", &satellite_size);
  t.Add("data.rsc_min", &rsc.min_size);
  t.Add("data.rsc_max", &rsc.max_size);
  t.Add("data.rsc_cover_rate", &rsc.cover_rate);
  t.Add("data.rsc_scale_type", &rsc.scale_type, "", {"rs", "ms", "ss"});
  t.Add("data.legacy_bgr_satellite", &rsc.legacy_bgr);
  t.Add("data.uav_erasing", &uav_erasing);
  t.Add("data.batch_size", &batch_size);
  t.Add("data.decode_threads", &decode_threads);
  t.Add("loss.kind", &loss.kind, "", {"wbl", "bce", "focal", "balance"});
  t.Add("loss.w_neg", &loss.w_neg);
  t.Add("loss.r", &loss.r, "positive box size at the output resolution (= Hanning size)");
  t.Add("eval.hanning_size", &hanning_size);
  t.Add("eval.max_samples", &eval_max_samples);
  t.Add("eval.stored_size", &stored_size, "side of the stored test search maps");
  t.Add("train.epochs", &epochs);
  t.Add("train.seed", &seed);
  t.Add("train.device", &device);
  t.Add("optim.lr", &optim.lr);
  t.Add("optim.backbone_lr_mult", &optim.backbone_lr_mult);
  t.Add("optim.weight_decay", &optim.weight_decay);
  t.Add("optim.warmup_iters", &optim.warmup_iters);
  t.Add("optim.floor_ratio", &optim.floor_ratio);
  return t;
}

const std::vector<std::string>& DrlTrainOptions::Presets() {
  static const std::vector<std::string> k = {"cpu-tiny", "cpu-ci", "paper"};
  return k;
}

DrlTrainOptions DrlTrainOptions::Preset(const std::string& preset, const std::string& fusion) {
  DrlTrainOptions o;
  o.preset = preset;
  o.net.fusion = fusion;
  o.optim.optimizer = "adamw";
  o.optim.lr = 1.5e-4;
  o.optim.backbone_lr_mult = 1.0;
  o.optim.weight_decay = 5e-4;
  o.optim.schedule = "warmup-cosine-iter";
  o.optim.warmup_iters = 500;
  o.optim.floor_ratio = 0.01;
  if (preset == "paper") return o;
  if (preset != "cpu-tiny" && preset != "cpu-ci") {
    throw CV_ERROR(InvalidArgumentError, "unknown preset '" + preset + "'").Hint("valid presets: cpu-tiny, cpu-ci, paper");
  }
  const bool tiny = preset == "cpu-tiny";
  o.net = models::drl::DrlNetOptions::Small();
  o.net.fusion = fusion;
  o.uav_size = tiny ? 64 : 96;
  o.satellite_size = tiny ? 128 : 192;
  o.net.output_size = o.satellite_size;
  // Training satellites are smaller than UL14's 1280 px in these presets: scale the RSC range.
  o.rsc = o.rsc.Scaled(tiny ? 320.0 / 1280 : 640.0 / 1280);
  // R ≈ ±15 input px at stride 1 scales with the input side.
  o.loss.r = tiny ? 11 : 15;
  o.hanning_size = o.loss.r;
  o.epochs = tiny ? 3 : 12;
  o.batch_size = tiny ? 4 : 8;
  o.optim.lr = 1e-3;  // from scratch (no ImageNet CvT here)
  o.optim.warmup_iters = tiny ? 4 : 20;
  o.eval_max_samples = tiny ? 4 : 0;
  return o;
}

nlohmann::json ToJson(const models::drl::DrlNetOptions& o) {
  return {{"fusion", o.fusion},   {"small_backbone", o.small_backbone}, {"neck", o.neck},         {"head", o.head},
          {"neck_dim", o.neck_dim}, {"ce_dims", o.ce_dims},             {"fpn_level", o.fpn_level}, {"output_size", o.output_size},
          {"gc_out_scale", o.gc_out_scale}, {"gc_padding", o.gc_padding}, {"share_backbone", o.share_backbone}};
}

models::drl::DrlNetOptions DrlNetOptionsFromJson(const nlohmann::json& j) {
  models::drl::DrlNetOptions o;
  try {
    o.fusion = j.at("fusion").get<std::string>();
    o.small_backbone = j.at("small_backbone").get<bool>();
    o.neck = j.at("neck").get<std::string>();
    o.head = j.at("head").get<std::string>();
    o.neck_dim = j.at("neck_dim").get<int64_t>();
    o.ce_dims = j.at("ce_dims").get<std::vector<int64_t>>();
    o.fpn_level = j.at("fpn_level").get<int64_t>();
    o.output_size = j.at("output_size").get<int64_t>();
    o.gc_out_scale = j.value("gc_out_scale", o.gc_out_scale);
    o.gc_padding = j.value("gc_padding", o.gc_padding);
    o.share_backbone = j.value("share_backbone", o.share_backbone);
  } catch (const nlohmann::json::exception& e) {
    throw CV_ERROR(InvalidArgumentError, "DRL model options are incomplete or of the wrong type").With("json", e.what());
  }
  o.Check();
  return o;
}

void SaveDrlModel(const std::string& dir, models::drl::DrlNet& net, const DrlTrainOptions& o) {
  EnsureDirectory(dir);
  nlohmann::json info = {{"kind", "drl"},       {"format", 1},
                         {"options", ToJson(net->options())},
                         {"uav_size", o.uav_size}, {"satellite_size", o.satellite_size},
                         {"hanning_size", o.hanning_size}, {"preset", o.preset}, {"seed", o.seed}};
  models::SaveStateDictArchive(fs::path(dir) / "drl_model.pt", *net);
  WriteFileAtomic(fs::path(dir) / "drl_model.json", info.dump(2) + "\n");
}

StoredDrlModel LoadDrlModel(const std::string& dir) {
  fs::path json_path = fs::path(dir) / "drl_model.json";
  if (!fs::exists(json_path)) throw CV_ERROR(NotFoundError, "no drl_model.json here").With("path", dir).Hint("pass a run directory written by 'crossview train drl'");
  nlohmann::json info = nlohmann::json::parse(ReadFile(json_path), nullptr, false);
  if (info.is_discarded() || info.value("kind", "") != "drl") throw CV_ERROR(InvalidArgumentError, "not a DRL model description").With("path", json_path.string());
  StoredDrlModel m;
  m.info = info;
  m.uav_size = info.value("uav_size", 128);
  m.satellite_size = info.value("satellite_size", 384);
  m.hanning_size = info.value("hanning_size", 31);
  m.net = models::drl::DrlNet(WithContext("model", json_path.string(), [&] { return DrlNetOptionsFromJson(info.at("options")); }));
  models::LoadStateDictArchive(fs::path(dir) / "drl_model.pt", *m.net);
  m.net->eval();
  return m;
}

namespace {

struct DrlBatchItem {
  cv::Mat uav, satellite;
  RelativePosition position;
};

DrlBatchItem LoadItem(const datasets::Ul14TrainSample& s, const DrlTrainOptions& o, Rng rng) {
  DrlBatchItem item;
  cv::Mat uav = data::LoadImageRgb(s.uav_image);
  transforms::RandomErasingOptions eo;
  eo.probability = o.uav_erasing;
  transforms::RandomErasing(uav, eo, rng);
  item.uav = transforms::RandomInterpolationResize(uav, cv::Size(o.uav_size, o.uav_size), rng);
  const auto& sat_path = s.satellite_images[static_cast<size_t>(rng.UniformInt(0, static_cast<int64_t>(s.satellite_images.size()) - 1))];
  transforms::ScaleCropResult crop = transforms::RandomScaleCrop(data::LoadImageRgb(sat_path), o.rsc, rng);
  item.satellite = transforms::RandomInterpolationResize(crop.crop, cv::Size(o.satellite_size, o.satellite_size), rng);
  item.position = {crop.rate_row, crop.rate_col};
  return item;
}

}  // namespace

DrlTrainSummary TrainDrl(const DrlTrainOptions& o, bool resume) {
  o.Check();
  const fs::path run(o.out);
  CheckRunDirectory(run, resume);
  const c10::Device device = ResolveDevice(o.device);
  datasets::Ul14Options uo;
  uo.scope = datasets::ReadScope::kWhatExists;
  datasets::Ul14 ds = datasets::Ul14::Open(o.data, uo);
  std::vector<datasets::Ul14TrainSample> train = ds.ListTrain();
  if (static_cast<int>(train.size()) < o.batch_size) {
    throw CV_ERROR(InvalidArgumentError, "fewer training pairs than the batch size").With("pairs", train.size()).With("batch_size", o.batch_size);
  }
  torch::manual_seed(static_cast<uint64_t>(o.seed));
  models::drl::DrlNetOptions no = o.net;
  no.output_size = o.satellite_size;
  models::drl::DrlNet net(no);
  if (!o.init_backbone.empty() && !resume) {
    models::BackboneInit init = models::InitBackboneFromFile(*net, o.init_backbone);
    CV_LOG_INFO("CvT initialised from {} ({} tensors into {})", o.init_backbone, init.tensors_per_module, init.modules.size() == 1 ? init.modules[0] : "both streams");
  }
  net->to(device);
  // Weight decay on every parameter (spec §9); the backbone group follows backbone_lr_mult.
  std::vector<torch::Tensor> backbone = net->uav_backbone()->parameters(), head;
  std::set<const void*> in_backbone;
  for (auto& p : backbone) in_backbone.insert(p.unsafeGetTensorImpl());
  for (auto& p : net->parameters()) {
    if (!in_backbone.count(p.unsafeGetTensorImpl())) head.push_back(p);
  }
  auto opt = MakeOptimizer(o.optim, backbone, head);
  DrlTrainOptions copy = o;
  WriteFileAtomic(run / "config.json", nlohmann::json{{"preset", o.preset}, {"data", fs::absolute(o.data).string()}, {"options", copy.Bind().ToJson()}}.dump(2) + "\n");

  RunPosition position;
  int start_epoch = 0;
  if (resume) {
    position = LoadTrainingCheckpoint(run / "checkpoint.pt", *net, *opt, device);
    start_epoch = position.epoch + 1;
  }
  EpochLog log(run / "log.jsonl", start_epoch);
  const int steps = static_cast<int>(train.size()) / o.batch_size;
  const int64_t total_iters = static_cast<int64_t>(steps) * o.epochs;
  const int threads = o.decode_threads;  // 0 = all cores (ParallelFor)
  const auto t0 = std::chrono::steady_clock::now();
  DrlTrainSummary summary;
  for (int epoch = start_epoch; epoch < o.epochs; ++epoch) {
    torch::manual_seed(static_cast<uint64_t>(o.seed) * 1000003ULL + static_cast<uint64_t>(epoch));
    Rng epoch_rng = Rng(static_cast<uint64_t>(o.seed)).Fork("drl-epoch").Fork(static_cast<uint64_t>(epoch));
    std::vector<size_t> order(train.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    epoch_rng.Shuffle(order);
    net->train();
    double loss_sum = 0;
    ProgressBar bar(steps, "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(o.epochs));
    for (int step = 0; step < steps; ++step) {
      ApplyLr(*opt, o.optim, LrMultiplier(o.optim, epoch, o.epochs, position.iteration, total_iters));
      std::vector<DrlBatchItem> items(static_cast<size_t>(o.batch_size));
      ParallelFor(o.batch_size, threads, [&](int64_t i) {
        const size_t k = static_cast<size_t>(step * o.batch_size + i);
        items[static_cast<size_t>(i)] = LoadItem(train[order[k]], o, epoch_rng.Fork(static_cast<uint64_t>(k)));
      });
      std::vector<cv::Mat> uavs, sats;
      std::vector<RelativePosition> positions;
      for (auto& it : items) {
        uavs.push_back(it.uav);
        sats.push_back(it.satellite);
        positions.push_back(it.position);
      }
      torch::Tensor xu = models::ImagesToTensor(uavs, models::Normalization::None()).to(device);
      torch::Tensor xs = models::ImagesToTensor(sats, models::Normalization::None()).to(device);
      torch::Tensor loss = DrlLoss(net->forward(xu, xs).logits, positions, o.loss);
      opt->zero_grad();
      loss.backward();
      opt->step();
      ++position.iteration;
      loss_sum += loss.item<double>();
      bar.Add(1);
    }
    bar.Finish();
    summary.epochs_run = epoch + 1;
    summary.final_loss = loss_sum / steps;
    position.epoch = epoch;
    log.Append({{"epoch", epoch}, {"loss", summary.final_loss}, {"lr", opt->param_groups()[1].options().get_lr()}, {"iteration", position.iteration}});
    SaveTrainingCheckpoint(run / "checkpoint.pt", *net, *opt, position);
    CV_LOG_INFO("epoch {}/{}: loss {:.5f}", epoch + 1, o.epochs, summary.final_loss);
  }
  SaveDrlModel(o.out, net, o);
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (ds.has_test()) {
    eval::DrlEvalOptions eo;
    eo.uav_size = o.uav_size;
    eo.satellite_size = o.satellite_size;
    eo.hanning_size = o.hanning_size;
    eo.device = device;
    eo.max_samples = o.eval_max_samples;
    eo.stored_size = o.stored_size;
    eval::DrlEvalResult r = eval::EvaluateDrl(net, ds.ListTest(), eo);
    summary.evaluation = eval::DrlReport(r, eo);
    WriteFileAtomic(run / "eval.json", summary.evaluation.dump(2) + "\n");
    WriteFileAtomic(run / "predictions.json", r.predictions.dump(1) + "\n");
    CV_LOG_INFO("DRL test: {}", eval::FormatDrl(r.total));
  }
  return summary;
}

}  // namespace crossview::train

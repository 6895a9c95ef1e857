#include "crossview/train/retrieval_trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <thread>

#include "crossview/data/image_io.h"
#include "crossview/datasets/university1652.h"
#include "crossview/eval/retrieval_eval.h"
#include "crossview/models/image_tensor.h"
#include "crossview/models/model_store.h"
#include "crossview/models/weights.h"
#include "crossview/runtime/device.h"
#include "crossview/train/retrieval_losses.h"
#include "crossview/train/run_state.h"
#include "crossview/transforms/retrieval_augment.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"
#include "crossview/util/log.h"
#include "crossview/util/progress.h"
#include "crossview/util/random.h"

namespace crossview::train {

namespace fs = std::filesystem;

void RetrievalTrainOptions::Check() const {
  models::RetrievalNetOptions m;
  m.method = method;
  m.baseline_pool = baseline_pool;
  m.Check();
  optim.Check();
  if (data.empty()) throw CV_ERROR(InvalidArgumentError, "no dataset given").Hint("pass --data DIR");
  if (out.empty()) throw CV_ERROR(InvalidArgumentError, "no run directory given").Hint("pass --out RUN");
  if (batch_size < 2) throw CV_ERROR(InvalidArgumentError, "data.batch_size must be >= 2 (pairs of distinct buildings)").With("batch_size", batch_size);
  if (epochs < 1) throw CV_ERROR(InvalidArgumentError, "train.epochs must be >= 1").With("epochs", epochs);
  if (sample_num < 1) throw CV_ERROR(InvalidArgumentError, "data.sample_num must be >= 1").With("sample_num", sample_num);
  if (ce_reduction != "sum" && ce_reduction != "mean") throw CV_ERROR(InvalidArgumentError, "loss.ce_reduction must be sum or mean");
  if (size < 32 || size % 16 != 0) throw CV_ERROR(InvalidArgumentError, "data.size must be a multiple of 16, >= 32").With("size", size);
}

OptionTable RetrievalTrainOptions::Bind() {
  OptionTable t;
  t.Add("model.method", &method, "retrieval method", {"baseline", "lpn", "msba"});
  t.Add("model.depth", &depth, "ResNet depth (18, 34, 50)");
  t.Add("model.last_stride", &last_stride, "1 or 2");
  t.Add("model.base_width", &base_width, "64 = torchvision; smaller for CPU presets");
  t.Add("model.dropout", &dropout);
  t.Add("model.bottleneck", &bottleneck);
  t.Add("model.lpn_blocks", &lpn_blocks);
  t.Add("model.baseline_pool", &baseline_pool, "", {"avg", "max", "avg+max", "gem"});
  t.Add("data.size", &size, "input side in pixels");
  t.Add("data.pad", &pad, "edge padding before the random crop");
  t.Add("data.color_jitter", &color_jitter);
  t.Add("data.erasing", &erasing, "drone random-erasing probability");
  t.Add("data.batch_size", &batch_size, "buildings per batch (one satellite + one drone image each)");
  t.Add("data.sample_num", &sample_num, "repeats of each building per epoch (consecutive)");
  t.Add("data.decode_threads", &decode_threads, "0 = all cores");
  t.Add("loss.ce_reduction", &ce_reduction, "over heads", {"sum", "mean"});
  t.Add("loss.kl", &kl, "KL mutual learning between the views");
  t.Add("loss.triplet_weight", &triplet_weight);
  t.Add("loss.triplet_margin", &triplet_margin);
  t.Add("train.epochs", &epochs);
  t.Add("train.seed", &seed);
  t.Add("train.device", &device, "cpu, cuda, cuda:N, auto");
  t.Add("train.eval_every", &eval_every, "epochs between test evaluations (0 = at the end)");
  t.Add("optim.optimizer", &optim.optimizer, "", {"sgd", "adamw"});
  t.Add("optim.lr", &optim.lr, "head learning rate");
  t.Add("optim.backbone_lr_mult", &optim.backbone_lr_mult);
  t.Add("optim.momentum", &optim.momentum);
  t.Add("optim.nesterov", &optim.nesterov);
  t.Add("optim.weight_decay", &optim.weight_decay);
  t.Add("optim.schedule", &optim.schedule, "", {"step", "multistep", "cosine"});
  t.Add("optim.step_size", &optim.step_size);
  t.Add("optim.milestones", &optim.milestones);
  t.Add("optim.gamma", &optim.gamma);
  t.Add("optim.warmup_epochs", &optim.warmup_epochs);
  return t;
}

const std::vector<std::string>& RetrievalTrainOptions::Presets() {
  static const std::vector<std::string> kPresets = {"cpu-tiny", "cpu-ci", "paper"};
  return kPresets;
}

RetrievalTrainOptions RetrievalTrainOptions::Preset(const std::string& preset, const std::string& method) {
  RetrievalTrainOptions o;
  o.preset = preset;
  o.method = method;
  // The method's published recipe (spec retrieval.md §6.3).
  if (method == "baseline") {
    o.optim.lr = 0.01, o.optim.backbone_lr_mult = 0.1, o.optim.schedule = "step", o.optim.step_size = 80, o.epochs = 120;
    o.kl = false, o.ce_reduction = "sum";
  } else if (method == "lpn") {
    o.optim.lr = 0.001, o.optim.backbone_lr_mult = 0.1, o.optim.schedule = "step", o.optim.step_size = 80, o.epochs = 120;
    o.kl = false, o.ce_reduction = "sum";
  } else {  // msba
    o.optim.lr = 0.001, o.optim.backbone_lr_mult = 0.1, o.optim.schedule = "step", o.optim.step_size = 80, o.epochs = 140;
    o.kl = true, o.ce_reduction = "sum";
  }
  if (preset == "paper") return o;
  if (preset == "cpu-tiny" || preset == "cpu-ci") {
    // CPU budgets: a width-reduced ResNet-50 (same structure and keys), small inputs, few epochs,
    // a higher learning rate because training starts from scratch (no ImageNet weights here).
    const bool tiny = preset == "cpu-tiny";
    o.base_width = 16;
    o.size = tiny ? 64 : 128;
    o.pad = tiny ? 4 : 8;
    o.bottleneck = tiny ? 64 : 128;
    o.dropout = 0.1;
    o.epochs = tiny ? 4 : 20;
    o.optim.optimizer = "sgd";
    o.optim.lr = 0.05;
    o.optim.backbone_lr_mult = 1.0;
    o.optim.schedule = "cosine";
    o.optim.warmup_epochs = 1;
    o.optim.step_size = 1000;
    o.triplet_weight = 1.0;  // ranks better than CE alone when training from scratch on few classes
    o.ce_reduction = "mean";
    return o;
  }
  throw CV_ERROR(InvalidArgumentError, "unknown preset '" + preset + "'").Hint("valid presets: cpu-tiny, cpu-ci, paper");
}

namespace {

struct Sample {
  cv::Mat satellite, drone;
};

// One batch of the paired sampler: building classes `classes`, images drawn and augmented from
// per-item seeded streams (same seed → same batch, whatever the thread count).
Sample LoadPair(const datasets::ViewListing& sat, const datasets::ViewListing& drone, const std::vector<size_t>& sat_start,
                const std::vector<size_t>& drone_start, int cls, const transforms::RetrievalAugmentOptions& aug, Rng rng) {
  auto pick = [&](const datasets::ViewListing& l, const std::vector<size_t>& start, Rng& r) {
    size_t n = l.images_per_id[static_cast<size_t>(cls)];
    return l.images[start[static_cast<size_t>(cls)] + static_cast<size_t>(r.UniformInt(0, static_cast<int64_t>(n) - 1))].path;
  };
  Sample s;
  s.satellite = transforms::AugmentForTraining(data::LoadImageRgb(pick(sat, sat_start, rng)), transforms::ImageView::kSatellite, aug, rng);
  s.drone = transforms::AugmentForTraining(data::LoadImageRgb(pick(drone, drone_start, rng)), transforms::ImageView::kDrone, aug, rng);
  return s;
}

std::vector<size_t> StartOffsets(const datasets::ViewListing& l) {
  std::vector<size_t> start;
  size_t acc = 0;
  for (size_t n : l.images_per_id) {
    start.push_back(acc);
    acc += n;
  }
  return start;
}

}  // namespace

TrainSummary TrainRetrieval(const RetrievalTrainOptions& o, bool resume) {
  o.Check();
  const fs::path run(o.out);
  const fs::path ckpt = run / "checkpoint.pt";
  CheckRunDirectory(run, resume);
  const c10::Device device = ResolveDevice(o.device);

  datasets::University1652 ds = datasets::University1652::Open(o.data, {datasets::ReadScope::kWhatExists});
  std::vector<datasets::ViewListing> views = ds.TrainingViews({"satellite", "drone"});
  const datasets::ViewListing& sat = views[0];
  const datasets::ViewListing& drone = views[1];
  const int num_classes = static_cast<int>(sat.num_ids());
  if (num_classes < o.batch_size) {
    throw CV_ERROR(InvalidArgumentError, "fewer training buildings than the batch size").With("buildings", num_classes)
        .With("batch_size", o.batch_size).Hint("lower data.batch_size");
  }
  const std::vector<size_t> sat_start = StartOffsets(sat), drone_start = StartOffsets(drone);

  models::RetrievalNetOptions mo;
  mo.method = o.method;
  mo.backbone.depth = o.depth;
  mo.backbone.last_stride = o.last_stride;
  mo.backbone.base_width = o.base_width;
  mo.num_classes = num_classes;
  mo.dropout = o.dropout;
  mo.bottleneck = o.bottleneck;
  mo.lpn_blocks = o.lpn_blocks;
  mo.baseline_pool = o.baseline_pool;
  torch::manual_seed(static_cast<uint64_t>(o.seed));
  models::RetrievalNet net(mo);
  net->to(device);
  auto opt = MakeOptimizer(o.optim, net->BackboneParameters(), net->HeadParameters());

  RetrievalTrainOptions copy = o;
  nlohmann::json config = {{"preset", o.preset}, {"data", fs::absolute(o.data).string()}, {"options", copy.Bind().ToJson()}};
  WriteFileAtomic(run / "config.json", config.dump(2) + "\n");

  int start_epoch = 0;
  RunPosition position;
  if (resume) {
    position = LoadTrainingCheckpoint(ckpt, *net, *opt, device);
    start_epoch = position.epoch + 1;
    CV_LOG_INFO("resuming {} at epoch {}", o.out, start_epoch);
  }
  EpochLog log(run / "log.jsonl", start_epoch);

  transforms::RetrievalAugmentOptions aug;
  aug.size = o.size;
  aug.pad = o.pad;
  aug.color_jitter = o.color_jitter;
  aug.erasing_probability = o.erasing;
  const int threads = o.decode_threads > 0 ? o.decode_threads : static_cast<int>(std::thread::hardware_concurrency());
  const HeadReduction reduction = o.ce_reduction == "sum" ? HeadReduction::kSum : HeadReduction::kMean;
  const int steps = num_classes * o.sample_num / o.batch_size;  // the incomplete last batch is skipped
  const auto t0 = std::chrono::steady_clock::now();
  TrainSummary summary;

  for (int epoch = start_epoch; epoch < o.epochs; ++epoch) {
    torch::manual_seed(static_cast<uint64_t>(o.seed) * 1000003ULL + static_cast<uint64_t>(epoch));
    ApplyLr(*opt, o.optim, LrMultiplier(o.optim, epoch, o.epochs));
    Rng epoch_rng = Rng(static_cast<uint64_t>(o.seed)).Fork("epoch").Fork(static_cast<uint64_t>(epoch));
    std::vector<int> classes(static_cast<size_t>(num_classes));
    for (int i = 0; i < num_classes; ++i) classes[static_cast<size_t>(i)] = i;
    epoch_rng.Shuffle(classes);
    std::vector<int> order;  // each class sample_num times, consecutively (the reference sampler)
    for (int c : classes) order.insert(order.end(), static_cast<size_t>(o.sample_num), c);
    net->train();
    double loss_sum = 0, correct = 0, seen = 0;
    ProgressBar bar(steps, "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(o.epochs));
    for (int step = 0; step < steps; ++step) {
      std::vector<Sample> batch(static_cast<size_t>(o.batch_size));
      std::vector<std::exception_ptr> errors(batch.size());
      std::vector<std::thread> pool;
      for (int w = 0; w < std::min(threads, o.batch_size); ++w) {
        pool.emplace_back([&, w] {
          for (size_t i = static_cast<size_t>(w); i < batch.size(); i += static_cast<size_t>(std::min(threads, o.batch_size))) {
            try {
              int cls = order[static_cast<size_t>(step * o.batch_size) + i];
              batch[i] = LoadPair(sat, drone, sat_start, drone_start, cls, aug, epoch_rng.Fork(static_cast<uint64_t>(step * o.batch_size) + i));
            } catch (...) {
              errors[i] = std::current_exception();
            }
          }
        });
      }
      for (auto& th : pool) th.join();
      for (auto& e : errors) {
        if (e) std::rethrow_exception(e);
      }
      std::vector<cv::Mat> s_imgs, d_imgs;
      std::vector<int64_t> labels;
      for (size_t i = 0; i < batch.size(); ++i) {
        s_imgs.push_back(batch[i].satellite);
        d_imgs.push_back(batch[i].drone);
        labels.push_back(order[static_cast<size_t>(step * o.batch_size) + i]);
      }
      torch::Tensor xs = models::ImagesToTensor(s_imgs, models::Normalization::ImageNet()).to(device);
      torch::Tensor xd = models::ImagesToTensor(d_imgs, models::Normalization::ImageNet()).to(device);
      torch::Tensor y = torch::tensor(labels, torch::kLong).to(device);
      models::RetrievalOutput os = net->forward(xs, models::View::kSatellite);
      models::RetrievalOutput od = net->forward(xd, models::View::kDrone);
      torch::Tensor loss = CrossEntropyHeads(os.logits, y, reduction) + CrossEntropyHeads(od.logits, y, reduction);
      if (o.kl) loss = loss + KlMutualLoss(os.logits, od.logits);
      if (o.triplet_weight > 0) {
        TripletOptions to;
        to.margin = o.triplet_margin;
        loss = loss + o.triplet_weight * CrossViewTripletHeads(os.features, od.features, y, to);
      }
      opt->zero_grad();
      loss.backward();
      opt->step();
      ++position.iteration;
      torch::Tensor score = torch::zeros_like(od.logits[0]);
      for (const auto& l : od.logits) score = score + l.detach();
      correct += score.argmax(1).eq(y).sum().item<double>();
      seen += static_cast<double>(labels.size());
      loss_sum += loss.item<double>();
      bar.Add(1);
    }
    bar.Finish();
    summary.epochs_run = epoch + 1;
    summary.final_loss = loss_sum / steps;
    summary.final_accuracy = correct / std::max(1.0, seen);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    nlohmann::json line = {{"epoch", epoch},
                           {"loss", summary.final_loss},
                           {"drone_train_accuracy", summary.final_accuracy},
                           {"lr", opt->param_groups()[1].options().get_lr()},
                           {"steps", steps}};
    log.Append(line);
    position.epoch = epoch;
    SaveTrainingCheckpoint(ckpt, *net, *opt, position);
    CV_LOG_INFO("epoch {}/{}: loss {:.4f}, drone train accuracy {:.3f} ({:.0f} s)", epoch + 1, o.epochs, summary.final_loss,
                summary.final_accuracy, seconds);
  }
  models::SaveRetrievalModel(run, net, o.size, {{"preset", o.preset}, {"epochs", o.epochs}, {"seed", o.seed}});
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  if (ds.HasSplit(datasets::U1652Split::kTest)) {
    eval::ExtractOptions eo;
    eo.size = o.size;
    eo.device = device;
    nlohmann::json results = nlohmann::json::array();
    for (auto dir : {datasets::Direction::kDroneToSatellite, datasets::Direction::kSatelliteToDrone}) {
      eval::DirectionResult r = eval::EvaluatePair(net, ds.Evaluation(dir), eo);
      CV_LOG_INFO("{}", eval::FormatResult(r));
      results.push_back(eval::ToJson(r));
    }
    summary.evaluation = results;
    WriteFileAtomic(run / "eval.json", results.dump(2) + "\n");
  }
  return summary;
}

}  // namespace crossview::train

#include "crossview/train/retrieval_trainer.h"

#include "crossview/models/pretrained.h"

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
#include "crossview/transforms/resize.h"
#include "crossview/transforms/retrieval_augment.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"
#include "crossview/util/log.h"
#include "crossview/util/parallel.h"
#include "crossview/util/progress.h"
#include "crossview/util/random.h"

namespace crossview::train {

namespace fs = std::filesystem;

namespace {

struct Sample {
  cv::Mat satellite, drone;
  cv::Mat satellite_target;  // IML-Net: the same satellite image after test-time preprocessing
};

// One batch of the paired sampler: building classes `classes`, images drawn and augmented from
// per-item seeded streams (same seed → same batch, whatever the thread count).
Sample LoadPair(const datasets::ViewListing& sat, const datasets::ViewListing& drone, const std::vector<size_t>& sat_start,
                const std::vector<size_t>& drone_start, int cls, const transforms::RetrievalAugmentOptions& aug, bool want_target, Rng rng) {
  auto pick = [&](const datasets::ViewListing& l, const std::vector<size_t>& start, Rng& r) {
    size_t n = l.images_per_id[static_cast<size_t>(cls)];
    return l.images[start[static_cast<size_t>(cls)] + static_cast<size_t>(r.UniformInt(0, static_cast<int64_t>(n) - 1))].path;
  };
  Sample s;
  cv::Mat satellite = data::LoadImageRgb(pick(sat, sat_start, rng));
  if (want_target) s.satellite_target = transforms::PilResize(satellite, cv::Size(aug.size, aug.size), transforms::PilFilter::kBicubic);
  s.satellite = transforms::AugmentForTraining(satellite, transforms::ImageView::kSatellite, aug, rng);
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

  torch::manual_seed(static_cast<uint64_t>(o.seed));
  models::RetrievalNet net(o.ModelOptions(num_classes));
  if (!o.init_backbone.empty() && !resume) {
    models::BackboneInit init = models::InitBackboneFromFile(*net, o.init_backbone);
    CV_LOG_INFO("backbone initialised from {} ({} layout, {} tensors into {})", o.init_backbone, init.layout, init.tensors_per_module,
                init.modules.front());
  }
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
  aug.flip_probability = o.flip;
  aug.satellite_affine = o.satellite_affine;
  const bool want_target = o.method == "imlnet";
  const int threads = o.decode_threads;  // 0 = all cores (ParallelFor)
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
      ParallelFor(o.batch_size, threads, [&](int64_t i) {
        const size_t k = static_cast<size_t>(step * o.batch_size + i);
        batch[static_cast<size_t>(i)] = LoadPair(sat, drone, sat_start, drone_start, order[k], aug, want_target,
                                                 epoch_rng.Fork(static_cast<uint64_t>(k)));
      });
      std::vector<cv::Mat> s_imgs, d_imgs, targets;
      std::vector<int64_t> labels;
      for (size_t i = 0; i < batch.size(); ++i) {
        s_imgs.push_back(batch[i].satellite);
        d_imgs.push_back(batch[i].drone);
        if (want_target) targets.push_back(batch[i].satellite_target);
        labels.push_back(order[static_cast<size_t>(step * o.batch_size) + i]);
      }
      StepBatch b;
      b.satellite = models::ImagesToTensor(s_imgs, models::Normalization::ImageNet()).to(device);
      b.drone = models::ImagesToTensor(d_imgs, models::Normalization::ImageNet()).to(device);
      if (want_target) b.satellite_target = models::ImagesToTensor(targets, models::Normalization::ImageNet()).to(device);
      b.labels = torch::tensor(labels, torch::kLong).to(device);
      StepResult r = TrainStep(net, *opt, b, o.loss);
      position.iteration += r.optimizer_steps;
      correct += r.drone_scores.argmax(1).eq(b.labels).sum().item<double>();
      seen += static_cast<double>(labels.size());
      loss_sum += r.loss;
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

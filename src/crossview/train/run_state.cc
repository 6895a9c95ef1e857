#include "crossview/train/run_state.h"

#include <torch/torch.h>

#include <sstream>

#include "crossview/models/weights.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"

namespace crossview::train {

void SaveTrainingCheckpoint(const std::filesystem::path& path, const torch::nn::Module& model, torch::optim::Optimizer& opt,
                            const RunPosition& pos) {
  torch::serialize::OutputArchive archive, weights, optim;
  for (const auto& [name, t] : models::StateDict(model)) weights.write(name, t.detach().to(torch::kCPU), true);
  opt.save(optim);
  archive.write("model", weights);
  archive.write("optim", optim);
  archive.write("epoch", torch::tensor(static_cast<int64_t>(pos.epoch)));
  archive.write("iteration", torch::tensor(pos.iteration));
  AtomicPath out(path);
  archive.save_to(out.temp_path().string());
  out.Commit();
}

RunPosition LoadTrainingCheckpoint(const std::filesystem::path& path, torch::nn::Module& model, torch::optim::Optimizer& opt,
                                   c10::Device device) {
  torch::serialize::InputArchive archive, weights, optim;
  try {
    archive.load_from(path.string(), device);
    archive.read("model", weights);
    archive.read("optim", optim);
  } catch (const c10::Error&) {
    throw CV_ERROR(IoError, "cannot read the checkpoint (truncated or not a crossview checkpoint)").With("path", path.string());
  }
  models::NamedTensors tensors;
  for (const auto& [name, t] : models::StateDict(model)) {
    torch::Tensor v;
    if (!weights.try_read(name, v, true)) {
      throw CV_ERROR(InvalidArgumentError, "checkpoint does not match the model").With("missing", name).With("path", path.string());
    }
    tensors.emplace_back(name, v);
  }
  models::LoadStateDict(model, tensors);
  opt.load(optim);
  torch::Tensor epoch, iteration;
  archive.read("epoch", epoch);
  archive.read("iteration", iteration);
  return {static_cast<int>(epoch.item<int64_t>()), iteration.item<int64_t>()};
}

EpochLog::EpochLog(std::filesystem::path path, int keep_before_epoch) : path_(std::move(path)) {
  if (!std::filesystem::exists(path_)) return;
  std::istringstream old(ReadFile(path_));
  for (std::string line; std::getline(old, line);) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.value("epoch", 1 << 30) < keep_before_epoch) lines_.push_back(line);
  }
}

void EpochLog::Append(const nlohmann::json& line) {
  lines_.push_back(line.dump());
  std::string text;
  for (const auto& l : lines_) text += l + "\n";
  WriteFileAtomic(path_, text);
}

void CheckRunDirectory(const std::filesystem::path& run, bool resume) {
  const auto ckpt = run / "checkpoint.pt";
  if (!resume && std::filesystem::exists(ckpt)) {
    throw CV_ERROR(InvalidArgumentError, "the run directory already holds a run").With("out", run.string())
        .Hint("pass --resume to continue it, or choose a new --out");
  }
  if (resume && !std::filesystem::exists(ckpt)) {
    throw CV_ERROR(NotFoundError, "nothing to resume: no checkpoint.pt").With("out", run.string());
  }
  EnsureDirectory(run);
}

}  // namespace crossview::train

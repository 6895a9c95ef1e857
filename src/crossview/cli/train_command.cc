// crossview train ir|drl --data DIR --out RUN [--preset P] [--config FILE] [--set k=v ...] [--epochs N] [--init-backbone F] [--resume]
#include <iostream>
#include <nlohmann/json.hpp>

#include "crossview/cli/command.h"
#include "crossview/cli/common_flags.h"
#include "crossview/train/drl_trainer.h"
#include "crossview/train/retrieval_trainer.h"

namespace crossview::cli {
namespace {

// The flags every training subcommand shares.
struct RunFlags {
  std::string data, out, preset = "cpu-tiny", config, device, init_backbone;
  std::vector<std::string> sets;
  int epochs = 0;
  bool resume = false, json = false, list_options = false;
};

void AddRunFlags(CLI::App* cmd, RunFlags* f, const std::string& data_help) {
  cmd->add_option("--data", f->data, data_help);
  cmd->add_option("--out", f->out, "run directory to create (or continue with --resume)");
  cmd->add_option("--preset", f->preset, "cpu-tiny | cpu-ci | paper")->capture_default_str();
  cmd->add_option("--config", f->config, "JSON file of option overrides ({\"optim\": {\"lr\": 0.01}})");
  cmd->add_option("--set", f->sets, "option override key=value (repeatable), e.g. --set optim.lr=0.01");
  cmd->add_option("--epochs", f->epochs, "shorthand for --set train.epochs=N");
  cmd->add_option("--device", f->device, "cpu | cuda | cuda:N | auto (shorthand for train.device)");
  cmd->add_option("--init-backbone", f->init_backbone,
                  "ImageNet weights (.pth/.safetensors) to start the backbone from (shorthand for model.init_backbone)");
  cmd->add_flag("--resume", f->resume, "continue the run in --out from its last checkpoint");
  cmd->add_flag("--json", f->json, "print the summary as JSON on stdout");
  cmd->add_flag("--list-options", f->list_options, "print every option with its value for this preset and exit");
}

// Applies --config, --set, --epochs, --device, --data and --out to a trainer's options. Returns
// false (after printing the options) when only --list-options was asked for.
template <typename Options>
bool Configure(Options& o, const RunFlags& f) {
  OptionTable table = o.Bind();
  if (!f.config.empty()) table.SetFromFile(f.config);
  for (const auto& s : f.sets) table.SetAssignment(s);
  if (f.epochs > 0) o.epochs = f.epochs;
  if (!f.device.empty()) o.device = f.device;
  if (!f.init_backbone.empty()) o.init_backbone = f.init_backbone;
  if (f.list_options) {
    std::cout << table.Help();
    return false;
  }
  o.data = f.data;
  o.out = f.out;
  return true;
}

void TrainIr(const std::string& method, const RunFlags& f) {
  train::RetrievalTrainOptions o = train::RetrievalTrainOptions::Preset(f.preset, method);
  if (!Configure(o, f)) return;
  train::TrainSummary s = train::TrainRetrieval(o, f.resume);
  if (f.json) {
    std::cout << nlohmann::json{{"run", f.out},
                                {"epochs", s.epochs_run},
                                {"final_loss", s.final_loss},
                                {"drone_train_accuracy", s.final_accuracy},
                                {"seconds", s.seconds},
                                {"evaluation", s.evaluation}}
                     .dump(2)
              << "\n";
    return;
  }
  std::cout << "trained " << method << " (" << f.preset << ") for " << s.epochs_run << " epochs in " << static_cast<int>(s.seconds)
            << " s: loss " << s.final_loss << "; model and logs in " << f.out << "\n";
  for (const auto& r : s.evaluation) {
    std::cout << "  " << r["direction"].get<std::string>() << "  R@1 " << r["recall@1"] << "  R@5 " << r["recall@5"] << "  AP " << r["ap"]
              << "\n";
  }
}

void TrainDrl(const std::string& fusion, const RunFlags& f) {
  train::DrlTrainOptions o = train::DrlTrainOptions::Preset(f.preset, fusion);
  if (!Configure(o, f)) return;
  train::DrlTrainSummary s = train::TrainDrl(o, f.resume);
  if (f.json) {
    std::cout << nlohmann::json{{"run", f.out}, {"epochs", s.epochs_run}, {"final_loss", s.final_loss}, {"seconds", s.seconds}, {"evaluation", s.evaluation}}
                     .dump(2)
              << "\n";
    return;
  }
  std::cout << "trained DRL (" << fusion << ", " << f.preset << ") for " << s.epochs_run << " epochs in " << static_cast<int>(s.seconds)
            << " s: loss " << s.final_loss << "; model and logs in " << f.out << "\n";
  if (!s.evaluation.is_null()) {
    std::cout << "  RDS " << s.evaluation.value("RDS", 0.0) << "  MA@20 " << s.evaluation.value("MA@20", 0.0) << "  median "
              << s.evaluation.value("median_error_m", 0.0) << " m over " << s.evaluation.value("n", 0) << " pairs\n";
  }
}

}  // namespace

int RunTrain(int argc, char** argv) {
  CLI::App app("Train models on a dataset and write a run directory (config, log, checkpoints, model, evaluation).",
               "crossview train");
  app.require_subcommand(1);
  CommonFlags common;
  AddCommonFlags(app, &common);
  RunFlags flags;
  std::string method = "msba", fusion = "mix";
  CLI::App* ir = app.add_subcommand("ir", "train a retrieval model (baseline, lpn, msba, mfrl, imlnet) on a University-1652-layout dataset");
  ir->add_option("--method", method, "baseline | lpn | msba | mfrl | imlnet")->capture_default_str();
  AddRunFlags(ir, &flags, "dataset root (train/satellite, train/drone[, test/...])");
  CLI::App* drl = app.add_subcommand("drl", "train a Drone Referring Localization model on a UL14-layout dataset");
  drl->add_option("--fusion,--arch", fusion, "mix | post (Mix-Fusion or Post-Fusion)")->capture_default_str()->check(CLI::IsMember({"mix", "post"}));
  AddRunFlags(drl, &flags, "dataset root (train/<Place>_<H>_<Index>/..., test/...)");
  return RunCommand(app, argc, argv, [&] {
    common.Apply();
    if (drl->parsed()) {
      TrainDrl(fusion, flags);
    } else {
      TrainIr(method, flags);
    }
  });
}

}  // namespace crossview::cli

// crossview train ir --method M --data DIR --out RUN [--preset P] [--config FILE] [--set k=v ...] [--epochs N] [--resume]
#include <iostream>
#include <nlohmann/json.hpp>

#include "crossview/cli/command.h"
#include "crossview/cli/common_flags.h"
#include "crossview/train/drl_trainer.h"
#include "crossview/train/retrieval_trainer.h"

namespace crossview::cli {

int RunTrain(int argc, char** argv) {
  CLI::App app("Train models on a dataset and write a run directory (config, log, checkpoints, model, evaluation).",
               "crossview train");
  app.require_subcommand(1);
  CommonFlags common;
  AddCommonFlags(app, &common);
  CLI::App* ir = app.add_subcommand("ir", "train a retrieval model (baseline, lpn, msba, mfrl, imlnet) on a University-1652-layout dataset");
  std::string method = "msba", data, out, preset = "cpu-tiny", config, device;
  std::vector<std::string> sets;
  int epochs = 0;
  bool resume = false, json = false, list_options = false;
  ir->add_option("--method", method, "baseline | lpn | msba | mfrl | imlnet")->capture_default_str();
  ir->add_option("--data", data, "dataset root (train/satellite, train/drone[, test/...])");
  ir->add_option("--out", out, "run directory to create (or continue with --resume)");
  ir->add_option("--preset", preset, "cpu-tiny | cpu-ci | paper")->capture_default_str();
  ir->add_option("--config", config, "JSON file of option overrides ({\"optim\": {\"lr\": 0.01}})");
  ir->add_option("--set", sets, "option override key=value (repeatable), e.g. --set optim.lr=0.01");
  ir->add_option("--epochs", epochs, "shorthand for --set train.epochs=N");
  ir->add_option("--device", device, "cpu | cuda | cuda:N | auto (shorthand for train.device)");
  ir->add_flag("--resume", resume, "continue the run in --out from its last checkpoint");
  ir->add_flag("--json", json, "print the summary as JSON on stdout");
  ir->add_flag("--list-options", list_options, "print every option with its value for this preset and exit");
  CLI::App* drl = app.add_subcommand("drl", "train a Drone Referring Localization model on a UL14-layout dataset");
  std::string fusion = "mix";
  drl->add_option("--fusion", fusion, "mix | post")->capture_default_str();
  drl->add_option("--data", data, "dataset root (train/<Place>_<H>_<Index>/..., test/...)");
  drl->add_option("--out", out, "run directory");
  drl->add_option("--preset", preset, "cpu-tiny | cpu-ci | paper")->capture_default_str();
  drl->add_option("--config", config, "JSON file of option overrides");
  drl->add_option("--set", sets, "option override key=value (repeatable)");
  drl->add_option("--epochs", epochs, "shorthand for --set train.epochs=N");
  drl->add_option("--device", device, "cpu | cuda | cuda:N | auto");
  drl->add_flag("--resume", resume, "continue the run in --out");
  drl->add_flag("--json", json, "print the summary as JSON");
  drl->add_flag("--list-options", list_options, "print every option with its value for this preset and exit");
  return RunCommand(app, argc, argv, [&] {
    common.Apply();
    if (drl->parsed()) {
      train::DrlTrainOptions o = train::DrlTrainOptions::Preset(preset, fusion);
      OptionTable table = o.Bind();
      if (!config.empty()) table.SetFromFile(config);
      for (const auto& s : sets) table.SetAssignment(s);
      if (epochs > 0) o.epochs = epochs;
      if (!device.empty()) o.device = device;
      if (list_options) {
        std::cout << table.Help();
        return;
      }
      o.data = data;
      o.out = out;
      train::DrlTrainSummary s = train::TrainDrl(o, resume);
      nlohmann::json j = {{"run", out}, {"epochs", s.epochs_run}, {"final_loss", s.final_loss}, {"seconds", s.seconds}, {"evaluation", s.evaluation}};
      if (json) {
        std::cout << j.dump(2) << "\n";
      } else {
        std::cout << "trained DRL (" << fusion << ", " << preset << ") for " << s.epochs_run << " epochs in " << static_cast<int>(s.seconds)
                  << " s: loss " << s.final_loss << "; model and logs in " << out << "\n";
        if (!s.evaluation.is_null()) {
          std::cout << "  RDS " << s.evaluation.value("RDS", 0.0) << "  MA@20 " << s.evaluation.value("MA@20", 0.0) << "  median "
                    << s.evaluation.value("median_error_m", 0.0) << " m over " << s.evaluation.value("n", 0) << " pairs\n";
        }
      }
      return;
    }
    train::RetrievalTrainOptions o = train::RetrievalTrainOptions::Preset(preset, method);
    OptionTable table = o.Bind();
    if (!config.empty()) table.SetFromFile(config);
    for (const auto& s : sets) table.SetAssignment(s);
    if (epochs > 0) o.epochs = epochs;
    if (!device.empty()) o.device = device;
    if (list_options) {
      std::cout << table.Help();
      return;
    }
    o.data = data;
    o.out = out;
    train::TrainSummary s = train::TrainRetrieval(o, resume);
    nlohmann::json j = {{"run", out},
                        {"epochs", s.epochs_run},
                        {"final_loss", s.final_loss},
                        {"drone_train_accuracy", s.final_accuracy},
                        {"seconds", s.seconds},
                        {"evaluation", s.evaluation}};
    if (json) {
      std::cout << j.dump(2) << "\n";
    } else {
      std::cout << "trained " << method << " (" << preset << ") for " << s.epochs_run << " epochs in " << static_cast<int>(s.seconds)
                << " s: loss " << s.final_loss << "; model and logs in " << out << "\n";
      for (const auto& r : s.evaluation) {
        std::cout << "  " << r["direction"].get<std::string>() << "  R@1 " << r["recall@1"] << "  R@5 " << r["recall@5"] << "  AP "
                  << r["ap"] << "\n";
      }
    }
  });
}

}  // namespace crossview::cli

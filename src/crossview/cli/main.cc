// crossview: one binary, one subcommand per file (see command.h).
#include <iostream>
#include <string>
#include <vector>

#include "crossview/cli/command.h"
#include "crossview/runtime/device.h"

namespace crossview::cli {

int RunHelp(int argc, char** argv);
int RunVersion(int argc, char** argv);
int RunData(int argc, char** argv);
int RunSynth(int argc, char** argv);
int RunTrain(int argc, char** argv);
int RunEval(int argc, char** argv);
int RunModel(int argc, char** argv);
int RunIndex(int argc, char** argv);
int RunLocate(int argc, char** argv);
int RunImport(int argc, char** argv);
int RunDrl(int argc, char** argv);
int RunExport(int argc, char** argv);
int RunServe(int argc, char** argv);
int RunBench(int argc, char** argv);
int RunReport(int argc, char** argv);

const std::vector<Command>& Commands() {
  static const std::vector<Command> kCommands = {
      {"help", "list commands, or show one command's options", RunHelp},
      {"version", "versions of crossview and its libraries, BLAS, threads, CUDA", RunVersion},
      {"data", "fetch / verify the real aerial imagery cache", RunData},
      {"synth", "synthesise benchmark datasets from real orthophotos (ir)", RunSynth},
      {"train", "train a model on a dataset (ir, drl)", RunTrain},
      {"eval", "evaluate a trained model with the official protocols (ir, drl)", RunEval},
      {"model", "describe a method's network: modules, parameters, shapes, MACs, state-dict keys", RunModel},
      {"index", "build / inspect a tile index of a georeferenced map (build, info)", RunIndex},
      {"drl", "Drone Referring Localisation of one UAV image on one satellite image (locate)", RunDrl},
      {"import", "import a published PyTorch checkpoint (.pth / .safetensors) as a crossview model", RunImport},
      {"export", "export a crossview model as .safetensors", RunExport},
      {"locate", "locate a drone image or a flight on an indexed map (retrieval, DRL refinement, tracking)", RunLocate},
      {"serve", "serve the locate API and a map page over HTTP", RunServe},
      {"bench", "measure speed and memory (descriptors, DRL, search)", RunBench},
      {"report", "reports over runs: a flight's tracks against the truth (flight)", RunReport},
  };
  return kCommands;
}

}  // namespace crossview::cli

int main(int argc, char** argv) {
  using namespace crossview::cli;
  if (argc < 2) {
    std::cerr << "crossview: no command given\n" << Usage();
    return kExitUsage;
  }
  // Debian's libtorch starts single-threaded; use every CPU we may run on (OMP_NUM_THREADS wins).
  crossview::ConfigureThreads(0);
  std::string name = argv[1];
  if (name == "-h" || name == "--help") name = "help";
  if (name == "--version") name = "version";
  for (const auto& c : Commands()) {
    if (c.name == name) {
      std::string prog = "crossview " + name;
      std::vector<char*> args{prog.data()};
      for (int i = 2; i < argc; ++i) args.push_back(argv[i]);
      return c.run(static_cast<int>(args.size()), args.data());
    }
  }
  std::string valid;
  for (const auto& c : Commands()) valid += (valid.empty() ? "" : ", ") + c.name;
  std::cerr << "crossview: unknown command '" << name << "' (valid commands: " << valid << ")\n" << Usage();
  return kExitUsage;
}

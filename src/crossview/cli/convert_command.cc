// crossview import [--arch ARCH|auto] [--method M] [--preset P] [--set model.K=V ...] [--classes N] [--size S]
//                  [--no-strict] [--state-dict-key K] [--json] IN.pth|IN.safetensors OUT
// crossview export --format safetensors MODEL_DIR OUT.safetensors [--json]
#include <iostream>
#include <nlohmann/json.hpp>

#include "crossview/cli/command.h"
#include "crossview/cli/common_flags.h"
#include "crossview/convert/import.h"
#include "crossview/models/weight_import.h"
#include "crossview/util/errors.h"

namespace crossview::cli {

int RunImport(int argc, char** argv) {
  CLI::App app("Import a published PyTorch checkpoint (.pth or .safetensors) as a crossview model (or a renamed backbone file).",
               "crossview import");
  CommonFlags common;
  AddCommonFlags(app, &common);
  convert::ImportOptions o;
  std::string in, out;
  bool no_strict = false, json = false;
  std::string archs = "auto";
  for (const auto& a : models::ImportArchitectures()) archs += " | " + a;
  app.add_option("--arch", o.arch, archs)->capture_default_str();
  app.add_option("--method", o.method, "retrieval method to build (default: the arch's; e.g. imlnet from a u1652-baseline file)");
  app.add_option("--preset", o.preset, "preset whose model options fill what the weights do not determine")->capture_default_str();
  app.add_option("--set", o.sets, "model option override model.KEY=VALUE (repeatable)");
  app.add_option("--classes", o.classes, "the class count you expect (checked against the checkpoint)");
  app.add_option("--size", o.input_size, "retrieval input side recorded in model.json (default: the preset's)");
  app.add_option("--state-dict-key", o.state_dict_key, "entry holding the weights in a wrapped checkpoint, e.g. model or state_dict");
  app.add_flag("--no-strict", no_strict, "load what matches and list the missing/unexpected keys instead of failing");
  app.add_flag("--json", json, "print the summary as JSON");
  app.add_option("IN", in, "checkpoint file (.pth zip or legacy, .safetensors)")->required();
  app.add_option("OUT", out, "output: a model directory (models) or a .safetensors file (backbones); must not exist")->required();
  return RunCommand(app, argc, argv, [&] {
    common.Apply();
    o.strict = !no_strict;
    convert::ImportSummary s = convert::ImportCheckpoint(in, out, o);
    if (json) {
      std::cout << s.ToJson().dump(2) << "\n";
      return;
    }
    std::cout << "imported " << s.arch << " (" << s.layout << " layout) as a " << s.kind << " " << (s.kind == "backbone" ? "file" : "model") << ": "
              << s.report.loaded << " tensors";
    if (s.kind == "retrieval") std::cout << ", method " << s.method << ", " << s.classes << " classes";
    std::cout << " → " << out << "\n";
    if (!s.report.ok()) std::cout << "  not loaded (--no-strict): " << s.report.Summary() << "\n";
  });
}

int RunExport(int argc, char** argv) {
  CLI::App app("Export a crossview model directory as one .safetensors file (reference key names, model.json in the metadata).",
               "crossview export");
  CommonFlags common;
  AddCommonFlags(app, &common);
  std::string format = "safetensors", dir, out;
  bool json = false;
  app.add_option("--format", format, "safetensors")->capture_default_str()->check(CLI::IsMember({"safetensors"}));
  app.add_flag("--json", json, "print the summary as JSON");
  app.add_option("MODEL", dir, "model or run directory (model.json or drl_model.json)")->required();
  app.add_option("OUT", out, "the .safetensors file to write (replaced atomically)")->required();
  return RunCommand(app, argc, argv, [&] {
    common.Apply();
    nlohmann::json j = convert::ExportSafetensors(dir, out);
    if (json) {
      std::cout << j.dump(2) << "\n";
      return;
    }
    std::cout << "exported " << j["kind"].get<std::string>() << " model: " << j["tensors"] << " tensors, " << j["bytes"] << " bytes → " << out << "\n";
  });
}

}  // namespace crossview::cli

// crossview eval ir --model RUN|CKPT.pth --data DIR [--direction both|d2s|s2d] [--shift P --pad black|flip] [--rotate DEG] [--json]
#include <iostream>
#include <nlohmann/json.hpp>

#include "crossview/cli/command.h"
#include "crossview/cli/common_flags.h"
#include "crossview/convert/import.h"
#include "crossview/datasets/university1652.h"
#include "crossview/datasets/ul14.h"
#include "crossview/eval/drl_eval.h"
#include "crossview/eval/drl_vs_ir.h"
#include "crossview/eval/retrieval_eval.h"
#include "crossview/eval/retrieval_report.h"
#include "crossview/eval/robustness.h"
#include "crossview/data/image_io.h"
#include "crossview/train/drl_trainer.h"
#include "crossview/models/model_store.h"
#include "crossview/runtime/device.h"
#include "crossview/transforms/retrieval_augment.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"

namespace crossview::cli {

int RunEval(int argc, char** argv) {
  CLI::App app("Evaluate trained models with the official protocols.", "crossview eval");
  app.require_subcommand(1);
  CommonFlags common;
  AddCommonFlags(app, &common);
  CLI::App* ir = app.add_subcommand("ir", "Recall@K and AP of a retrieval model on a University-1652-layout test split");
  std::string model, data, direction = "both", mode = "official", pad = "black", device = "auto", out;
  int shift = 0, size = 0, batch = 16;
  double rotate = 0, global_weight = 1.5;
  bool json = false;
  std::string arch = "auto";
  ir->add_option("--model,--checkpoint", model, "run or model directory (model.json + model.pt), or a .pth/.safetensors checkpoint")->required();
  ir->add_option("--arch", arch, "architecture of a checkpoint file (auto: from its keys)")->capture_default_str();
  ir->add_option("--data", data, "dataset root with test/")->required();
  ir->add_option("--direction", direction, "both | d2s | s2d")->capture_default_str()->check(CLI::IsMember({"both", "d2s", "s2d"}));
  ir->add_option("--gallery,--gallery-mode", mode, "official | query-ids (gallery items of locations no query has become junk)")
      ->capture_default_str()
      ->check(CLI::IsMember({"official", "query-ids", "query-ids-only"}));
  ir->add_option("--size", size, "input side (default: the model's training size)");
  ir->add_option("--batch", batch, "images per forward pass")->capture_default_str();
  ir->add_option("--shift", shift, "robustness: shift queries right by P pixels");
  ir->add_option("--pad", pad, "black | flip padding for --shift")->check(CLI::IsMember({"black", "flip"}));
  ir->add_option("--rotate", rotate, "robustness: rotate queries by DEG counter-clockwise");
  ir->add_option("--msba-global-weight", global_weight, "MSBA inference re-weighting of the global part (1.0 = public code)")
      ->capture_default_str();
  std::string features;
  int grid_rows = 8;
  ir->add_option("--out", out, "directory for metrics.json, summary.md, cmc_<dir>.png and grid_<dir>.png");
  ir->add_option("--save-features", features, "also write <dir>/{query,gallery}_{features,labels}.npy here");
  ir->add_option("--grid-rows", grid_rows, "queries shown in the top-5 retrieval grid")->capture_default_str();
  AddDeviceFlag(*ir, &device);
  ir->add_flag("--json", json, "print JSON on stdout");
  CLI::App* drl = app.add_subcommand("drl", "MA@K, RDS and breakdowns of a DRL model on a UL14-layout test folder");
  int64_t max_samples = 0;
  int hanning = 0;
  bool strict = false;
  std::string predictions;
  drl->add_option("--model,--checkpoint", model, "run directory with drl_model.json + drl_model.pt, or a .pth/.safetensors checkpoint of the paper configuration")->required();
  drl->add_option("--data", data, "UL14-layout dataset root")->required();
  drl->add_option("--max-samples", max_samples, "evaluate only the first N UAV images (0 = all)");
  drl->add_option("--hanning", hanning, "Hanning filter size R (default: the model's)");
  drl->add_flag("--ma-strict", strict, "MA@K with < instead of the code's <=");
  drl->add_option("--out", out, "write the report JSON here");
  drl->add_option("--predictions", predictions, "write the per-pair predictions JSON here");
  std::string heatmaps;
  int heatmap_count = 12;
  drl->add_option("--heatmaps", heatmaps, "write heatmap overlay PNGs (prediction red, truth green) into this directory");
  drl->add_option("--heatmap-count", heatmap_count, "how many pairs get a heatmap picture")->capture_default_str();
  AddDeviceFlag(*drl, &device);
  drl->add_flag("--json", json, "print JSON on stdout");
  CLI::App* rob = app.add_subcommand("ir-robustness", "robustness/ablation sweep of a retrieval model: query shift, rotation, input size, descriptor parts");
  std::string study = "shift";
  std::vector<double> values;
  rob->add_option("--model,--checkpoint", model, "run or model directory, or a .pth/.safetensors checkpoint")->required();
  rob->add_option("--data", data, "dataset root with test/")->required();
  rob->add_option("--study", study, "shift | rotate | size | parts")->capture_default_str()->check(CLI::IsMember({"shift", "rotate", "size", "parts"}));
  rob->add_option("--values", values, "the settings (default per study: shift 0..50 step 10, rotate 0,65,90,180, size 224..512)")->delimiter(',');
  rob->add_option("--pad", pad, "black | flip padding for the shift study")->check(CLI::IsMember({"black", "flip"}));
  rob->add_option("--direction", direction, "d2s | s2d")->capture_default_str()->check(CLI::IsMember({"d2s", "s2d"}));
  rob->add_option("--size", size, "input side (default: the model's; ignored by the size study)");
  rob->add_option("--out", out, "directory for robustness_<study>.json/.md/.png")->required();
  AddDeviceFlag(*rob, &device);
  CLI::App* cmp = app.add_subcommand("drl-vs-ir", "the paper's DRL vs grid-split retrieval comparison: accuracy, time and storage on the same pairs");
  std::string ir_model;
  std::vector<std::string> grids{"3", "5", "7", "10", "5/0.5"};
  cmp->add_option("--drl-model", model, "DRL model directory or checkpoint")->required();
  cmp->add_option("--ir-model", ir_model, "retrieval model directory or checkpoint")->required();
  cmp->add_option("--data", data, "UL14-layout dataset root")->required();
  cmp->add_option("--out", out, "directory for comparison.json and comparison.md")->required();
  cmp->add_option("--grids", grids, "grid variants K or K/stride-fraction (e.g. 5/0.5 = half-overlapping tiles)")->delimiter(',')->capture_default_str();
  cmp->add_option("--max-samples", max_samples, "only the first N UAV images (0 = all)");
  AddDeviceFlag(*cmp, &device);
  cmp->add_flag("--json", json, "print JSON on stdout");
  return RunCommand(app, argc, argv, [&] {
    common.Apply();
    if (rob->parsed()) {
      convert::ImportOptions io;
      io.arch = arch;
      models::StoredRetrievalModel m = convert::LoadRetrievalModelAny(model, io);
      datasets::University1652 ds = datasets::University1652::Open(data, {datasets::ReadScope::kWhatExists});
      eval::RobustnessOptions ro;
      ro.study = study;
      ro.values = values;
      ro.pad = pad == "flip" ? transforms::ShiftPad::kFlip : transforms::ShiftPad::kBlack;
      ro.extract.size = size > 0 ? size : m.input_size;
      ro.extract.batch = batch;
      ro.extract.device = ResolveDevice(device);
      ro.extract.progress_label = study;
      datasets::EvalPair pair = ds.Evaluation(direction == "s2d" ? datasets::Direction::kSatelliteToDrone : datasets::Direction::kDroneToSatellite);
      std::vector<eval::RobustnessPoint> pts = eval::RunRobustness(m.net, pair, ro);
      EnsureDirectory(out);
      const std::filesystem::path base = std::filesystem::path(out) / ("robustness_" + study);
      nlohmann::json j = eval::ToJson(pts, ro);
      j["model"] = model;
      j["data"] = data;
      WriteFileAtomic(base.string() + ".json", j.dump(2) + "\n");
      const std::string md = eval::RobustnessMarkdown(pts, ro);
      WriteFileAtomic(base.string() + ".md", md);
      data::SaveImage(base.string() + ".png", eval::RobustnessPlot(pts, ro));
      std::cout << md;
      return;
    }
    if (cmp->parsed()) {
      train::StoredDrlModel d = convert::LoadDrlModelAny(model);
      models::StoredRetrievalModel m = convert::LoadRetrievalModelAny(ir_model);
      datasets::Ul14Options uo;
      uo.scope = datasets::ReadScope::kWhatExists;
      datasets::Ul14 ds = datasets::Ul14::Open(data, uo);
      if (!ds.has_test()) throw CV_ERROR(NotFoundError, "the dataset has no test folder").With("data", data);
      eval::DrlVsIrOptions o;
      o.variants.clear();
      for (const auto& g : grids) {
        const auto slash = g.find('/');
        try {
          o.variants.push_back({std::stoi(g.substr(0, slash)), slash == std::string::npos ? 1.0 : std::stod(g.substr(slash + 1))});
        } catch (const std::exception&) {
          throw CV_ERROR(InvalidArgumentError, "bad grid variant '" + g + "'").Hint("write K or K/stride, e.g. 5 or 5/0.5");
        }
      }
      o.ir_input_size = m.input_size;
      o.uav_size = d.uav_size;
      o.satellite_size = d.satellite_size;
      o.hanning_size = d.hanning_size;
      o.max_samples = max_samples;
      o.device = ResolveDevice(device);
      o.progress_label = "comparing";
      eval::DrlVsIrResult r = eval::CompareDrlWithRetrieval(d.net, m.net, ds.ListTest(), o);
      nlohmann::json j = eval::ToJson(r, o);
      j["drl_model"] = model;
      j["ir_model"] = ir_model;
      j["data"] = data;
      const std::string md = eval::DrlVsIrMarkdown(r, o);
      EnsureDirectory(out);
      WriteFileAtomic(std::filesystem::path(out) / "comparison.json", j.dump(2) + "\n");
      WriteFileAtomic(std::filesystem::path(out) / "comparison.md", md);
      std::cout << (json ? j.dump(2) + "\n" : md);
      return;
    }
    if (drl->parsed()) {
      train::StoredDrlModel m = convert::LoadDrlModelAny(model);
      datasets::Ul14Options uo;
      uo.scope = datasets::ReadScope::kWhatExists;
      datasets::Ul14 ds = datasets::Ul14::Open(data, uo);
      if (!ds.has_test()) throw CV_ERROR(NotFoundError, "the dataset has no test folder").With("data", data);
      eval::DrlEvalOptions eo;
      eo.uav_size = m.uav_size;
      eo.satellite_size = m.satellite_size;
      eo.hanning_size = hanning > 0 ? hanning : m.hanning_size;
      eo.max_samples = max_samples;
      eo.device = ResolveDevice(device);
      eo.metrics.ma_strict = strict;
      eo.progress_label = "localising";
      eo.heatmap_dir = heatmaps;
      eo.heatmap_count = heatmap_count;
      eval::DrlEvalResult r = eval::EvaluateDrl(m.net, ds.ListTest(), eo);
      nlohmann::json report = eval::DrlReport(r, eo);
      if (json) {
        std::cout << report.dump(2) << "\n";
      } else {
        std::cout << eval::FormatDrl(r.total) << "\n";
      }
      if (!out.empty()) WriteFileAtomic(out, report.dump(2) + "\n");
      if (!predictions.empty()) WriteFileAtomic(predictions, r.predictions.dump(1) + "\n");
      return;
    }
    convert::ImportOptions io;
    io.arch = arch;
    models::StoredRetrievalModel m = convert::LoadRetrievalModelAny(model, io);
    datasets::University1652 ds = datasets::University1652::Open(data, {datasets::ReadScope::kWhatExists});
    eval::ExtractOptions eo;
    eo.size = size > 0 ? size : m.input_size;
    eo.batch = batch;
    eo.device = ResolveDevice(device);
    eo.descriptor.msba_global_weight = global_weight;
    eo.progress_label = "describing";
    eval::EvaluateOptions ev;
    ev.mode = eval::ParseGalleryMode(mode == "query-ids" ? "query-ids-only" : mode);
    eval::QueryTransform transform;
    if (shift != 0 || rotate != 0) {
      transforms::ShiftPad p = pad == "flip" ? transforms::ShiftPad::kFlip : transforms::ShiftPad::kBlack;
      transform = [=](const cv::Mat& img) {
        cv::Mat x = shift != 0 ? transforms::ShiftQuery(img, shift, p) : img;
        return rotate != 0 ? transforms::RotateQuery(x, rotate) : x;
      };
    }
    nlohmann::json results = nlohmann::json::array();
    std::vector<datasets::Direction> dirs;
    if (direction != "s2d") dirs.push_back(datasets::Direction::kDroneToSatellite);
    if (direction != "d2s") dirs.push_back(datasets::Direction::kSatelliteToDrone);
    std::vector<eval::DirectionResult> all;
    std::vector<datasets::EvalPair> pairs;
    for (auto d : dirs) {
      pairs.push_back(ds.Evaluation(d));
      eval::DirectionResult r = eval::EvaluatePair(m.net, pairs.back(), eo, ev, transform);
      nlohmann::json j = eval::ToJson(r);
      j["shift_px"] = shift;
      j["shift_pad"] = pad;
      j["rotate_deg"] = rotate;
      j["input_size"] = eo.size;
      results.push_back(j);
      if (!json) std::cout << eval::FormatResult(r) << "\n";
      all.push_back(std::move(r));
    }
    if (json) std::cout << results.dump(2) << "\n";
    if (!out.empty() || !features.empty()) {
      eval::RetrievalReportOptions ro;
      ro.out = out.empty() ? std::filesystem::path(features) : std::filesystem::path(out);
      ro.features = features;
      ro.grid_rows = grid_rows;
      ro.extra = {{"model", model}, {"data", data}, {"input_size", eo.size}, {"shift_px", shift}, {"shift_pad", pad}, {"rotate_deg", rotate},
                  {"msba_global_weight", global_weight}};
      eval::WriteRetrievalReport(all, pairs, ro);
      if (!json) std::cout << "report: " << (ro.out / "metrics.json").string() << ", summary.md, cmc_*.png, grid_*.png\n";
    }
  });
}

}  // namespace crossview::cli

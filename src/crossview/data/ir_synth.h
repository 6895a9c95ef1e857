// `crossview synth ir`: image-retrieval datasets rendered from real orthophotos in the
// University-1652, SUES-200 or multitemporal (ZHcity750-like) layouts (spec data.md §3, §4, §5).
//
//   IrSynthOptions options = IrPreset("tiny");
//   options.seed = 5;
//   SynthRunOptions run;
//   run.out_dir = "/data/u1652-tiny";
//   IrSynthSummary summary = GenerateIrDataset(options, run);
//
// The dataset is generated into a temporary folder beside `out_dir` and renamed into place only
// when complete: a failed run leaves nothing half-written and never touches an existing folder.
// An existing non-empty `out_dir` is refused unless run.overwrite is set (it is then replaced
// after the new dataset is complete).
//
// Same options and seed → byte-identical files on the same build, whatever the thread count
// (§3.12). Files: the layout's images, manifest.json (§4.4), contact_sheet.png, and synth.log
// (timings, paths, thread count: the one file excluded from the determinism guarantee).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crossview/data/ir_options.h"
#include "crossview/data/ir_plan.h"

namespace crossview::data {

inline constexpr const char* kSynthLogFile = "synth.log";
inline constexpr const char* kManifestFile = "manifest.json";
inline constexpr const char* kContactSheetFile = "contact_sheet.png";

struct IrSynthSummary {
  std::string out_dir;
  std::string preset;
  std::string layout;
  uint64_t seed = 0;
  int train_targets = 0;
  int validation_targets = 0;
  int test_targets = 0;
  int distractors = 0;
  int distractors_requested = 0;
  int64_t renders = 0;  // images rendered
  int64_t files = 0;    // image files written (a rendering can go to several paths)
  int64_t bytes = 0;    // of the image files
  TargetRejections rejections;       // summed over families
  std::vector<std::string> skipped;  // "family: reason"
  double seconds = 0.0;
  int jobs = 1;

  // "synth ir tiny (university1652, seed 0): 16 train + 0 val + 8 test targets, 4 distractors,
  // 144 images in 2.1 s -> DIR"
  std::string OneLine() const;
  // The same as a JSON object (one line).
  std::string ToJson() const;
};

IrSynthSummary GenerateIrDataset(const IrSynthOptions& options, const SynthRunOptions& run);

// The version written to manifests ("generator": {"name": "crossview", "version": ...}).
std::string SynthGeneratorVersion();

}  // namespace crossview::data

// `crossview synth drl`: a drone referring localisation dataset in the UL14 layout, rendered from
// real orthophotos (spec data.md §3.4 to §3.7, §4.3, §5.2; drl.md §6).
//
//   DrlSynthOptions options = DrlPreset("tiny");
//   options.seed = 5;
//   SynthRunOptions run;
//   run.out_dir = "/data/ul14-tiny";
//   DrlSynthSummary summary = GenerateDrlDataset(options, run);
//
// Layout (drl_plan.h, BuildDrlJobs): train/<Place>_<H>_<ID>/{UAV/0.JPG, Satellite/0.tif} with the
// UAV at the training tile's centre pixel, and test/<Place>_<H>_<ID>/{UAV/0.JPG, Satellite/<i>.jpg,
// labels.json, GPS_info.json}; manifest.json (schema crossview.synth/1, kind drl, layout ul14),
// contact_sheet.png, synth.log.
//
// Same rules as `synth ir` (ir_synth.h): a hidden staging folder renamed into place when complete,
// a non-empty --out refused unless overwriting, byte-identical files for the same options and
// seed whatever the thread count (synth.log excepted).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crossview/data/drl_options.h"
#include "crossview/data/ir_options.h"
#include "crossview/data/site_selection.h"

namespace crossview::data {

struct DrlSynthSummary {
  std::string out_dir;
  std::string preset;
  uint64_t seed = 0;
  int train_places = 0;
  int test_places = 0;
  int search_maps = 0;    // written
  int dropped_maps = 0;   // sizes that fit nowhere around their UAV
  int64_t files = 0;      // images written
  int64_t bytes = 0;      // of the images
  TargetRejections rejections;
  std::vector<std::string> skipped;  // "family: reason"
  double seconds = 0.0;
  int jobs = 1;

  // "synth drl tiny (seed 0): 8 train + 4 test places, 48 search maps (0 dropped), 68 images
  // (9.1 MB) in 3.2 s -> DIR"
  std::string OneLine() const;
  std::string ToJson() const;  // one line
};

DrlSynthSummary GenerateDrlDataset(const DrlSynthOptions& options, const SynthRunOptions& run);

}  // namespace crossview::data

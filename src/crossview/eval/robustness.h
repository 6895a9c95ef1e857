// The robustness and ablation studies of the retrieval papers as evaluation sweeps (spec
// retrieval.md §7): each point is a full University-1652 evaluation of one direction with one
// setting changed, written as a table (markdown + JSON) and a plot of R@1 and AP.
//   shift   queries shifted right by P px after the resize, black or flip padding (MSBA Table 4)
//   rotate  queries rotated counter-clockwise by D degrees (MFRL/IML-Net)
//   size    test input side (224..512), both query and gallery
//   parts   descriptor columns: all, global only (MSBA), and each column alone, with the measured
//           descriptor time per query
#pragma once

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "crossview/datasets/image_folder.h"
#include "crossview/eval/retrieval_eval.h"
#include "crossview/transforms/retrieval_augment.h"

namespace crossview::eval {

struct RobustnessOptions {
  std::string study = "shift";  // shift | rotate | size | parts
  std::vector<double> values;   // empty = the study's defaults (shift 0..50 step 10; rotate 0, 65, 90, 180; size 224..512)
  transforms::ShiftPad pad = transforms::ShiftPad::kBlack;
  ExtractOptions extract;
  EvaluateOptions evaluate;
  void Check() const;
  static const std::vector<std::string>& Studies();
};

struct RobustnessPoint {
  std::string setting;  // e.g. "20 px", "global only"
  double value = 0;
  DirectionResult result;
  double seconds = 0;  // the whole evaluation of this point
  double ms_per_query = 0;
};

std::vector<RobustnessPoint> RunRobustness(models::RetrievalNet& net, const datasets::EvalPair& pair, const RobustnessOptions& options);

nlohmann::json ToJson(const std::vector<RobustnessPoint>& points, const RobustnessOptions& options);
std::string RobustnessMarkdown(const std::vector<RobustnessPoint>& points, const RobustnessOptions& options);
// R@1 and AP (%) against the points, in order (categorical x axis for `parts`).
cv::Mat RobustnessPlot(const std::vector<RobustnessPoint>& points, const RobustnessOptions& options, int width = 640, int height = 400);

}  // namespace crossview::eval

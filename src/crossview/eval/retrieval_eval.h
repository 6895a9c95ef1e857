// Evaluating a retrieval model on a dataset listing (spec retrieval.md §2): test-time
// preprocessing (RGB, PIL bicubic resize, optional query perturbation, ImageNet normalisation),
// flip-TTA descriptors in batches, then the University-1652 metrics.
#pragma once

#include <c10/core/Device.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "crossview/datasets/image_folder.h"
#include "crossview/eval/retrieval_metrics.h"
#include "crossview/models/descriptor.h"
#include "crossview/models/retrieval_net.h"

namespace crossview::eval {

struct ExtractOptions {
  int size = 256;   // h = w of the network input
  int batch = 16;
  models::DescriptorOptions descriptor;
  c10::Device device{c10::kCPU};
  std::string progress_label;  // empty = no progress bar
  int decode_threads = 0;      // 0 = hardware concurrency
};

// Query perturbation applied after the resize, in 8-bit RGB (robustness studies, §7).
using QueryTransform = std::function<cv::Mat(const cv::Mat&)>;

// Row-major (N, D) descriptors of every image of `listing`, in listing order.
std::vector<float> ExtractDescriptors(models::RetrievalNet& net, const datasets::ViewListing& listing, models::View view,
                                      const ExtractOptions& options, int64_t* dim, const QueryTransform& transform = nullptr);

struct DirectionResult {
  std::string direction;  // "D→S" / "S→D"
  RetrievalMetrics metrics;
  std::vector<int64_t> top1_gallery_label;  // per query
  // The ranked gallery indices of each query, first `top_n` (protocol order: descending score,
  // ties by ascending index; junk not removed).
  std::vector<std::vector<int64_t>> top_indices;
  // The descriptors and labels the metrics came from (row-major, dim columns).
  std::vector<float> query_features, gallery_features;
  std::vector<int64_t> query_labels, gallery_labels;
  int64_t dim = 0;
};

// Extracts query and gallery descriptors for `pair` (the query side through `transform`) and
// evaluates them.
DirectionResult EvaluatePair(models::RetrievalNet& net, const datasets::EvalPair& pair, const ExtractOptions& options,
                             const EvaluateOptions& eval_options = {}, const QueryTransform& transform = nullptr);

// {"direction", "n_query", "n_gallery", "gallery_mode", "recall@1", "recall@5", "recall@10",
//  "recall@top1%", "ap", "skipped_queries"} with metrics ×100 rounded to 2 decimals.
nlohmann::json ToJson(const DirectionResult& r);
std::string FormatResult(const DirectionResult& r);

}  // namespace crossview::eval

// The files `crossview eval ir --out DIR` writes (spec retrieval.md §2 for the numbers):
//   metrics.json        {"directions": [{"direction": "d2s"|"s2d", "queries", "gallery",
//                        "recall@1", "recall@5", "recall@10", "recall@top1", "ap", ...}], ...}
//                       metrics ×100 (two decimals), as the papers print them
//   summary.md          the same as a markdown table
//   cmc_<dir>.png       the CMC curve (Recall@K for K = 1…100)
//   grid_<dir>.png      top-5 retrievals of sampled queries: query, then ranks 1–5 framed green
//                       (same location) or red
//   distances_<dir>.png intra- vs inter-location score histograms
//   pca_<dir>.png       query and gallery descriptors of 10 locations projected on 2 principal axes
// and, with a features directory, per direction <dir>/query_features.npy (float32 N×D),
// query_labels.npy (int64), gallery_features.npy, gallery_labels.npy.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "crossview/datasets/image_folder.h"
#include "crossview/eval/retrieval_eval.h"

namespace crossview::eval {

// "D→S" → "d2s", "S→D" → "s2d".
std::string DirectionKey(const std::string& direction);

// One entry of metrics.json's "directions".
nlohmann::json MetricsEntry(const DirectionResult& r);

// A CMC curve picture (8-bit RGB, width × height): Recall@K (%) against K = 1…cmc.size().
cv::Mat CmcPlot(const std::vector<double>& cmc, const std::string& title, int width = 640, int height = 420);

// Rows of [query | rank 1 … rank 5] thumbnails for up to `rows` queries chosen evenly over the
// query list; frames green when the gallery item has the query's label, red otherwise.
cv::Mat RetrievalGrid(const DirectionResult& r, const datasets::EvalPair& pair, int rows = 8, int thumb = 112);

// Intra- vs inter-class score histograms (IML-Net Fig. 9): the cosine of every (query, gallery)
// pair with the same location (green) and with different locations (red), each normalised to its
// own count, over [-1, 1] in `bins` bins. Counts are returned through `intra`/`inter` when given.
cv::Mat DistanceHistogram(const DirectionResult& r, int bins = 40, std::vector<int64_t>* intra = nullptr,
                          std::vector<int64_t>* inter = nullptr, int width = 640, int height = 360);

// A 2-D PCA projection of query and gallery descriptors (IML-Net Fig. 8) for the first
// `locations` locations of the gallery: one colour per location, queries as dots, gallery items
// as squares. The projected coordinates come back through `points` (query rows first).
cv::Mat FeaturePcaPlot(const DirectionResult& r, int locations = 10, std::vector<cv::Point2f>* points = nullptr, int side = 520);

struct RetrievalReportOptions {
  std::filesystem::path out;       // metrics.json, summary.md, pictures
  std::filesystem::path features;  // empty = no .npy files
  int grid_rows = 8;
  nlohmann::json extra;            // merged into metrics.json (model, data, settings)
};

// Writes everything listed above (atomically, file by file). Returns metrics.json's content.
nlohmann::json WriteRetrievalReport(const std::vector<DirectionResult>& results, const std::vector<datasets::EvalPair>& pairs,
                                    const RetrievalReportOptions& options);

}  // namespace crossview::eval

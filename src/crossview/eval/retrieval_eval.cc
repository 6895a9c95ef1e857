#include "crossview/eval/retrieval_eval.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>
#include <thread>

#include "crossview/data/image_io.h"
#include "crossview/models/image_tensor.h"
#include "crossview/transforms/resize.h"
#include "crossview/util/errors.h"
#include "crossview/util/parallel.h"
#include "crossview/util/progress.h"

namespace crossview::eval {

namespace {

// Decodes and preprocesses images [begin, end) of the listing in parallel.
std::vector<cv::Mat> LoadBatch(const datasets::ViewListing& listing, size_t begin, size_t end, int size,
                               const QueryTransform& transform, int threads) {
  std::vector<cv::Mat> out(end - begin);
  ParallelFor(static_cast<int64_t>(end - begin), threads, [&](int64_t i) {
    cv::Mat rgb = data::LoadImageRgb(listing.images[begin + static_cast<size_t>(i)].path);
    cv::Mat resized = transforms::PilResize(rgb, cv::Size(size, size), transforms::PilFilter::kBicubic);
    out[static_cast<size_t>(i)] = transform ? transform(resized) : resized;
  });
  return out;
}

}  // namespace

std::vector<float> ExtractDescriptors(models::RetrievalNet& net, const datasets::ViewListing& listing, models::View view,
                                      const ExtractOptions& options, int64_t* dim, const QueryTransform& transform) {
  if (listing.images.empty()) {
    throw CV_ERROR(InvalidArgumentError, "no images to describe").With("view", listing.view).Hint("check the dataset folder");
  }
  net->to(options.device);
  const int threads = options.decode_threads;  // 0 = all cores (ParallelFor)
  std::vector<float> rows;
  ProgressBar::Options po;
  po.enabled_auto = !options.progress_label.empty();
  ProgressBar bar(static_cast<int64_t>(listing.images.size()), options.progress_label, po);
  for (size_t b = 0; b < listing.images.size(); b += static_cast<size_t>(options.batch)) {
    size_t e = std::min(listing.images.size(), b + static_cast<size_t>(options.batch));
    std::vector<cv::Mat> images = LoadBatch(listing, b, e, options.size, transform, threads);
    at::Tensor x = models::ImagesToTensor(images, models::Normalization::ImageNet()).to(options.device);
    at::Tensor d = models::ExtractDescriptors(net, x, view, options.descriptor).to(torch::kCPU).contiguous();
    *dim = d.size(1);
    rows.insert(rows.end(), d.data_ptr<float>(), d.data_ptr<float>() + d.numel());
    bar.Add(static_cast<int64_t>(e - b));
  }
  bar.Finish();
  return rows;
}

DirectionResult EvaluatePair(models::RetrievalNet& net, const datasets::EvalPair& pair, const ExtractOptions& options,
                             const EvaluateOptions& eval_options, const QueryTransform& transform) {
  const bool d2s = pair.direction == datasets::Direction::kDroneToSatellite;
  DirectionResult r;
  r.direction = datasets::DirectionName(pair.direction);
  int64_t dq = 0, dg = 0;
  ExtractOptions qo = options, go = options;
  if (!options.progress_label.empty()) {
    qo.progress_label = options.progress_label + " queries";
    go.progress_label = options.progress_label + " gallery";
  }
  std::vector<float> q = ExtractDescriptors(net, pair.query, d2s ? models::View::kDrone : models::View::kSatellite, qo, &dq, transform);
  std::vector<float> g = ExtractDescriptors(net, pair.gallery, d2s ? models::View::kSatellite : models::View::kDrone, go, &dg);
  std::vector<int64_t> ql, gl;
  for (const auto& e : pair.query.images) ql.push_back(e.label);
  for (const auto& e : pair.gallery.images) gl.push_back(e.label);
  r.metrics = EvaluateRetrieval(q, ql, g, gl, dq, eval_options);
  // Top-5 gallery indices (the protocol's order) and top-1 label per query.
  std::vector<float> scores(gl.size());
  for (size_t i = 0; i < ql.size(); ++i) {
    for (size_t j = 0; j < gl.size(); ++j) {
      float sc = 0;
      for (int64_t k = 0; k < dq; ++k) sc += q[i * dq + k] * g[j * dq + k];
      scores[j] = sc;
    }
    std::vector<int64_t> ranked = RankByScore(scores.data(), static_cast<int64_t>(gl.size()));
    ranked.resize(std::min<size_t>(ranked.size(), 5));
    r.top1_gallery_label.push_back(ranked.empty() ? -1 : gl[static_cast<size_t>(ranked[0])]);
    r.top_indices.push_back(std::move(ranked));
  }
  r.query_features = std::move(q);
  r.gallery_features = std::move(g);
  r.query_labels = std::move(ql);
  r.gallery_labels = std::move(gl);
  r.dim = dq;
  return r;
}

nlohmann::json ToJson(const DirectionResult& r) {
  auto pct = [](double v) { return std::round(v * 10000.0) / 100.0; };
  const RetrievalMetrics& m = r.metrics;
  return {{"direction", r.direction},
          {"n_query", m.n_query},
          {"n_gallery", m.n_gallery},
          {"gallery_mode", GalleryModeName(m.mode)},
          {"recall@1", pct(m.recall_at_1)},
          {"recall@5", pct(m.recall_at_5)},
          {"recall@10", pct(m.recall_at_10)},
          {"recall@top1%", pct(m.recall_top1_percent)},
          {"ap", pct(m.mean_ap)},
          {"skipped_queries", m.skipped_queries}};
}

std::string FormatResult(const DirectionResult& r) {
  const RetrievalMetrics& m = r.metrics;
  std::ostringstream os;
  os << std::fixed << std::setprecision(2) << r.direction << "  R@1 " << 100 * m.recall_at_1 << "  R@5 " << 100 * m.recall_at_5
     << "  R@10 " << 100 * m.recall_at_10 << "  R@top1% " << 100 * m.recall_top1_percent << "  AP " << 100 * m.mean_ap
     << "  (" << m.n_query << " queries, " << m.n_gallery << " gallery, " << GalleryModeName(m.mode) << ")";
  return os.str();
}

}  // namespace crossview::eval

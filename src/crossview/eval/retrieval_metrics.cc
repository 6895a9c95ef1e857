#include "crossview/eval/retrieval_metrics.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_set>

#include "crossview/util/errors.h"

namespace crossview::eval {

const char* GalleryModeName(GalleryMode mode) {
  return mode == GalleryMode::kOfficial ? "official" : "query-ids-only";
}

GalleryMode ParseGalleryMode(const std::string& name) {
  if (name == "official") return GalleryMode::kOfficial;
  if (name == "query-ids-only") return GalleryMode::kQueryIdsOnly;
  throw CV_ERROR(InvalidArgumentError, "unknown gallery mode '" + name + "'").Hint("valid modes: official, query-ids-only");
}

double TrapezoidalAveragePrecision(const std::vector<int64_t>& good_positions) {
  const auto g = static_cast<double>(good_positions.size());
  if (good_positions.empty()) return 0.0;
  double ap = 0.0;
  for (size_t i = 0; i < good_positions.size(); ++i) {
    const auto r = static_cast<double>(good_positions[i]);
    double precision = static_cast<double>(i + 1) / (r + 1.0);
    double precision_old = good_positions[i] > 0 ? static_cast<double>(i) / r : 1.0;
    ap += (precision_old + precision) / 2.0 / g;
  }
  return ap;
}

int64_t Top1PercentIndex(int64_t n_gallery) {
  return static_cast<int64_t>(std::nearbyint(static_cast<double>(n_gallery) * 0.01));
}

std::vector<int64_t> RankByScore(const float* scores, int64_t n_gallery) {
  std::vector<int64_t> order(static_cast<size_t>(n_gallery));
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [scores](int64_t a, int64_t b) {
    return scores[a] > scores[b] || (scores[a] == scores[b] && a < b);
  });
  return order;
}

namespace {

struct Accumulator {
  RetrievalMetrics m;
  std::vector<double> cmc_hits;  // per position, number of queries with first good ≤ position
  std::vector<int64_t> effective_labels;
};

void ScoreOneQuery(const float* scores, int64_t query_label, Accumulator& acc) {
  const int64_t n = acc.m.n_gallery;
  std::vector<int64_t> order = RankByScore(scores, n);
  std::vector<int64_t> good_positions;
  int64_t position = 0;
  for (int64_t idx : order) {
    int64_t label = acc.effective_labels[static_cast<size_t>(idx)];
    if (label == kJunkLabel) continue;  // junk is removed before positions are assigned
    if (label == query_label) good_positions.push_back(position);
    ++position;
  }
  if (good_positions.empty()) {
    acc.m.skipped_queries++;
    acc.m.first_good_rank.push_back(-1);
    acc.m.average_precision.push_back(0.0);
    return;
  }
  int64_t r0 = good_positions.front();
  acc.m.first_good_rank.push_back(r0);
  acc.m.average_precision.push_back(TrapezoidalAveragePrecision(good_positions));
  if (r0 < static_cast<int64_t>(acc.cmc_hits.size())) acc.cmc_hits[static_cast<size_t>(r0)] += 1.0;
}

void CheckLabels(size_t n_query_labels, size_t n_gallery_labels, size_t n_scores) {
  if (n_gallery_labels == 0) {
    throw CV_ERROR(InvalidArgumentError, "empty gallery").Hint("a retrieval needs at least one gallery item");
  }
  if (n_scores != n_query_labels * n_gallery_labels) {
    throw CV_ERROR(InvalidArgumentError, "score matrix size does not match the labels")
        .With("scores", n_scores).With("queries", n_query_labels).With("gallery", n_gallery_labels);
  }
}

Accumulator MakeAccumulator(const std::vector<int64_t>& query_labels, const std::vector<int64_t>& gallery_labels,
                            const EvaluateOptions& options) {
  Accumulator acc;
  acc.m.n_query = static_cast<int64_t>(query_labels.size());
  acc.m.n_gallery = static_cast<int64_t>(gallery_labels.size());
  acc.m.mode = options.mode;
  acc.effective_labels = gallery_labels;
  if (options.mode == GalleryMode::kQueryIdsOnly) {
    std::unordered_set<int64_t> ids(query_labels.begin(), query_labels.end());
    for (auto& l : acc.effective_labels) {
      if (!ids.count(l)) l = kJunkLabel;
    }
  }
  acc.cmc_hits.assign(static_cast<size_t>(acc.m.n_gallery), 0.0);
  return acc;
}

RetrievalMetrics Finish(Accumulator& acc, const EvaluateOptions& options) {
  RetrievalMetrics& m = acc.m;
  const double nq = static_cast<double>(std::max<int64_t>(m.n_query, 1));
  // cmc[k] = fraction of queries whose first good position is ≤ k.
  std::vector<double> cmc(acc.cmc_hits.size());
  double running = 0.0;
  for (size_t k = 0; k < cmc.size(); ++k) {
    running += acc.cmc_hits[k];
    cmc[k] = running / nq;
  }
  auto at = [&](int64_t k) { return cmc.empty() ? 0.0 : cmc[static_cast<size_t>(std::min<int64_t>(k, static_cast<int64_t>(cmc.size()) - 1))]; };
  m.recall_at_1 = at(0);
  m.recall_at_5 = at(4);
  m.recall_at_10 = at(9);
  m.top1_percent_index = Top1PercentIndex(m.n_gallery);
  m.recall_top1_percent = at(m.top1_percent_index);
  m.mean_ap = std::accumulate(m.average_precision.begin(), m.average_precision.end(), 0.0) / nq;
  cmc.resize(static_cast<size_t>(std::min<int64_t>(options.cmc_length, static_cast<int64_t>(cmc.size()))));
  m.cmc = std::move(cmc);
  return m;
}

}  // namespace

RetrievalMetrics EvaluateFromScores(const std::vector<float>& scores, const std::vector<int64_t>& query_labels,
                                    const std::vector<int64_t>& gallery_labels, const EvaluateOptions& options) {
  CheckLabels(query_labels.size(), gallery_labels.size(), scores.size());
  Accumulator acc = MakeAccumulator(query_labels, gallery_labels, options);
  for (size_t q = 0; q < query_labels.size(); ++q) {
    ScoreOneQuery(scores.data() + q * gallery_labels.size(), query_labels[q], acc);
  }
  return Finish(acc, options);
}

RetrievalMetrics EvaluateRetrieval(const std::vector<float>& query_descriptors, const std::vector<int64_t>& query_labels,
                                   const std::vector<float>& gallery_descriptors,
                                   const std::vector<int64_t>& gallery_labels, int64_t dim,
                                   const EvaluateOptions& options) {
  if (dim <= 0) throw CV_ERROR(InvalidArgumentError, "descriptor dimension must be positive").With("dim", dim);
  const auto nq = static_cast<int64_t>(query_labels.size());
  const auto ng = static_cast<int64_t>(gallery_labels.size());
  if (static_cast<int64_t>(query_descriptors.size()) != nq * dim ||
      static_cast<int64_t>(gallery_descriptors.size()) != ng * dim) {
    throw CV_ERROR(InvalidArgumentError, "descriptor arrays do not match labels × dim")
        .With("query_floats", query_descriptors.size()).With("queries", nq)
        .With("gallery_floats", gallery_descriptors.size()).With("gallery", ng).With("dim", dim);
  }
  CheckLabels(query_labels.size(), gallery_labels.size(), static_cast<size_t>(nq * ng));
  Accumulator acc = MakeAccumulator(query_labels, gallery_labels, options);
  const int64_t block = std::max<int64_t>(1, options.query_block);
  std::vector<float> scores;
  for (int64_t q0 = 0; q0 < nq; q0 += block) {
    const int64_t rows = std::min(block, nq - q0);
    scores.assign(static_cast<size_t>(rows * ng), 0.0f);
    // scores(rows × ng) = Q(rows × dim) · Gᵀ, in fp32 (§2.1).
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(rows), static_cast<int>(ng),
                static_cast<int>(dim), 1.0f, query_descriptors.data() + q0 * dim, static_cast<int>(dim),
                gallery_descriptors.data(), static_cast<int>(dim), 0.0f, scores.data(), static_cast<int>(ng));
    for (int64_t r = 0; r < rows; ++r) ScoreOneQuery(scores.data() + r * ng, query_labels[static_cast<size_t>(q0 + r)], acc);
  }
  return Finish(acc, options);
}

}  // namespace crossview::eval

// The University-1652 retrieval evaluation protocol (spec retrieval.md §2): ranking with a
// deterministic tie-break, good/junk handling, CMC, Recall@K, "Recall@top1%" and the
// Market-1501 trapezoidal AP. Torch-free: it works on plain row-major float descriptors.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace crossview::eval {

// official: the whole gallery; query-ids-only: gallery items whose label is not among the query
// labels become junk (label -1) and are removed before ranking (§2.6).
enum class GalleryMode { kOfficial, kQueryIdsOnly };
const char* GalleryModeName(GalleryMode mode);
GalleryMode ParseGalleryMode(const std::string& name);  // "official" | "query-ids-only"

// Label value meaning "junk": removed from the ranked list before positions are assigned.
constexpr int64_t kJunkLabel = -1;

struct RetrievalMetrics {
  int64_t n_query = 0;
  int64_t n_gallery = 0;
  int64_t skipped_queries = 0;  // queries with no good gallery item (count in the denominator)
  GalleryMode mode = GalleryMode::kOfficial;
  // Fractions in [0, 1] (reports multiply by 100).
  double recall_at_1 = 0, recall_at_5 = 0, recall_at_10 = 0;
  double recall_top1_percent = 0;  // cmc[nearbyint(0.01·N_gallery)] (§2.3), i.e. R@(index+1)
  int64_t top1_percent_index = 0;
  double mean_ap = 0;
  // cmc[k] averaged over queries: Recall@(k+1); truncated to the first `cmc_length` entries.
  std::vector<double> cmc;
  // Per query: 0-based junk-free position of the first good item (-1 when skipped) and its AP.
  std::vector<int64_t> first_good_rank;
  std::vector<double> average_precision;
};

// AP of one query from the sorted 0-based junk-free positions of its good items (§2.4):
// AP = Σ_i (1/g)·(p_old(i) + p(i))/2, p(i) = (i+1)/(r_i+1), p_old(i) = i/r_i (1 when r_i = 0).
double TrapezoidalAveragePrecision(const std::vector<int64_t>& good_positions);

// The index used by "Recall@top1%": nearbyint(0.01·n_gallery) (round half to even).
int64_t Top1PercentIndex(int64_t n_gallery);

// Ranks the gallery for one score vector: indices by descending score, ties by ascending index.
std::vector<int64_t> RankByScore(const float* scores, int64_t n_gallery);

struct EvaluateOptions {
  GalleryMode mode = GalleryMode::kOfficial;
  int64_t cmc_length = 100;  // entries of the averaged CMC kept in the result
  int64_t query_block = 256;  // queries scored per matrix product (memory: block × n_gallery floats)
};

// Scores every query against the gallery by dot product (descriptors must already be
// L2-normalised, §2.8), ranks, and computes the metrics. Descriptors are row-major
// n × dim float arrays. Throws InvalidArgumentError on size mismatches or an empty gallery.
RetrievalMetrics EvaluateRetrieval(const std::vector<float>& query_descriptors,
                                   const std::vector<int64_t>& query_labels,
                                   const std::vector<float>& gallery_descriptors,
                                   const std::vector<int64_t>& gallery_labels, int64_t dim,
                                   const EvaluateOptions& options = {});

// The same from a precomputed row-major n_query × n_gallery score matrix.
RetrievalMetrics EvaluateFromScores(const std::vector<float>& scores, const std::vector<int64_t>& query_labels,
                                    const std::vector<int64_t>& gallery_labels,
                                    const EvaluateOptions& options = {});

}  // namespace crossview::eval

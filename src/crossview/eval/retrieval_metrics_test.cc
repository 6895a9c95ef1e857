#include "crossview/eval/retrieval_metrics.h"

#include <gtest/gtest.h>

#include "crossview/util/errors.h"
#include "crossview/util/random.h"

namespace crossview::eval {
namespace {

TEST(RetrievalMetricsTest, TrapezoidalApMatchesSpecExamples) {
  EXPECT_DOUBLE_EQ(TrapezoidalAveragePrecision({0}), 1.0);
  EXPECT_DOUBLE_EQ(TrapezoidalAveragePrecision({1}), 0.25);  // "a match at the second position gives 0.25"
  EXPECT_DOUBLE_EQ(TrapezoidalAveragePrecision({4}), 1.0 / (2 * 5));
  // Two good items at positions 0 and 2: ((1 + 1)/2 + (1/2 + 2/3)/2) / 2.
  EXPECT_DOUBLE_EQ(TrapezoidalAveragePrecision({0, 2}), (1.0 + (0.5 + 2.0 / 3.0) / 2.0) / 2.0);
  EXPECT_DOUBLE_EQ(TrapezoidalAveragePrecision({}), 0.0);
}

TEST(RetrievalMetricsTest, Top1PercentIndexUsesRoundHalfToEven) {
  EXPECT_EQ(Top1PercentIndex(951), 10);
  EXPECT_EQ(Top1PercentIndex(51355), 514);
  EXPECT_EQ(Top1PercentIndex(200), 2);
  EXPECT_EQ(Top1PercentIndex(10000), 100);
  EXPECT_EQ(Top1PercentIndex(250), 2);
  EXPECT_EQ(Top1PercentIndex(1650), 16);
}

TEST(RetrievalMetricsTest, TiesBreakByAscendingGalleryIndex) {
  float s[] = {0.5f, 0.9f, 0.5f, 0.9f, 0.1f};
  EXPECT_EQ(RankByScore(s, 5), (std::vector<int64_t>{1, 3, 0, 2, 4}));
}

TEST(RetrievalMetricsTest, CraftedScoresGiveExactRecallAndAp) {
  // 3 queries × 4 gallery items; gallery labels 10, 11, 12, 13.
  std::vector<int64_t> gallery = {10, 11, 12, 13};
  std::vector<int64_t> queries = {10, 11, 12};
  std::vector<float> scores = {
      0.9f, 0.1f, 0.2f, 0.3f,  // q0: correct at rank 0
      0.8f, 0.7f, 0.1f, 0.0f,  // q1: correct at rank 1 → AP 0.25
      0.9f, 0.8f, 0.7f, 0.1f,  // q2: correct at rank 2 → AP 1/6
  };
  RetrievalMetrics m = EvaluateFromScores(scores, queries, gallery);
  EXPECT_DOUBLE_EQ(m.recall_at_1, 1.0 / 3);
  EXPECT_DOUBLE_EQ(m.recall_at_5, 1.0);
  EXPECT_DOUBLE_EQ(m.mean_ap, (1.0 + 0.25 + 1.0 / 6) / 3);
  EXPECT_EQ(m.first_good_rank, (std::vector<int64_t>{0, 1, 2}));
  ASSERT_EQ(m.cmc.size(), 4u);
  EXPECT_DOUBLE_EQ(m.cmc[1], 2.0 / 3);
  EXPECT_EQ(m.skipped_queries, 0);
}

TEST(RetrievalMetricsTest, QueryIdsOnlyRemovesDistractorsAsJunk) {
  // Gallery has a distractor (label 99) that outranks the true match.
  std::vector<int64_t> gallery = {99, 10, 11};
  std::vector<int64_t> queries = {10};
  std::vector<float> scores = {0.9f, 0.8f, 0.1f};
  EXPECT_DOUBLE_EQ(EvaluateFromScores(scores, queries, gallery).recall_at_1, 0.0);
  EvaluateOptions o;
  o.mode = GalleryMode::kQueryIdsOnly;
  RetrievalMetrics m = EvaluateFromScores(scores, queries, gallery, o);
  // 99 is junk (not a query id); 11 is too (not a query id here): 10 is now first.
  EXPECT_DOUBLE_EQ(m.recall_at_1, 1.0);
  EXPECT_DOUBLE_EQ(m.mean_ap, 1.0);
  EXPECT_EQ(ParseGalleryMode("query-ids-only"), GalleryMode::kQueryIdsOnly);
  EXPECT_THROW(ParseGalleryMode("all"), InvalidArgumentError);
}

TEST(RetrievalMetricsTest, QueryWithoutGoodItemIsSkippedButCounted) {
  std::vector<float> scores = {0.9f, 0.1f, 0.3f, 0.2f};
  RetrievalMetrics m = EvaluateFromScores(scores, {1, 7}, {1, 2});
  EXPECT_EQ(m.skipped_queries, 1);
  EXPECT_DOUBLE_EQ(m.recall_at_1, 0.5);
  EXPECT_DOUBLE_EQ(m.mean_ap, 0.5);
}

TEST(RetrievalMetricsTest, DescriptorPathAgreesWithScorePath) {
  Rng rng(3);
  const int64_t dim = 8, nq = 37, ng = 53;
  std::vector<float> q(nq * dim), g(ng * dim);
  for (auto& v : q) v = static_cast<float>(rng.Normal());
  for (auto& v : g) v = static_cast<float>(rng.Normal());
  std::vector<int64_t> ql(nq), gl(ng);
  for (int64_t i = 0; i < nq; ++i) ql[i] = i % 11;
  for (int64_t i = 0; i < ng; ++i) gl[i] = i % 13;
  std::vector<float> scores(nq * ng);
  for (int64_t i = 0; i < nq; ++i)
    for (int64_t j = 0; j < ng; ++j) {
      float s = 0;
      for (int64_t d = 0; d < dim; ++d) s += q[i * dim + d] * g[j * dim + d];
      scores[i * ng + j] = s;
    }
  EvaluateOptions o;
  o.query_block = 5;  // several blocks, last one partial
  RetrievalMetrics a = EvaluateRetrieval(q, ql, g, gl, dim, o);
  RetrievalMetrics b = EvaluateFromScores(scores, ql, gl, o);
  EXPECT_EQ(a.first_good_rank, b.first_good_rank);
  EXPECT_NEAR(a.mean_ap, b.mean_ap, 1e-12);
  EXPECT_GT(a.mean_ap, 0.0);
}

TEST(RetrievalMetricsTest, BadSizesAndEmptyGalleryAreRejected) {
  EXPECT_THROW(EvaluateFromScores({}, {1}, {}), InvalidArgumentError);
  EXPECT_THROW(EvaluateFromScores({0.1f}, {1}, {1, 2}), InvalidArgumentError);
  EXPECT_THROW(EvaluateRetrieval({0.1f}, {1}, {0.1f, 0.2f}, {1}, 1), InvalidArgumentError);
}

}  // namespace
}  // namespace crossview::eval

#include "crossview/perf/bench_runner.h"

#include <gtest/gtest.h>

#include "crossview/util/errors.h"

namespace crossview::perf {
namespace {

TEST(BenchRunnerTest, SearchRowsHaveExactFlatRecallAndConsistentSizes) {
  BenchOptions o;
  o.galleries = {200};
  o.dim = 16;
  o.index_types = {"flat", "hnsw"};
  o.search_queries = 20;
  nlohmann::json r = BenchSearch(o);
  ASSERT_EQ(r["rows"].size(), 2u);
  const auto& flat = r["rows"][0];
  EXPECT_EQ(flat["index"], "flat");
  EXPECT_EQ(flat["recall@1_vs_exact"], 1.0);
  EXPECT_GE(flat["bytes_per_item"].get<double>(), 16 * 4.0);  // the vectors themselves
  const auto& hnsw = r["rows"][1];
  EXPECT_GE(hnsw["recall@1_vs_exact"].get<double>(), 0.0);
  EXPECT_LE(hnsw["recall@1_vs_exact"].get<double>(), 1.0);
  EXPECT_GT(hnsw["bytes_per_item"].get<double>(), flat["bytes_per_item"].get<double>());  // plus the graph
  EXPECT_LE(flat["median_ms_per_query"].get<double>(), flat["p99_ms_per_query"].get<double>());
  EXPECT_NE(BenchMarkdown("search", r).find("| hnsw | 200 | 16 |"), std::string::npos);
}

TEST(BenchRunnerTest, DescriptorRowsDeriveThroughputAndFlopsFromTheTiming) {
  BenchOptions o;
  o.methods = {"baseline"};
  o.sizes = {32};
  o.batches = {2};
  o.repeats = 1;
  o.warmup = 0;
  nlohmann::json r = BenchDescriptors(o);
  ASSERT_EQ(r["rows"].size(), 1u);
  const auto& row = r["rows"][0];
  ASSERT_FALSE(row.contains("error")) << row.dump();
  EXPECT_DOUBLE_EQ(row["images_per_s"].get<double>(), 2.0 / row["seconds_per_batch"].get<double>());
  // Flip TTA: 2 passes × 2 FLOPs per MAC.
  EXPECT_NEAR(row["gflop_per_s"].get<double>(), 4.0 * row["macs_per_pass"].get<double>() * row["images_per_s"].get<double>() / 1e9, 1e-9);
  EXPECT_EQ(row["descriptor_dim"], 512);  // the baseline: one 512-d bottleneck
  EXPECT_GT(row["peak_rss_mib"].get<double>(), 0.0);
}

TEST(BenchRunnerTest, OptionsAreChecked) {
  BenchOptions o;
  o.sizes = {100};
  EXPECT_THROW(o.Check(), InvalidArgumentError);
  o = {};
  o.index_types = {"lsh"};
  EXPECT_THROW(o.Check(), InvalidArgumentError);
  o = {};
  o.repeats = 0;
  EXPECT_THROW(o.Check(), InvalidArgumentError);
}

}  // namespace
}  // namespace crossview::perf

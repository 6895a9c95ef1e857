// End-to-end speed and memory measurements (`crossview bench`), kept apart from the tests:
//   descriptors  images/s of each retrieval method's eval forward (+ flip TTA + normalisation,
//                exactly what indexing runs) per input size and batch size, GFLOP/s from the
//                counted MACs
//   drl          DRL pairs/s (batch 1) for the paper and the small configuration, and the full
//                localisation of one query (forward + sigmoid + Hanning + argmax) in ms
//   search       per-query latency and recall@1 against exact search for flat / IVF / HNSW
//                galleries of random unit vectors
// Every row is the median of `repeats` timed runs after `warmup` runs, single process, the
// configured intra-op threads; peak RSS is the process's high-water mark after the row (it only
// grows, so rows are ordered small to large).
#pragma once

#include <c10/core/Device.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace crossview::perf {

struct BenchOptions {
  std::vector<std::string> methods = {"baseline", "lpn", "msba", "mfrl", "imlnet"};
  std::vector<int> sizes = {256, 384};
  std::vector<int> batches = {1, 8, 32};
  std::vector<int64_t> galleries = {1000, 10000, 100000};
  int64_t dim = 0;  // search: descriptor dimension; 0 = the MSBA paper descriptor (512 × 7)
  std::vector<std::string> index_types = {"flat", "ivf", "hnsw"};
  int64_t search_queries = 200;
  int repeats = 5;
  int warmup = 1;
  std::string device = "cpu";
  bool bf16 = false;  // descriptors/drl: run in bfloat16 autocast-free (weights and inputs cast)
  void Check() const;
};

// Each returns {"rows": [...], "machine": {...}} with one object per measured configuration.
nlohmann::json BenchDescriptors(const BenchOptions& options);
nlohmann::json BenchDrl(const BenchOptions& options);
nlohmann::json BenchSearch(const BenchOptions& options);

// A markdown table of a result.
std::string BenchMarkdown(const std::string& what, const nlohmann::json& result);

// The process's peak resident set size in MiB.
double PeakRssMiB();

}  // namespace crossview::perf

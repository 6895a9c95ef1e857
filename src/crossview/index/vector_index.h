// A gallery index over float rows (FAISS inside, hidden behind a tiny batch interface).
//
// Rows are descriptors (L2-normalised for cosine similarity), added in order: the i-th row added
// has id i. Scores are inner products, higher is better. Every index saves and loads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace crossview::index {

enum class IndexType { kFlat, kIvf, kHnsw };
const char* IndexTypeName(IndexType type);
IndexType ParseIndexType(const std::string& name);  // "flat" | "ivf" | "hnsw"

struct IndexOptions {
  IndexType type = IndexType::kFlat;
  int64_t dim = 0;
  int64_t ivf_nlist = 0;    // IVF cells; 0 = about 4·√n at Train() time (at least 1)
  int64_t hnsw_m = 32;      // HNSW neighbours per node
  int64_t hnsw_ef_construction = 64;
  // Throws InvalidArgumentError naming the bad field.
  void Check() const;
};

// Per-call search parameters (FAISS style).
struct SearchParams {
  int64_t k = 5;
  int64_t ivf_nprobe = 16;     // IVF cells visited
  int64_t hnsw_ef_search = 64;
};

struct SearchResult {
  int64_t n_queries = 0;
  int64_t k = 0;
  std::vector<float> scores;  // n_queries × k, descending per row; -inf where fewer than k rows
  std::vector<int64_t> ids;   // n_queries × k, -1 where fewer than k rows
};

class VectorIndex {
 public:
  static std::unique_ptr<VectorIndex> Create(const IndexOptions& options);
  // Reads an index written by Save(). Throws NotFoundError / IoError naming the file.
  static std::unique_ptr<VectorIndex> Load(const std::filesystem::path& path);
  virtual ~VectorIndex() = default;

  // IVF needs training on representative rows before Add(); a no-op for flat and HNSW.
  virtual void Train(int64_t n, const float* rows) = 0;
  virtual bool is_trained() const = 0;
  virtual void Add(int64_t n, const float* rows) = 0;
  virtual SearchResult Search(int64_t n, const float* queries, const SearchParams& params = {}) const = 0;
  // Writes atomically (temp file + rename).
  virtual void Save(const std::filesystem::path& path) const = 0;

  virtual int64_t size() const = 0;
  virtual int64_t dim() const = 0;
  virtual IndexType type() const = 0;
};

}  // namespace crossview::index

#include "crossview/index/vector_index.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <utility>
#include <vector>

#include "crossview/util/errors.h"
#include "crossview/util/file.h"
#include "crossview/util/random.h"

namespace crossview::index {
namespace {

// n unit vectors around `clusters` random centres (descriptor-like data).
std::vector<float> ClusteredRows(int64_t n, int64_t dim, int clusters, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> centres(clusters * dim);
  for (auto& v : centres) v = static_cast<float>(rng.Normal());
  std::vector<float> rows(n * dim);
  for (int64_t i = 0; i < n; ++i) {
    int c = static_cast<int>(rng.UniformInt(0, clusters - 1));
    double norm = 0;
    for (int64_t d = 0; d < dim; ++d) {
      float v = centres[c * dim + d] + 0.3f * static_cast<float>(rng.Normal());
      rows[i * dim + d] = v;
      norm += double(v) * v;
    }
    for (int64_t d = 0; d < dim; ++d) rows[i * dim + d] /= static_cast<float>(std::sqrt(norm));
  }
  return rows;
}

TEST(VectorIndexTest, FlatSearchIsExactInnerProduct) {
  IndexOptions o;
  o.dim = 3;
  auto idx = VectorIndex::Create(o);
  std::vector<float> rows = {1, 0, 0, 0, 1, 0, 0.6f, 0.8f, 0};
  idx->Add(3, rows.data());
  std::vector<float> q = {0, 1, 0};
  SearchParams p;
  p.k = 3;
  SearchResult r = idx->Search(1, q.data(), p);
  EXPECT_EQ(r.ids, (std::vector<int64_t>{1, 2, 0}));
  EXPECT_FLOAT_EQ(r.scores[0], 1.0f);
  EXPECT_FLOAT_EQ(r.scores[1], 0.8f);
  EXPECT_FLOAT_EQ(r.scores[2], 0.0f);
  p.k = 5;  // more than the rows: padded with -1 / -inf
  r = idx->Search(1, q.data(), p);
  EXPECT_EQ(r.ids[3], -1);
  EXPECT_TRUE(std::isinf(r.scores[4]));
}

// IVF and HNSW are fast paths: test them against exact search.
void ExpectAgreesWithFlat(IndexType type, double min_recall) {
  const int64_t dim = 32, n = 2000, nq = 100;
  // Queries come from the same clusters as the gallery (as drone and satellite descriptors do).
  std::vector<float> all = ClusteredRows(n + nq, dim, 40, 1);
  std::vector<float> rows(all.begin(), all.begin() + n * dim);
  std::vector<float> queries(all.begin() + n * dim, all.end());
  IndexOptions fo;
  fo.dim = dim;
  auto flat = VectorIndex::Create(fo);
  flat->Add(n, rows.data());
  IndexOptions o = fo;
  o.type = type;
  auto fast = VectorIndex::Create(o);
  fast->Train(n, rows.data());
  fast->Add(n, rows.data());
  SearchParams p;
  p.k = 1;
  SearchResult exact = flat->Search(nq, queries.data(), p);
  SearchResult approx = fast->Search(nq, queries.data(), p);
  int hits = 0;
  for (int64_t i = 0; i < nq; ++i) hits += exact.ids[i] == approx.ids[i];
  EXPECT_GE(hits / double(nq), min_recall) << IndexTypeName(type);
  if (type == IndexType::kIvf) {  // visiting every cell is exhaustive search
    p.ivf_nprobe = 100000;
    SearchResult all = fast->Search(nq, queries.data(), p);
    EXPECT_EQ(all.ids, exact.ids);
  }
}

TEST(VectorIndexTest, IvfAgreesWithExactSearch) { ExpectAgreesWithFlat(IndexType::kIvf, 0.9); }
TEST(VectorIndexTest, HnswAgreesWithExactSearch) { ExpectAgreesWithFlat(IndexType::kHnsw, 0.95); }

TEST(VectorIndexTest, SaveLoadRoundTripKeepsResults) {
  TempDir tmp;
  for (IndexType type : {IndexType::kFlat, IndexType::kIvf, IndexType::kHnsw}) {
    const int64_t dim = 16, n = 300;
    std::vector<float> rows = ClusteredRows(n, dim, 10, 5);
    IndexOptions o;
    o.dim = dim;
    o.type = type;
    auto idx = VectorIndex::Create(o);
    idx->Train(n, rows.data());
    idx->Add(n, rows.data());
    auto path = tmp.path() / (std::string(IndexTypeName(type)) + ".faiss");
    idx->Save(path);
    auto loaded = VectorIndex::Load(path);
    EXPECT_EQ(loaded->type(), type);
    EXPECT_EQ(loaded->size(), n);
    EXPECT_EQ(loaded->dim(), dim);
    SearchResult a = idx->Search(10, rows.data());
    SearchResult b = loaded->Search(10, rows.data());
    EXPECT_EQ(a.ids, b.ids) << IndexTypeName(type);
    EXPECT_EQ(a.scores, b.scores);
  }
}

TEST(VectorIndexTest, BadInputGetsClearErrors) {
  IndexOptions o;
  EXPECT_THROW(VectorIndex::Create(o), InvalidArgumentError);  // dim 0
  o.dim = 4;
  auto idx = VectorIndex::Create(o);
  std::vector<float> q(4, 0.5f);
  try {
    idx->Search(1, q.data());
    FAIL();
  } catch (const InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("empty"), std::string::npos);
  }
  std::vector<float> nan_row = {0, NAN, 0, 0};
  EXPECT_THROW(idx->Add(1, nan_row.data()), InvalidArgumentError);
  o.type = IndexType::kIvf;
  o.ivf_nlist = 10;
  auto ivf = VectorIndex::Create(o);
  EXPECT_THROW(ivf->Add(1, q.data()), InvalidArgumentError);    // untrained
  EXPECT_THROW(ivf->Train(1, q.data()), InvalidArgumentError);  // fewer rows than cells
  EXPECT_THROW(ParseIndexType("lsh"), InvalidArgumentError);

  TempDir tmp;
  EXPECT_THROW(VectorIndex::Load(tmp.path() / "none.faiss"), NotFoundError);
  WriteFileAtomic(tmp.path() / "bad.faiss", std::string("not an index at all"));
  EXPECT_THROW(VectorIndex::Load(tmp.path() / "bad.faiss"), IoError);
}

// Found by index_dir_fuzz (tests/fuzz/regressions/index_dir/): FAISS resizes vectors to the
// lengths stored in the file before reading them, so one corrupt length asked for ~500 GB. Load
// checks the layout first; every truncation and every oversized length is an IoError.
TEST(VectorIndexTest, CorruptFilesAreIoErrorsNotHugeAllocations) {
  TempDir tmp;
  for (IndexType type : {IndexType::kFlat, IndexType::kIvf, IndexType::kHnsw}) {
    const int64_t dim = 4, n = 12;
    std::vector<float> rows = ClusteredRows(n, dim, 3, 3);
    IndexOptions o;
    o.dim = dim;
    o.type = type;
    o.ivf_nlist = 2;
    o.hnsw_m = 2;  // small files: every field below is overwritten once
    auto idx = VectorIndex::Create(o);
    idx->Train(n, rows.data());
    idx->Add(n, rows.data());
    const auto path = tmp.path() / "i.faiss";
    idx->Save(path);
    const std::string good = ReadFile(path);
    ASSERT_EQ(VectorIndex::Load(path)->size(), n);
    for (size_t cut : {size_t{3}, size_t{37}, good.size() / 2, good.size() - 1}) {
      WriteFileAtomic(path, good.substr(0, cut));
      EXPECT_THROW(VectorIndex::Load(path), IoError) << IndexTypeName(type) << " cut at " << cut;
    }
    // Header values that would be undefined behaviour in FAISS's fields: is_trained (a bool, byte
    // 32) = 7, metric (an enum, bytes 33-36) = 2^24.
    for (const auto& [at, value] : std::vector<std::pair<size_t, char>>{{32, '\x07'}, {36, '\x01'}}) {
      std::string bad = good;
      bad[at] = value;
      WriteFileAtomic(path, bad);
      EXPECT_THROW(VectorIndex::Load(path), IoError) << IndexTypeName(type) << " byte " << at;
    }
    // Each 8-byte field after the header set to 2^39 in turn: lengths become too large for the
    // file, other fields too large for their meaning; whatever loads must still be consistent.
    for (size_t at = 37; at + 8 <= good.size(); at += 8) {
      std::string bad = good;
      const uint64_t huge = uint64_t{1} << 39;
      std::memcpy(&bad[at], &huge, 8);
      WriteFileAtomic(path, bad);
      try {
        auto loaded = VectorIndex::Load(path);
        EXPECT_EQ(loaded->dim(), dim);
      } catch (const IoError&) {
      } catch (const InvalidArgumentError&) {
      }
    }
  }
}

}  // namespace
}  // namespace crossview::index

#include "crossview/index/vector_index.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/impl/FaissException.h>
#include <faiss/index_io.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "crossview/util/errors.h"
#include "crossview/util/file.h"

namespace crossview::index {

const char* IndexTypeName(IndexType type) {
  switch (type) {
    case IndexType::kFlat: return "flat";
    case IndexType::kIvf: return "ivf";
    case IndexType::kHnsw: return "hnsw";
  }
  return "flat";
}

IndexType ParseIndexType(const std::string& name) {
  if (name == "flat") return IndexType::kFlat;
  if (name == "ivf") return IndexType::kIvf;
  if (name == "hnsw") return IndexType::kHnsw;
  throw CV_ERROR(InvalidArgumentError, "unknown index type '" + name + "'").Hint("valid types: flat, ivf, hnsw");
}

void IndexOptions::Check() const {
  if (dim <= 0) throw CV_ERROR(InvalidArgumentError, "index.dim must be positive").With("dim", dim);
  if (ivf_nlist < 0) throw CV_ERROR(InvalidArgumentError, "index.ivf_nlist must be >= 0").With("ivf_nlist", ivf_nlist);
  if (hnsw_m < 2) throw CV_ERROR(InvalidArgumentError, "index.hnsw_m must be >= 2").With("hnsw_m", hnsw_m);
  if (hnsw_ef_construction < 1) {
    throw CV_ERROR(InvalidArgumentError, "index.hnsw_ef_construction must be >= 1").With("value", hnsw_ef_construction);
  }
}

namespace {

// Runs a FAISS call, translating its exceptions once, here.
template <typename F>
auto Faiss(const char* what, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const faiss::FaissException& e) {
    throw CV_ERROR(InternalError, std::string("FAISS failed: ") + what).With("faiss", e.what());
  }
}

std::unique_ptr<faiss::IndexIVFFlat> MakeIvf(faiss::IndexFlatIP* quantizer, int64_t dim, int64_t nlist) {
  return std::make_unique<faiss::IndexIVFFlat>(quantizer, static_cast<int>(dim), static_cast<size_t>(nlist),
                                               faiss::METRIC_INNER_PRODUCT);
}

class FaissIndex final : public VectorIndex {
 public:
  FaissIndex(std::unique_ptr<faiss::Index> index, IndexType type, std::unique_ptr<faiss::IndexFlatIP> quantizer = nullptr)
      : quantizer_(std::move(quantizer)), index_(std::move(index)), type_(type), dim_(index_->d) {}
  // An IVF index whose cell count is chosen from the training set size (ivf_nlist = 0).
  explicit FaissIndex(int64_t dim)
      : quantizer_(std::make_unique<faiss::IndexFlatIP>(static_cast<int>(dim))), type_(IndexType::kIvf), dim_(dim) {}

  void Train(int64_t n, const float* rows) override {
    if (n <= 0 && !is_trained()) throw CV_ERROR(InvalidArgumentError, "cannot train an IVF index on zero rows");
    if (index_ == nullptr) {
      int64_t nlist = std::max<int64_t>(1, static_cast<int64_t>(std::lround(4.0 * std::sqrt(static_cast<double>(n)))));
      index_ = MakeIvf(quantizer_.get(), dim_, std::min(nlist, n));
    }
    if (index_->is_trained) return;
    auto* ivf = dynamic_cast<faiss::IndexIVFFlat*>(index_.get());
    if (ivf != nullptr && ivf->nlist > static_cast<size_t>(n)) {
      throw CV_ERROR(InvalidArgumentError, "IVF needs at least as many training rows as cells")
          .With("rows", n).With("ivf_nlist", ivf->nlist).Hint("lower index.ivf_nlist or use --type flat");
    }
    Faiss("train", [&] { index_->train(n, rows); });
  }
  bool is_trained() const override { return index_ != nullptr && index_->is_trained; }

  void Add(int64_t n, const float* rows) override {
    if (!is_trained()) {
      throw CV_ERROR(InvalidArgumentError, "index must be trained before rows are added").Hint("call Train() first");
    }
    for (int64_t i = 0; i < n * dim(); ++i) {
      if (!std::isfinite(rows[i])) {
        throw CV_ERROR(InvalidArgumentError, "descriptor contains NaN or infinity").With("row", i / dim());
      }
    }
    Faiss("add", [&] { index_->add(n, rows); });
  }

  SearchResult Search(int64_t n, const float* queries, const SearchParams& params) const override {
    if (size() == 0) throw CV_ERROR(InvalidArgumentError, "the index is empty").Hint("add gallery rows before searching");
    if (params.k <= 0) throw CV_ERROR(InvalidArgumentError, "k must be positive").With("k", params.k);
    SearchResult r;
    r.n_queries = n;
    r.k = params.k;
    r.scores.resize(static_cast<size_t>(n * params.k));
    r.ids.resize(static_cast<size_t>(n * params.k));
    Faiss("search", [&] {
      if (type_ == IndexType::kIvf) {
        faiss::SearchParametersIVF sp;
        sp.nprobe = static_cast<size_t>(std::max<int64_t>(1, params.ivf_nprobe));
        index_->search(n, queries, params.k, r.scores.data(), r.ids.data(), &sp);
      } else if (type_ == IndexType::kHnsw) {
        faiss::SearchParametersHNSW sp;
        sp.efSearch = static_cast<int>(std::max(params.hnsw_ef_search, params.k));
        index_->search(n, queries, params.k, r.scores.data(), r.ids.data(), &sp);
      } else {
        index_->search(n, queries, params.k, r.scores.data(), r.ids.data());
      }
    });
    for (size_t i = 0; i < r.ids.size(); ++i) {
      if (r.ids[i] < 0) r.scores[i] = -std::numeric_limits<float>::infinity();
    }
    return r;
  }

  void Save(const std::filesystem::path& path) const override {
    if (index_ == nullptr) throw CV_ERROR(InvalidArgumentError, "cannot save an untrained IVF index").Hint("call Train() first");
    AtomicPath out(path);
    Faiss("write_index", [&] { faiss::write_index(index_.get(), out.temp_path().c_str()); });
    out.Commit();
  }

  int64_t size() const override { return index_ == nullptr ? 0 : index_->ntotal; }
  int64_t dim() const override { return dim_; }
  IndexType type() const override { return type_; }

 private:
  std::unique_ptr<faiss::IndexFlatIP> quantizer_;  // owned here, used by an IVF index
  std::unique_ptr<faiss::Index> index_;
  IndexType type_;
  int64_t dim_;
};

}  // namespace

std::unique_ptr<VectorIndex> VectorIndex::Create(const IndexOptions& options) {
  options.Check();
  const auto d = static_cast<int>(options.dim);
  switch (options.type) {
    case IndexType::kFlat:
      return std::make_unique<FaissIndex>(std::make_unique<faiss::IndexFlatIP>(d), IndexType::kFlat);
    case IndexType::kIvf: {
      if (options.ivf_nlist == 0) return std::make_unique<FaissIndex>(options.dim);
      auto quantizer = std::make_unique<faiss::IndexFlatIP>(d);
      auto ivf = MakeIvf(quantizer.get(), options.dim, options.ivf_nlist);
      return std::make_unique<FaissIndex>(std::move(ivf), IndexType::kIvf, std::move(quantizer));
    }
    case IndexType::kHnsw: {
      auto hnsw = std::make_unique<faiss::IndexHNSWFlat>(d, static_cast<int>(options.hnsw_m), faiss::METRIC_INNER_PRODUCT);
      hnsw->hnsw.efConstruction = static_cast<int>(options.hnsw_ef_construction);
      return std::make_unique<FaissIndex>(std::move(hnsw), IndexType::kHnsw);
    }
  }
  throw CV_ERROR(InternalError, "unhandled index type");
}

std::unique_ptr<VectorIndex> VectorIndex::Load(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw CV_ERROR(NotFoundError, "index file not found").With("path", path.string());
  }
  faiss::Index* raw = nullptr;
  try {
    raw = faiss::read_index(path.c_str());
  } catch (const faiss::FaissException& e) {
    throw CV_ERROR(IoError, "cannot read the index file (corrupt or not a FAISS index)")
        .With("path", path.string()).Hint("rebuild it with 'crossview index build'");
  }
  std::unique_ptr<faiss::Index> index(raw);
  IndexType type;
  if (dynamic_cast<faiss::IndexFlatIP*>(raw) != nullptr) {
    type = IndexType::kFlat;
  } else if (auto* ivf = dynamic_cast<faiss::IndexIVFFlat*>(raw)) {
    type = IndexType::kIvf;
    ivf->own_fields = true;  // read_index allocates the quantizer; let the index free it
  } else if (dynamic_cast<faiss::IndexHNSWFlat*>(raw) != nullptr) {
    type = IndexType::kHnsw;
  } else {
    throw CV_ERROR(InvalidArgumentError, "unsupported FAISS index kind in file").With("path", path.string());
  }
  if (index->metric_type != faiss::METRIC_INNER_PRODUCT) {
    throw CV_ERROR(InvalidArgumentError, "index does not use inner-product scores").With("path", path.string());
  }
  return std::make_unique<FaissIndex>(std::move(index), type);
}

}  // namespace crossview::index

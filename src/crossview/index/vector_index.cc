#include "crossview/index/vector_index.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/io.h>
#include <faiss/index_io.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <new>

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

namespace {

// FAISS's reader trusts the counts in the file: it resizes a vector to the stored length before
// reading it, so a ~100-byte corrupt file can ask for hundreds of GB (found by index_dir_fuzz,
// tests/fuzz/regressions/index_dir/). Before FAISS sees the bytes, this walks the layout of the
// three kinds crossview writes (IndexFlatIP "IxFI", IndexIVFFlat "IwFl" with array inverted lists,
// IndexHNSWFlat "IHNf"; FAISS 1.7 format) and checks that every count fits in the bytes left.
// Anything else is refused, as Load refuses other kinds anyway.
class FaissLayoutCheck {
 public:
  explicit FaissLayoutCheck(const std::string& bytes) : bytes_(bytes) {}

  // Empty when the layout is plausible, else what is wrong.
  std::string Run() {
    try {
      Index(0);
      return pos_ == bytes_.size() ? "" : "trailing bytes after the index";
    } catch (const BadLayout& e) {
      return e.why;
    }
  }

 private:
  struct BadLayout {
    explicit BadLayout(const char* w) : why(w) {}
    const char* why;
  };
  static uint32_t FourCC(const char* s) {
    return uint32_t(uint8_t(s[0])) | uint32_t(uint8_t(s[1])) << 8 | uint32_t(uint8_t(s[2])) << 16 | uint32_t(uint8_t(s[3])) << 24;
  }
  size_t Left() const { return bytes_.size() - pos_; }
  void Skip(uint64_t n) {
    if (n > Left()) throw BadLayout("truncated");
    pos_ += static_cast<size_t>(n);
  }
  template <typename T>
  T Read() {
    T v;
    if (sizeof(T) > Left()) throw BadLayout("truncated");
    std::memcpy(&v, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  // READVECTOR: a uint64 element count, then the elements.
  uint64_t Vector(size_t item_size) {
    const uint64_t n = Read<uint64_t>();
    if (n > Left() / item_size) throw BadLayout("a stored length exceeds the file");
    Skip(n * item_size);
    return n;
  }
  // d, ntotal, two unused int64, is_trained (a bool), metric (an enum: only inner product and L2
  // here; FAISS adds a float argument for the others). Values outside bool and the enum would be
  // undefined behaviour once read into FAISS's fields (found by index_dir_fuzz).
  void Header(int32_t* d, int64_t* ntotal) {
    *d = Read<int32_t>();
    *ntotal = Read<int64_t>();
    Skip(8 + 8);
    if (Read<uint8_t>() > 1) throw BadLayout("bad is_trained flag");
    const int32_t metric = Read<int32_t>();
    if (metric != faiss::METRIC_INNER_PRODUCT && metric != faiss::METRIC_L2) throw BadLayout("unknown metric");
    if (*d <= 0 || *ntotal < 0) throw BadLayout("bad dimension or row count");
  }
  void Index(int depth) {
    if (depth > 2) throw BadLayout("nested too deep");
    const uint32_t kind = Read<uint32_t>();
    int32_t d = 0;
    int64_t ntotal = 0;
    if (kind == FourCC("IxFI")) {
      Header(&d, &ntotal);
      // codes, counted in floats: exactly ntotal rows of d (divided, so nothing can wrap)
      const uint64_t floats = Vector(sizeof(float));
      if (floats % static_cast<uint64_t>(d) != 0 || floats / static_cast<uint64_t>(d) != static_cast<uint64_t>(ntotal)) {
        throw BadLayout("row data does not match the row count");
      }
    } else if (kind == FourCC("IwFl")) {
      Header(&d, &ntotal);
      const uint64_t nlist = Read<uint64_t>();
      Skip(8);  // nprobe
      if (nlist == 0 || nlist > (uint64_t{1} << 24)) throw BadLayout("bad IVF list count");
      Index(depth + 1);  // the quantizer
      const uint8_t direct_map = Read<uint8_t>();  // DirectMap::Type: none, array, hashtable
      if (direct_map > 2) throw BadLayout("bad direct map type");
      Vector(sizeof(int64_t));
      if (direct_map == 2) Vector(2 * sizeof(int64_t));  // hashtable pairs
      InvertedLists(nlist, static_cast<uint64_t>(d) * sizeof(float));
    } else if (kind == FourCC("IHNf")) {
      Header(&d, &ntotal);
      Vector(sizeof(double));   // assign_probas
      Vector(sizeof(int32_t));  // cum_nneighbor_per_level
      Vector(sizeof(int32_t));  // levels
      Vector(sizeof(uint64_t)); // offsets
      Vector(sizeof(int32_t));  // neighbors
      Skip(5 * sizeof(int32_t));  // entry_point, max_level, efConstruction, efSearch, upper_beam
      Index(depth + 1);           // the flat storage
    } else {
      throw BadLayout("not an index kind crossview writes");
    }
  }
  void InvertedLists(uint64_t ivf_nlist, uint64_t ivf_code_size) {
    if (Read<uint32_t>() != FourCC("ilar")) throw BadLayout("unsupported inverted lists");
    const uint64_t nlist = Read<uint64_t>();
    const uint64_t code_size = Read<uint64_t>();
    if (nlist != ivf_nlist || code_size != ivf_code_size) throw BadLayout("inverted lists do not match the index");
    std::vector<uint64_t> sizes(nlist, 0);
    const uint32_t list_type = Read<uint32_t>();
    if (list_type == FourCC("full")) {
      if (Read<uint64_t>() != nlist) throw BadLayout("list size table does not match the list count");
      for (uint64_t& n : sizes) n = Read<uint64_t>();
    } else if (list_type == FourCC("sprs")) {
      const uint64_t n = Read<uint64_t>();
      if (n % 2 != 0 || n > Left() / sizeof(uint64_t)) throw BadLayout("bad sparse list sizes");
      for (uint64_t i = 0; i < n; i += 2) {
        const uint64_t list = Read<uint64_t>();
        const uint64_t size = Read<uint64_t>();
        if (list >= nlist) throw BadLayout("bad sparse list sizes");
        sizes[list] = size;
      }
    } else {
      throw BadLayout("unsupported inverted list sizes");
    }
    for (uint64_t n : sizes) {
      if (n > Left() / (code_size + sizeof(int64_t))) throw BadLayout("an inverted list exceeds the file");
      Skip(n * (code_size + sizeof(int64_t)));  // codes, then ids
    }
  }

  const std::string& bytes_;
  size_t pos_ = 0;
};

// FAISS reads from the bytes that were checked.
struct StringReader : faiss::IOReader {
  explicit StringReader(const std::string& b) : bytes(b) {}
  size_t operator()(void* ptr, size_t size, size_t nitems) override {
    if (size == 0) return nitems;
    const size_t n = std::min(nitems, (bytes.size() - pos) / size);
    if (n > 0) std::memcpy(ptr, bytes.data() + pos, n * size);
    pos += n * size;
    return n;
  }
  const std::string& bytes;
  size_t pos = 0;
};

}  // namespace

std::unique_ptr<VectorIndex> VectorIndex::Load(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw CV_ERROR(NotFoundError, "index file not found").With("path", path.string());
  }
  const std::string bytes = ReadFile(path);
  const std::string layout_problem = FaissLayoutCheck(bytes).Run();
  if (!layout_problem.empty()) {
    throw CV_ERROR(IoError, "cannot read the index file (corrupt or not a crossview FAISS index): " + layout_problem)
        .With("path", path.string()).With("bytes", bytes.size()).Hint("rebuild it with 'crossview index build'");
  }
  faiss::Index* raw = nullptr;
  try {
    StringReader reader(bytes);
    reader.name = path.string();
    raw = faiss::read_index(&reader);
  } catch (const std::exception& e) {  // FaissException, or bad_alloc for a count the check let through
    throw CV_ERROR(IoError, "cannot read the index file (corrupt or not a FAISS index)")
        .With("path", path.string()).With("faiss", e.what()).Hint("rebuild it with 'crossview index build'");
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

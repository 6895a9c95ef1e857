#include "crossview/pipeline/tile_index.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <numeric>
#include <sstream>

#include "crossview/geo/distance.h"
#include "crossview/util/checksums.h"
#include "crossview/util/errors.h"

namespace crossview::pipeline {

namespace fs = std::filesystem;

void SearchPrior::Check() const {
  if (!std::isfinite(centre.lat_deg) || std::abs(centre.lat_deg) > 90.0 || !std::isfinite(centre.lon_deg) ||
      std::abs(centre.lon_deg) > 180.0) {
    throw CV_ERROR(InvalidArgumentError, "prior position is off the globe").With("lat", centre.lat_deg).With("lon", centre.lon_deg);
  }
  if (!(radius_m > 0.0) || !std::isfinite(radius_m)) throw CV_ERROR(InvalidArgumentError, "prior radius must be positive metres").With("radius_m", radius_m);
}

TileIndex::TileIndex(TileIndex&&) noexcept = default;
TileIndex& TileIndex::operator=(TileIndex&&) noexcept = default;
TileIndex::~TileIndex() = default;

TileIndex TileIndex::Open(const fs::path& dir, const OpenIndexOptions& options) {
  TileIndex t;
  t.dir_ = dir;
  t.manifest_ = ReadIndexManifest(dir);
  if (options.verify_checksums) {
    const fs::path sums = dir / kChecksumsFile;
    if (!fs::exists(sums)) throw CV_ERROR(NotFoundError, "index has no SHA256SUMS").With("path", dir.string()).Hint("rebuild the index");
    ChecksumReport report = VerifyChecksums(dir, sums);
    if (!report.ok()) {
      const ChecksumProblem& p = report.problems.front();
      throw CV_ERROR(IoError, "index file failed verification: " + p.path + " (" + p.reason + ")")
          .With("index", dir.string()).With("problems", report.problems.size())
          .Hint("the index is corrupt or was modified; rebuild it with 'crossview index build'");
    }
    t.checksummed_files_ = report.files_checked;
  }
  t.tiles_ = ReadTileTable(dir / kTilesFile);
  t.descriptors_ = ReadNpyFloat32(dir / kDescriptorsFile);
  t.faiss_ = index::VectorIndex::Load(dir / kFaissFile);
  const int64_t n = static_cast<int64_t>(t.tiles_.size());
  if (n == 0) throw CV_ERROR(InvalidArgumentError, "the index is empty (no tiles)").With("index", dir.string()).Hint("rebuild it from a map with valid data");
  if (t.descriptors_.rows != n || t.faiss_->size() != n || t.manifest_.count != n) {
    throw CV_ERROR(IoError, "index files disagree on the tile count").With("index", dir.string()).With("tiles", n)
        .With("descriptors", t.descriptors_.rows).With("faiss", t.faiss_->size()).With("manifest", t.manifest_.count);
  }
  if (t.descriptors_.cols != t.faiss_->dim() || t.descriptors_.cols != t.manifest_.dim) {
    throw CV_ERROR(IoError, "index files disagree on the descriptor length").With("index", dir.string())
        .With("descriptors", t.descriptors_.cols).With("faiss", t.faiss_->dim()).With("manifest", t.manifest_.dim);
  }
  return t;
}

const TileRecord& TileIndex::tile(int64_t id) const {
  if (id < 0 || id >= size()) throw CV_ERROR(InvalidArgumentError, "tile id out of range").With("id", id).With("tiles", size());
  return tiles_[static_cast<size_t>(id)];
}

std::vector<int64_t> TileIndex::TilesWithin(const SearchPrior& prior) const {
  prior.Check();
  std::vector<int64_t> ids;
  for (const TileRecord& t : tiles_) {
    if (geo::HaversineDistanceM(prior.centre, t.centre) <= prior.radius_m) ids.push_back(t.id);
  }
  return ids;
}

std::vector<TileHit> TileIndex::Search(const std::vector<float>& query, int64_t k, const std::optional<SearchPrior>& prior) const {
  if (static_cast<int64_t>(query.size()) != dim()) {
    throw CV_ERROR(InvalidArgumentError, "query descriptor has the wrong length").With("got", query.size()).With("index_dim", dim());
  }
  if (k < 1) throw CV_ERROR(InvalidArgumentError, "k must be at least 1").With("k", k);
  std::vector<TileHit> hits;
  if (!prior) {
    index::SearchParams sp;
    sp.k = std::min(k, size());
    index::SearchResult r = faiss_->Search(1, query.data(), sp);
    for (int64_t i = 0; i < r.k; ++i) {
      if (r.ids[static_cast<size_t>(i)] >= 0) hits.push_back({r.ids[static_cast<size_t>(i)], r.scores[static_cast<size_t>(i)]});
    }
    return hits;
  }
  for (int64_t id : TilesWithin(*prior)) {
    const float* row = descriptors_.values.data() + id * dim();
    // Double accumulation; FAISS's float result agrees to ~1e-6.
    double s = 0.0;
    for (int64_t j = 0; j < dim(); ++j) s += static_cast<double>(row[j]) * query[static_cast<size_t>(j)];
    hits.push_back({id, static_cast<float>(s)});
  }
  std::stable_sort(hits.begin(), hits.end(), [](const TileHit& a, const TileHit& b) { return a.score > b.score; });
  if (static_cast<int64_t>(hits.size()) > k) hits.resize(static_cast<size_t>(k));
  return hits;
}

nlohmann::json TileIndex::Info() const {
  const nlohmann::json& m = manifest_.json;
  nlohmann::json sizes = nlohmann::json::object();
  int64_t total = 0;
  for (const char* f : {kManifestFile, kFaissFile, kTilesFile, kDescriptorsFile, kChecksumsFile}) {
    std::error_code ec;
    const auto s = static_cast<int64_t>(fs::file_size(dir_ / f, ec));
    if (!ec) {
      sizes[f] = s;
      total += s;
    }
  }
  sizes["total"] = total;
  const nlohmann::json& map = m.at("map");
  nlohmann::json map_info = nlohmann::json::object();
  for (const char* key : {"path", "crs_name", "width_px", "height_px", "gsd_m", "georeference_source", "warped_north_up", "corners_wgs84",
                          "corners_own_datum", "lat_lon_operation", "sha256"}) {
    if (map.contains(key)) map_info[key] = map[key];
  }
  const nlohmann::json& model_json = m.at("model").at("model_json");
  return {{"path", fs::absolute(dir_).lexically_normal().string()},
          {"format_version", manifest_.format_version},
          {"crossview_version", m.value("crossview_version", "")},
          {"tiles", size()},
          {"dim", dim()},
          {"index_type", manifest_.index_type},
          {"tile_size_m", manifest_.tile_size_m},
          {"tile_size_source", m.at("tiling").value("tile_size_source", "")},
          {"stride_m", manifest_.stride_m},
          {"tile_px", m.at("tiling").at("tile_px")},
          {"tile_gsd_m", tiles_.front().gsd_m},
          {"bounds_wgs84", m.at("tiles").at("bounds_wgs84")},
          {"map", map_info},
          {"model", {{"dir", manifest_.model_dir}, {"model_pt_sha256", manifest_.model_pt_sha256},
                     {"method", model_json.contains("options") ? model_json["options"].value("method", "") : ""},
                     {"input_size", manifest_.input_size}}},
          {"size_on_disk_bytes", sizes},
          {"checksums", {{"verified", checksummed_files_ > 0}, {"files", checksummed_files_}}}};
}

std::string FormatBytes(int64_t bytes) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(1);
  if (bytes < 1024) {
    os << std::setprecision(0) << bytes << " B";
  } else if (bytes < 1024 * 1024) {
    os << bytes / 1024.0 << " KiB";
  } else if (bytes < 1024LL * 1024 * 1024) {
    os << bytes / (1024.0 * 1024.0) << " MiB";
  } else {
    os << bytes / (1024.0 * 1024.0 * 1024.0) << " GiB";
  }
  return os.str();
}

std::string FormatIndexInfo(const nlohmann::json& j) {
  std::ostringstream os;
  os << std::setprecision(10);
  const auto& b = j.at("bounds_wgs84");
  const auto& map = j.at("map");
  os << "index      " << j.at("path").get<std::string>() << "  (format " << j.at("format_version").get<int>() << ", checksums "
     << (j.at("checksums").at("verified").get<bool>() ? "verified" : "not checked") << ")\n";
  os << "tiles      " << j.at("tiles").get<int64_t>() << " x " << j.at("dim").get<int64_t>() << "-d descriptors, "
     << j.at("index_type").get<std::string>() << " index\n";
  os << std::setprecision(6) << "tile size  " << j.at("tile_size_m").get<double>() << " m (" << j.at("tile_size_source").get<std::string>()
     << "), stride " << j.at("stride_m").get<double>() << " m, " << j.at("tile_px")[0].get<int>() << "x" << j.at("tile_px")[1].get<int>()
     << " px at " << j.at("tile_gsd_m").get<double>() << " m/px\n";
  os << std::setprecision(10) << "extent     lat " << b.at("south_lat_deg").get<double>() << " .. " << b.at("north_lat_deg").get<double>()
     << ", lon " << b.at("west_lon_deg").get<double>() << " .. " << b.at("east_lon_deg").get<double>() << " (tile corners, WGS 84)\n";
  os << "map        " << map.value("path", "") << "  " << map.value("width_px", 0) << "x" << map.value("height_px", 0) << " px, "
     << map.value("crs_name", "") << ", georeference " << map.value("georeference_source", "")
     << (map.value("warped_north_up", false) ? " (warped north-up)" : "") << "\n";
  if (map.contains("corners_own_datum")) {
    const char* names[4] = {"upper left ", "upper right", "lower right", "lower left "};
    for (size_t i = 0; i < 4; ++i) {
      const auto& c = map["corners_own_datum"][i];
      const auto& w = map["corners_wgs84"][i];
      os << "  " << names[i] << "  " << c[0].get<double>() << ", " << c[1].get<double>() << " (own datum)   " << w[0].get<double>() << ", "
         << w[1].get<double>() << " (WGS 84)\n";
    }
  }
  const auto& model = j.at("model");
  os << "model      " << model.at("dir").get<std::string>() << "  (" << model.at("method").get<std::string>() << ", input "
     << model.at("input_size").get<int>() << " px, model.pt sha256 " << model.at("model_pt_sha256").get<std::string>().substr(0, 12) << "…)\n";
  os << "on disk    " << FormatBytes(j.at("size_on_disk_bytes").at("total").get<int64_t>()) << "\n";
  return os.str();
}

}  // namespace crossview::pipeline

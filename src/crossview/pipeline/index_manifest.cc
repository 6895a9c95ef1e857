#include "crossview/pipeline/index_manifest.h"

#include "crossview/util/errors.h"
#include "crossview/util/file.h"

namespace crossview::pipeline {

nlohmann::json LatLonBoxJson(const geo::LatLonBox& box) {
  return {{"west_lon_deg", box.west_lon_deg}, {"south_lat_deg", box.south_lat_deg}, {"east_lon_deg", box.east_lon_deg},
          {"north_lat_deg", box.north_lat_deg}};
}

IndexManifest ParseIndexManifest(const nlohmann::json& j, const std::string& source) {
  // Type-checked before any value() call: nlohmann's value() throws type_error on a field of
  // another type (e.g. "format": 99), which must be this clear error, not an internal one.
  const bool has_name = j.is_object() && j.contains("format") && j["format"].is_string();
  if (!has_name || j["format"].get<std::string>() != kIndexFormatName) {
    throw CV_ERROR(InvalidArgumentError, "not a crossview tile index manifest").With("path", source)
        .With("format", !j.is_object() ? std::string("<not an object>") : !j.contains("format") ? std::string("<missing>") : j["format"].dump());
  }
  IndexManifest m;
  m.json = j;
  if (j.contains("format_version") && !j["format_version"].is_number_integer()) {
    throw CV_ERROR(InvalidArgumentError, "index format_version is missing or invalid").With("path", source)
        .With("format_version", j["format_version"].dump());
  }
  m.format_version = j.value("format_version", 0);
  if (m.format_version > kIndexFormatVersion) {
    throw CV_ERROR(InvalidArgumentError, "the index was written by a newer crossview (format version " +
                                             std::to_string(m.format_version) + ", this build reads up to " +
                                             std::to_string(kIndexFormatVersion) + ")")
        .With("path", source)
        .Hint("upgrade crossview, or rebuild the index with this version ('crossview index build')");
  }
  if (m.format_version < 1) throw CV_ERROR(InvalidArgumentError, "index format_version is missing or invalid").With("path", source);
  try {
    const auto& model = j.at("model");
    m.model_dir = model.at("dir").get<std::string>();
    m.model_pt_sha256 = model.at("model_pt_sha256").get<std::string>();
    const auto& d = j.at("descriptor");
    m.input_size = d.at("input_size").get<int>();
    m.descriptor.flip_tta = d.at("flip_tta").get<bool>();
    m.descriptor.msba_global_weight = d.at("msba_global_weight").get<double>();
    m.descriptor.msba_global_only = d.at("msba_global_only").get<bool>();
    m.dim = d.at("dim").get<int64_t>();
    const auto& map = j.at("map");
    m.map_path = map.at("path").get<std::string>();
    m.map_sha256 = map.at("sha256").get<std::string>();
    m.georef = MapGeorefOptions::FromJson(map.at("georef_options"));
    m.bands = map.at("bands").get<std::vector<int>>();
    const auto gt = map.at("geotransform").get<std::vector<double>>();
    if (gt.size() != 6) throw CV_ERROR(InvalidArgumentError, "map.geotransform needs 6 numbers").With("path", source);
    std::copy(gt.begin(), gt.end(), m.geotransform.begin());
    m.map_width_px = map.at("width_px").get<int>();
    m.map_height_px = map.at("height_px").get<int>();
    const auto& tiling = j.at("tiling");
    m.tile_size_m = tiling.at("tile_size_m").get<double>();
    m.stride_m = tiling.at("stride_m").get<double>();
    const auto& index = j.at("index");
    m.index_type = index.at("type").get<std::string>();
    m.count = index.at("count").get<int64_t>();
  } catch (const nlohmann::json::exception& e) {
    throw CV_ERROR(InvalidArgumentError, "index manifest is incomplete or has a field of the wrong type").With("path", source).With("json", e.what());
  }
  return m;
}

IndexManifest ReadIndexManifest(const std::filesystem::path& dir) {
  const std::filesystem::path path = dir / kManifestFile;
  if (!std::filesystem::is_directory(dir)) {
    throw CV_ERROR(NotFoundError, "index directory not found").With("path", dir.string()).Hint("build one with 'crossview index build'");
  }
  if (!std::filesystem::exists(path)) {
    throw CV_ERROR(NotFoundError, "not a crossview index: no index.json").With("path", dir.string())
        .Hint("pass a directory written by 'crossview index build'");
  }
  const nlohmann::json j = nlohmann::json::parse(ReadFile(path), nullptr, false);
  if (j.is_discarded()) throw CV_ERROR(InvalidArgumentError, "index.json is not valid JSON").With("path", path.string());
  return ParseIndexManifest(j, path.string());
}

}  // namespace crossview::pipeline

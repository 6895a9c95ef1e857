#include "crossview/service/static_files.h"

#include "crossview/service/map_page.h"
#include "crossview/util/file.h"

namespace crossview::service {

namespace {

struct LeafletFile {
  const char* relative;  // below the Leaflet directory and below /static/leaflet/
  const char* content_type;
};

// Leaflet's script and style sheet, and the images its style sheet refers to (the default marker
// icon is found through leaflet.css, relative to it).
constexpr LeafletFile kLeafletFiles[] = {
    {"leaflet.js", "application/javascript; charset=utf-8"},
    {"leaflet.css", "text/css; charset=utf-8"},
    {"images/marker-icon.png", "image/png"},
    {"images/marker-icon-2x.png", "image/png"},
    {"images/marker-shadow.png", "image/png"},
    {"images/layers.png", "image/png"},
    {"images/layers-2x.png", "image/png"},
};

}  // namespace

StaticFiles StaticFiles::Load(const std::filesystem::path& leaflet_dir) {
  StaticFiles s;
  s.files_["/"] = {"text/html; charset=utf-8", std::string(MapPageHtml()), false};
  for (const LeafletFile& f : kLeafletFiles) {
    const std::filesystem::path path = leaflet_dir / f.relative;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      s.missing_.push_back(path.string());
      continue;
    }
    s.files_[std::string("/static/leaflet/") + f.relative] = {f.content_type, ReadFile(path), true};
  }
  return s;
}

const StaticFile* StaticFiles::Find(const std::string& url_path) const {
  const auto it = files_.find(url_path);
  return it == files_.end() ? nullptr : &it->second;
}

std::vector<std::string> StaticFiles::url_paths() const {
  std::vector<std::string> paths;
  for (const auto& [p, f] : files_) paths.push_back(p);
  return paths;
}

}  // namespace crossview::service

// The only files the service sends: the map page at "/" and a fixed list of Leaflet's files,
// read once at start-up from Debian's libjs-leaflet (/usr/share/javascript/leaflet). URL paths
// are looked up in this table verbatim; nothing else on disk is reachable from a request, so
// "/static/../../etc/passwd" and its encoded forms are simply unknown paths (404).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace crossview::service {

struct StaticFile {
  std::string content_type;
  std::string body;
  bool cacheable = false;  // Leaflet's files never change while the server runs
};

class StaticFiles {
 public:
  // The page, plus every whitelisted Leaflet file found in `leaflet_dir` (a missing one is
  // skipped and listed in missing(); the page then says Leaflet did not load).
  static StaticFiles Load(const std::filesystem::path& leaflet_dir);

  const StaticFile* Find(const std::string& url_path) const;
  // Whitelisted Leaflet files that were not found.
  const std::vector<std::string>& missing() const { return missing_; }
  std::vector<std::string> url_paths() const;

 private:
  std::map<std::string, StaticFile> files_;
  std::vector<std::string> missing_;
};

}  // namespace crossview::service

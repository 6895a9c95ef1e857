// Well-known locations.
#pragma once

#include <filesystem>
#include <string>

namespace crossview {

// The cache of real aerial imagery (lookup order: a --cache flag where a command has one, then
// $CROSSVIEW_DATA, else $XDG_CACHE_HOME/crossview/aerial, else ~/.cache/crossview/aerial.
std::filesystem::path AerialCacheDir();

// Finds a file shipped with crossview (e.g. "scripts/fetch-aerial-data.sh", "web/index.html"):
// under $CROSSVIEW_HOME, then next to the executable (../share/crossview/, ../../ for a build
// tree inside the checkout), then the source tree crossview was built from. Throws NotFoundError
// listing the places searched.
std::filesystem::path FindProjectFile(const std::string& relative);

}  // namespace crossview

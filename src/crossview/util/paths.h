// Well-known locations.
#pragma once

#include <filesystem>

namespace crossview {

// The cache of real aerial imagery fetched by `crossview data fetch` / scripts/fetch-aerial-data.sh:
// $CROSSVIEW_AERIAL_DIR, else $XDG_CACHE_HOME/crossview/aerial, else ~/.cache/crossview/aerial.
std::filesystem::path AerialCacheDir();

}  // namespace crossview

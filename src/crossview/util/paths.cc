#include "crossview/util/paths.h"

#include <cstdlib>

namespace crossview {

std::filesystem::path AerialCacheDir() {
  if (const char* d = std::getenv("CROSSVIEW_AERIAL_DIR"); d != nullptr && *d != '\0') return d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x != nullptr && *x != '\0') {
    return std::filesystem::path(x) / "crossview" / "aerial";
  }
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home != nullptr ? home : "/tmp") / ".cache" / "crossview" / "aerial";
}

}  // namespace crossview

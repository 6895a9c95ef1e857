#include "crossview/util/testing.h"

#include <cstdlib>
#include <cstring>

#include "crossview/util/paths.h"

#ifndef CROSSVIEW_SHARED_DIR
#define CROSSVIEW_SHARED_DIR "../shared"
#endif

namespace crossview::testing {

bool InCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && (std::strcmp(ci, "true") == 0 || std::strcmp(ci, "1") == 0);
}

std::filesystem::path AerialFile(const std::string& relative) { return AerialCacheDir() / relative; }

std::filesystem::path SharedFile(const std::string& relative) {
  if (const char* d = std::getenv("CROSSVIEW_SHARED_DIR"); d != nullptr && *d != '\0') {
    return std::filesystem::path(d) / relative;
  }
  return std::filesystem::path(CROSSVIEW_SHARED_DIR) / relative;
}

}  // namespace crossview::testing

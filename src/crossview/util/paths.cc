#include "crossview/util/paths.h"

#include <unistd.h>

#include <cstdlib>
#include <vector>

#include "crossview/util/errors.h"

namespace crossview {

std::filesystem::path AerialCacheDir() {
  if (const char* d = std::getenv("CROSSVIEW_DATA"); d != nullptr && *d != '\0') return d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x != nullptr && *x != '\0') {
    return std::filesystem::path(x) / "crossview" / "aerial";
  }
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home != nullptr ? home : "/tmp") / ".cache" / "crossview" / "aerial";
}

namespace {
std::filesystem::path ExecutableDir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : exe.parent_path();
}
}  // namespace

std::filesystem::path FindProjectFile(const std::string& relative) {
  std::vector<std::filesystem::path> roots;
  if (const char* h = std::getenv("CROSSVIEW_HOME"); h != nullptr && *h != '\0') roots.emplace_back(h);
  auto exe_dir = ExecutableDir();
  if (!exe_dir.empty()) {
    roots.push_back(exe_dir.parent_path() / "share" / "crossview");
    roots.push_back(exe_dir.parent_path().parent_path());
  }
#ifdef CROSSVIEW_SOURCE_DIR
  roots.emplace_back(CROSSVIEW_SOURCE_DIR);
#endif
  std::string searched;
  for (const auto& r : roots) {
    std::error_code ec;
    if (std::filesystem::exists(r / relative, ec)) return r / relative;
    searched += (searched.empty() ? "" : ", ") + r.string();
  }
  throw CV_ERROR(NotFoundError, "cannot find crossview's " + relative)
      .With("searched", searched)
      .Hint("set CROSSVIEW_HOME to the crossview checkout or install prefix");
}

}  // namespace crossview

// crossview data fetch|verify — the real aerial imagery cache.
#include <iostream>
#include <nlohmann/json.hpp>

#include "crossview/cli/command.h"
#include "crossview/cli/common_flags.h"
#include "crossview/util/checksums.h"
#include "crossview/util/errors.h"
#include "crossview/util/paths.h"
#include "crossview/util/process.h"

namespace crossview::cli {
namespace {

void Fetch(const std::string& cache, const std::string& sources, bool quiet) {
  std::vector<std::string> argv = {"bash", FindProjectFile("scripts/fetch-aerial-data.sh").string(), "--cache", cache};
  if (!sources.empty()) argv.insert(argv.end(), {"--sources", sources});
  if (quiet) argv.push_back("--quiet");
  int rc = RunProcess(argv);
  if (rc != 0) {
    throw CV_ERROR(IoError, "fetching the aerial imagery failed").With("exit_status", rc).With("cache", cache);
  }
}

void Verify(const std::string& cache, bool json) {
  std::filesystem::path sums = std::filesystem::path(cache) / "SHA256SUMS";
  if (!std::filesystem::exists(sums)) {
    throw CV_ERROR(NotFoundError, "no aerial imagery cache here").With("cache", cache).Hint("run 'crossview data fetch' first");
  }
  ChecksumReport r = VerifyChecksums(cache, sums);
  if (json) {
    nlohmann::json problems = nlohmann::json::array();
    for (const auto& p : r.problems) problems.push_back({{"path", p.path}, {"problem", p.reason}});
    std::cout << nlohmann::json{{"cache", cache}, {"files_checked", r.files_checked}, {"ok", r.ok()}, {"problems", problems}}.dump(2)
              << "\n";
  } else {
    std::cout << "aerial imagery cache " << cache << ": " << r.files_checked << " files checked, "
              << r.problems.size() << " problem(s)\n";
    for (const auto& p : r.problems) std::cout << "  " << p.path << ": " << p.reason << "\n";
  }
  if (!r.ok()) {
    throw CV_ERROR(IoError, "the aerial imagery cache is damaged").With("problems", r.problems.size()).Hint("run 'crossview data fetch' to repair it");
  }
}

}  // namespace

int RunData(int argc, char** argv) {
  CLI::App app("Fetch and verify the real aerial imagery (from Debian packages) that the tests, benchmarks and demo use.",
               "crossview data");
  app.require_subcommand(1);
  CommonFlags common;
  AddCommonFlags(app, &common);
  std::string cache = AerialCacheDir().string();
  std::string sources;
  bool json = false;
  CLI::App* fetch = app.add_subcommand("fetch", "download and verify the imagery into the cache (idempotent)");
  fetch->add_option("--cache", cache, "cache directory (default: $CROSSVIEW_DATA or ~/.cache/crossview/aerial)")->capture_default_str();
  fetch->add_option("--sources", sources, "subset of: flightgear rgdal opencv pywt stars leaflet (default all)");
  CLI::App* verify = app.add_subcommand("verify", "check every cached file against SHA256SUMS");
  verify->add_option("--cache", cache, "cache directory")->capture_default_str();
  verify->add_flag("--json", json, "machine-readable output");
  return RunCommand(app, argc, argv, [&] {
    common.Apply();
    if (fetch->parsed()) Fetch(cache, sources, common.quiet);
    if (verify->parsed()) Verify(cache, json);
  });
}

}  // namespace crossview::cli

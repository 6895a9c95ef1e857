#include "crossview/util/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <atomic>

#include "crossview/util/errors.h"

namespace crossview {
namespace {
std::atomic<bool> g_quiet{false};
}

spdlog::logger& Logger() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l = spdlog::stderr_color_mt("crossview");
    l->set_pattern("[%n] [%^%l%$] %v");
    l->set_level(spdlog::level::info);
    return l;
  }();
  return *logger;
}

void SetLogLevel(const std::string& level) {
  static const char* kNames[] = {"trace", "debug", "info", "warn", "error", "off"};
  static const spdlog::level::level_enum kLevels[] = {spdlog::level::trace, spdlog::level::debug,
                                                      spdlog::level::info,  spdlog::level::warn,
                                                      spdlog::level::err,   spdlog::level::off};
  for (int i = 0; i < 6; ++i) {
    if (level == kNames[i]) {
      Logger().set_level(kLevels[i]);
      return;
    }
  }
  throw CV_ERROR(InvalidArgumentError, "unknown log level '" + level + "'")
      .Hint("valid levels: trace, debug, info, warn, error, off");
}

void SetQuiet(bool quiet) {
  g_quiet = quiet;
  Logger().set_level(quiet ? spdlog::level::warn : spdlog::level::info);
}

bool IsQuiet() { return g_quiet; }

}  // namespace crossview

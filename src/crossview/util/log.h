// The one logging backend: spdlog, writing to stderr (stdout is kept for results).
//
//   CV_LOG_INFO("indexed {} tiles in {:.1f} s", n, seconds);
#pragma once

#include <spdlog/spdlog.h>

#include <string>

namespace crossview {

// The process-wide logger (stderr, "[crossview] [level] message").
spdlog::logger& Logger();

// Sets the level by name: trace, debug, info, warn, error, off. Throws InvalidArgumentError on
// an unknown name, listing the valid ones.
void SetLogLevel(const std::string& level);

// --quiet: only warnings and errors, and no progress bars.
void SetQuiet(bool quiet);
bool IsQuiet();

}  // namespace crossview

#define CV_LOG_DEBUG(...) ::crossview::Logger().debug(__VA_ARGS__)
#define CV_LOG_INFO(...) ::crossview::Logger().info(__VA_ARGS__)
#define CV_LOG_WARN(...) ::crossview::Logger().warn(__VA_ARGS__)
#define CV_LOG_ERROR(...) ::crossview::Logger().error(__VA_ARGS__)

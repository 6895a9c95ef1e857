#include "crossview/cli/common_flags.h"

#include "crossview/util/log.h"

namespace crossview::cli {

void CommonFlags::Apply() const {
  SetLogLevel(log_level);
  if (quiet) SetQuiet(true);
}

void AddCommonFlags(CLI::App& app, CommonFlags* flags) {
  app.add_flag("-q,--quiet", flags->quiet, "only warnings and errors; no progress bars");
  app.add_option("--log-level", flags->log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
}

void AddDeviceFlag(CLI::App& app, std::string* device) {
  app.add_option("--device", *device, "compute device: cpu, cuda, cuda:N or auto (CUDA when available)")
      ->capture_default_str();
}

}  // namespace crossview::cli

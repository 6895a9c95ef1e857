// Flags shared by subcommands, declared once so every command spells them the same way.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace crossview::cli {

struct CommonFlags {
  bool quiet = false;
  std::string log_level = "info";
  // Applies --quiet and --log-level to the process (call at the start of the command's body).
  void Apply() const;
};

// --quiet, --log-level
void AddCommonFlags(CLI::App& app, CommonFlags* flags);
// --device cpu|cuda|cuda:N|auto (default auto); validated when the command runs.
void AddDeviceFlag(CLI::App& app, std::string* device);

}  // namespace crossview::cli

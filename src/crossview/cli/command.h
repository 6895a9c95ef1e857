// The subcommand table and the one place CLI errors are translated into exit codes.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace crossview::cli {

struct Command {
  std::string name;
  std::string summary;
  // argv[0] is "crossview <name>"; returns the process exit status.
  std::function<int(int argc, char** argv)> run;
};

// Every subcommand, in the order `crossview help` lists them (defined in main.cc).
const std::vector<Command>& Commands();

// Exit statuses: 0 ok, 1 the command failed (bad input, I/O...), 2 usage error.
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// Parses argv into `app` and runs `body`. A bad flag prints one line plus usage (exit 2);
// --help prints help (exit 0); a crossview::Error from `body` prints one line "crossview NAME:
// error: ..." (exit 1; exit 2 for InvalidArgumentError raised while validating options).
int RunCommand(CLI::App& app, int argc, char** argv, const std::function<void()>& body);

// The usage block listing subcommands, used by `help` and for unknown commands.
std::string Usage();

}  // namespace crossview::cli

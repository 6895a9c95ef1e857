#include "crossview/cli/command.h"

#include <iostream>
#include <sstream>

#include "crossview/util/errors.h"

namespace crossview::cli {

std::string Usage() {
  std::ostringstream os;
  os << "usage: crossview <command> [options]\n\ncommands:\n";
  for (const auto& c : Commands()) {
    os << "  " << c.name << std::string(c.name.size() < 12 ? 12 - c.name.size() : 1, ' ') << c.summary << "\n";
  }
  os << "\n'crossview help <command>' or 'crossview <command> --help' shows a command's options.\n";
  return os.str();
}

int RunCommand(CLI::App& app, int argc, char** argv, const std::function<void()>& body) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    std::cout << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    std::cerr << app.get_name() << ": error: " << e.what() << "\n" << app.help();
    return kExitUsage;
  }
  try {
    body();
  } catch (const InvalidArgumentError& e) {
    std::cerr << app.get_name() << ": error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const Error& e) {
    std::cerr << app.get_name() << ": error: " << e.what() << "\n";
    return kExitFailure;
  } catch (const std::exception& e) {
    std::cerr << app.get_name() << ": internal error: " << e.what() << "\n";
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace crossview::cli

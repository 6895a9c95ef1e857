// crossview help [COMMAND]
#include <iostream>
#include <string>
#include <vector>

#include "crossview/cli/command.h"
#include "crossview/util/errors.h"

namespace crossview::cli {

int RunHelp(int argc, char** argv) {
  CLI::App app("List crossview's commands, or show the options of one.", "crossview help");
  std::string topic;
  app.add_option("command", topic, "a command to show the options of");
  return RunCommand(app, argc, argv, [&] {
    if (topic.empty()) {
      std::cout << "crossview: GPS-free localization of a drone by matching its camera view against\n"
                   "georeferenced satellite imagery.\n\n"
                << Usage();
      return;
    }
    for (const auto& c : Commands()) {
      if (c.name == topic) {
        std::string prog = "crossview " + c.name;
        std::string flag = "--help";
        std::vector<char*> args{prog.data(), flag.data()};
        c.run(2, args.data());
        return;
      }
    }
    throw CV_ERROR(InvalidArgumentError, "unknown command '" + topic + "'").Hint("run 'crossview help' for the list");
  });
}

}  // namespace crossview::cli

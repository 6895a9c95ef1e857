// crossview version [--json]
#include <iostream>

#include "crossview/cli/command.h"
#include "crossview/cli/common_flags.h"
#include "crossview/runtime/system_info.h"

namespace crossview::cli {

int RunVersion(int argc, char** argv) {
  CLI::App app("Print versions of crossview and its libraries, the BLAS in use, threads and CUDA.",
               "crossview version");
  bool json = false;
  app.add_flag("--json", json, "machine-readable output");
  return RunCommand(app, argc, argv, [&] {
    SystemInfo info = CollectSystemInfo();
    if (json) {
      std::cout << ToJson(info).dump(2) << "\n";
    } else {
      std::cout << FormatSystemInfo(info);
    }
  });
}

}  // namespace crossview::cli

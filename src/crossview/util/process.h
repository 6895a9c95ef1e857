// Running another program (no shell, so arguments need no quoting).
#pragma once

#include <string>
#include <vector>

namespace crossview {

// Runs argv[0] (searched on PATH) with the given arguments, inheriting stdin/stdout/stderr, and
// waits. Returns the exit status (128 + signal number when killed by a signal). Throws
// NotFoundError when the program cannot be started.
int RunProcess(const std::vector<std::string>& argv);

}  // namespace crossview

#include "crossview/util/process.h"

#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>

#include "crossview/util/errors.h"

extern char** environ;

namespace crossview {

int RunProcess(const std::vector<std::string>& argv) {
  if (argv.empty()) throw CV_ERROR(InvalidArgumentError, "RunProcess: empty command");
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid;
  int rc = posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ);
  if (rc != 0) {
    throw CV_ERROR(NotFoundError, "cannot start program: " + std::string(std::strerror(rc))).With("program", argv[0]);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw CV_ERROR(IoError, "waitpid failed").With("program", argv[0]);
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

}  // namespace crossview

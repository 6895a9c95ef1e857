// Verifying a directory against a `sha256sum`-style list ("<64 hex>  <relative path>" per line).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace crossview {

struct ChecksumProblem {
  std::string path;    // relative to the directory
  std::string reason;  // "missing", "SHA-256 mismatch (got ...)", "unreadable"
};

struct ChecksumReport {
  size_t files_checked = 0;
  std::vector<ChecksumProblem> problems;
  bool ok() const { return problems.empty(); }
};

// Parses `list_file` (sha256sum format) and checks every listed file under `dir`. Throws
// NotFoundError when the list is missing and InvalidArgumentError on a malformed line (naming the
// line number); per-file problems are reported, not thrown.
ChecksumReport VerifyChecksums(const std::filesystem::path& dir, const std::filesystem::path& list_file);

// Writes a sha256sum-format list of `relative_paths` (sorted) under `dir` to `list_file`, atomically.
void WriteChecksums(const std::filesystem::path& dir, std::vector<std::string> relative_paths,
                    const std::filesystem::path& list_file);

}  // namespace crossview

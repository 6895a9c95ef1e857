#include "crossview/util/checksums.h"

#include <algorithm>
#include <sstream>

#include "crossview/util/errors.h"
#include "crossview/util/file.h"
#include "crossview/util/sha256.h"

namespace crossview {

ChecksumReport VerifyChecksums(const std::filesystem::path& dir, const std::filesystem::path& list_file) {
  std::string text = ReadFile(list_file);
  std::istringstream lines(text);
  std::string line;
  ChecksumReport report;
  int line_no = 0;
  while (std::getline(lines, line)) {
    ++line_no;
    if (line.empty()) continue;
    // "<hash>  <path>" (text mode) or "<hash> *<path>" (binary mode).
    if (line.size() < 67 || line.find_first_not_of("0123456789abcdef") < 64 || line[64] != ' ' ||
        (line[65] != ' ' && line[65] != '*')) {
      throw CV_ERROR(InvalidArgumentError, "malformed checksum line")
          .With("file", list_file.string())
          .With("line", line_no)
          .Hint("expected '<64 lowercase hex>  <relative path>'");
    }
    std::string want = line.substr(0, 64);
    std::string rel = line.substr(66);
    // Only files inside `dir`: an absolute path or a '..' step would make the check read (and
    // report the digest of) any file on the machine.
    const std::filesystem::path rel_path(rel);
    const bool escapes = rel_path.is_absolute() || rel_path.has_root_name() ||
                         std::any_of(rel_path.begin(), rel_path.end(), [](const std::filesystem::path& c) { return c == ".."; });
    if (rel.empty() || escapes) {
      throw CV_ERROR(InvalidArgumentError, "checksum line names a path outside its directory")
          .With("file", list_file.string())
          .With("line", line_no)
          .With("path", rel)
          .Hint("checksum lists name files relative to their own directory; regenerate the list");
    }
    ++report.files_checked;
    std::error_code ec;
    std::filesystem::path p = dir / rel;
    if (!std::filesystem::is_regular_file(p, ec)) {
      report.problems.push_back({rel, "missing"});
      continue;
    }
    try {
      std::string got = Sha256File(p);
      if (got != want) report.problems.push_back({rel, "SHA-256 mismatch (got " + got + ", want " + want + ")"});
    } catch (const Error& e) {
      report.problems.push_back({rel, std::string("unreadable: ") + e.what()});
    }
  }
  return report;
}

void WriteChecksums(const std::filesystem::path& dir, std::vector<std::string> relative_paths,
                    const std::filesystem::path& list_file) {
  std::sort(relative_paths.begin(), relative_paths.end());
  std::string out;
  for (const auto& rel : relative_paths) out += Sha256File(dir / rel) + "  " + rel + "\n";
  WriteFileAtomic(list_file, out);
}

}  // namespace crossview

#include "crossview/util/file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "crossview/util/errors.h"

namespace crossview {
namespace {

std::string ErrnoText() { return std::strerror(errno); }

// A name beside `target` that no other writer (thread or process) will pick.
fs::path TempSibling(const fs::path& target) {
  static std::atomic<unsigned> counter{0};
  std::random_device rd;
  std::ostringstream name;
  name << "." << target.filename().string() << ".tmp." << ::getpid() << "." << counter++ << "."
       << std::hex << rd();
  return target.parent_path() / name.str();
}

void FsyncPath(const fs::path& path, bool directory) {
  int fd = ::open(path.c_str(), directory ? (O_RDONLY | O_DIRECTORY) : O_RDONLY);
  if (fd < 0) return;  // best effort for directories on filesystems that refuse it
  ::fsync(fd);
  ::close(fd);
}

void FsyncTree(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    for (const auto& entry : fs::recursive_directory_iterator(path, ec)) {
      FsyncPath(entry.path(), entry.is_directory());
    }
    FsyncPath(path, true);
  } else {
    FsyncPath(path, false);
  }
}

fs::path ParentOrDot(const fs::path& p) {
  return p.has_parent_path() ? p.parent_path() : fs::path(".");
}

}  // namespace

std::string ReadFile(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    throw CV_ERROR(NotFoundError, "file not found").With("path", path.string());
  }
  if (fs::is_directory(path, ec)) {
    throw CV_ERROR(InvalidArgumentError, "expected a file, got a directory").With("path", path.string());
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CV_ERROR(IoError, "cannot open file: " + ErrnoText()).With("path", path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw CV_ERROR(IoError, "error while reading file").With("path", path.string());
  return ss.str();
}

void EnsureDirectory(const fs::path& dir) {
  if (dir.empty()) return;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    throw CV_ERROR(IoError, "cannot create directory: " + (ec ? ec.message() : "a file is in the way"))
        .With("path", dir.string());
  }
}

AtomicPath::AtomicPath(fs::path target) : target_(std::move(target)), temp_(TempSibling(target_)) {
  EnsureDirectory(ParentOrDot(target_));
}

AtomicPath::~AtomicPath() {
  if (!committed_) {
    std::error_code ec;
    fs::remove_all(temp_, ec);
  }
}

void AtomicPath::Commit() {
  if (committed_) throw CV_ERROR(InternalError, "AtomicPath committed twice").With("path", target_.string());
  std::error_code ec;
  if (!fs::exists(temp_, ec)) {
    throw CV_ERROR(IoError, "nothing was written to the temporary file").With("path", target_.string());
  }
  FsyncTree(temp_);
  if (fs::is_directory(temp_) && fs::exists(target_)) {
    // rename(2) cannot replace a non-empty directory: move the old one aside first, then drop it.
    fs::path old = TempSibling(target_);
    fs::rename(target_, old, ec);
    if (ec) throw CV_ERROR(IoError, "cannot replace directory: " + ec.message()).With("path", target_.string());
    fs::rename(temp_, target_, ec);
    if (ec) {
      fs::rename(old, target_);
      throw CV_ERROR(IoError, "cannot rename into place: " + ec.message()).With("path", target_.string());
    }
    fs::remove_all(old, ec);
  } else {
    fs::rename(temp_, target_, ec);
    if (ec) throw CV_ERROR(IoError, "cannot rename into place: " + ec.message()).With("path", target_.string());
  }
  FsyncPath(ParentOrDot(target_), true);
  committed_ = true;
}

void WriteFileAtomic(const fs::path& path, const std::function<void(std::ostream&)>& writer) {
  AtomicPath out(path);
  {
    std::ofstream stream(out.temp_path(), std::ios::binary | std::ios::trunc);
    if (!stream) {
      throw CV_ERROR(IoError, "cannot create file: " + ErrnoText()).With("path", path.string());
    }
    writer(stream);
    stream.flush();
    if (!stream) throw CV_ERROR(IoError, "write failed (disk full?)").With("path", path.string());
  }
  out.Commit();
}

void WriteFileAtomic(const fs::path& path, const std::string& contents) {
  WriteFileAtomic(path, [&](std::ostream& os) { os.write(contents.data(), static_cast<std::streamsize>(contents.size())); });
}

TempDir::TempDir(const std::string& prefix) {
  const char* base = std::getenv("CROSSVIEW_TEST_TMP");
  fs::path root = base != nullptr ? fs::path(base) : fs::temp_directory_path();
  EnsureDirectory(root);
  std::string pattern = (root / (prefix + ".XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw CV_ERROR(IoError, "cannot create temporary directory: " + ErrnoText()).With("under", root.string());
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

}  // namespace crossview

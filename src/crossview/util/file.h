// File helpers. Every output crossview writes goes through an atomic write: the data is written
// to a temporary file beside the target, flushed to disk, then renamed over the target. A writer
// that fails (exception, crash, full disk) leaves the previous file untouched.
#pragma once

#include <filesystem>
#include <functional>
#include <ostream>
#include <string>

namespace crossview {

namespace fs = std::filesystem;

// Reads a whole file. Throws NotFoundError if it does not exist, IoError if it cannot be read.
std::string ReadFile(const fs::path& path);

// Writes `contents` to `path` atomically (temp + fsync + rename + directory fsync).
void WriteFileAtomic(const fs::path& path, const std::string& contents);

// Calls `writer` with a stream onto a temporary file, then renames it over `path`. If `writer`
// throws, the temporary file is removed, `path` keeps its old contents, and the exception
// propagates.
void WriteFileAtomic(const fs::path& path, const std::function<void(std::ostream&)>& writer);

// For writers that need a file name (OpenCV, GDAL, FAISS, SQLite): hands out a temporary path
// beside the target; Commit() renames it into place. Destroying it without Commit() removes the
// temporary, leaving the target as it was.
//
//   AtomicPath out(target);
//   cv::imwrite(out.temp_path().string(), image);
//   out.Commit();
class AtomicPath {
 public:
  explicit AtomicPath(fs::path target);
  ~AtomicPath();
  AtomicPath(const AtomicPath&) = delete;
  AtomicPath& operator=(const AtomicPath&) = delete;

  const fs::path& temp_path() const { return temp_; }
  const fs::path& target() const { return target_; }
  // fsyncs the temporary (file or directory tree), renames it over the target (replacing an
  // existing file; an existing directory target is replaced too) and fsyncs the parent.
  void Commit();

 private:
  fs::path target_;
  fs::path temp_;
  bool committed_ = false;
};

// Creates `dir` and its parents if needed; throws IoError naming the directory on failure.
void EnsureDirectory(const fs::path& dir);

// A unique temporary directory removed (recursively) on destruction; for tests and scratch work.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "crossview");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

}  // namespace crossview

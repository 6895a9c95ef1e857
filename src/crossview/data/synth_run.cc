#include "crossview/data/synth_run.h"

#include <fcntl.h>
#include <unistd.h>

#include <ctime>
#include <fstream>

#include "crossview/util/errors.h"
#include "crossview/util/paths.h"

namespace crossview::data {

namespace fs = std::filesystem;

fs::path CheckSynthOutputDir(const fs::path& out_dir, bool overwrite) {
  if (out_dir.empty()) throw CV_ERROR(InvalidArgumentError, "no output directory given").Hint("pass --out DIR");
  fs::path out = fs::absolute(out_dir).lexically_normal();
  if (!out.has_filename()) out = out.parent_path();
  std::error_code ec;
  if (fs::exists(out, ec)) {
    if (!fs::is_directory(out, ec)) {
      throw CV_ERROR(InvalidArgumentError, "--out exists and is not a directory").With("out", out.string());
    }
    if (!fs::is_empty(out, ec) && !overwrite) {
      throw CV_ERROR(InvalidArgumentError, "output directory exists and is not empty")
          .With("out", out.string())
          .Hint("choose another --out, or pass --overwrite to replace it once the new dataset is complete");
    }
  }
  return out;
}

fs::path CheckSynthOutputFile(const fs::path& out_file, bool overwrite) {
  if (out_file.empty()) throw CV_ERROR(InvalidArgumentError, "no output file given").Hint("pass --out FILE");
  const fs::path out = fs::absolute(out_file).lexically_normal();
  std::error_code ec;
  if (!out.has_filename() || fs::is_directory(out, ec)) {
    throw CV_ERROR(InvalidArgumentError, "--out must name a file, not a directory").With("out", out.string());
  }
  if (fs::exists(out, ec) && !overwrite) {
    throw CV_ERROR(InvalidArgumentError, "output file exists")
        .With("out", out.string())
        .Hint("choose another --out, or pass --overwrite to replace it once the new file is complete");
  }
  return out;
}

fs::path SynthCacheDir(const SynthRunOptions& run) { return run.cache_dir.empty() ? AerialCacheDir() : run.cache_dir; }

geo::TextureTable ReadCachedTextureTable(const fs::path& cache_dir) {
  const fs::path table = cache_dir / "flightgear" / "textures.tsv";
  if (!fs::exists(table)) {
    throw CV_ERROR(NotFoundError, "the FlightGear textures are not in the aerial imagery cache")
        .With("expected", table.string())
        .Hint("run 'crossview data fetch' first (or set CROSSVIEW_DATA), or pass --source with your own orthophoto");
  }
  return geo::ReadTextureTable(table);
}

void WriteSynthFile(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.flush();
  if (!out) throw CV_ERROR(IoError, "cannot write file (disk full?)").With("path", path.string());
}

void FlushFilesystem(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;  // the commit's own fsyncs still run
  ::syncfs(fd);
  ::close(fd);
}

std::string LocalTimeText() {
  const std::time_t now = std::time(nullptr);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S%z", std::localtime(&now));
  return buf;
}

}  // namespace crossview::data

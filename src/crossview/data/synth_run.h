// Run-time plumbing shared by the `crossview synth` generators (ir, drl, map): the output folder
// rules, the texture table from the aerial cache, raw file writes and the final flush. None of it
// changes a byte of a dataset.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "crossview/data/ir_options.h"
#include "crossview/geo/texture_georef.h"

namespace crossview::data {

// The output folder as an absolute path without a trailing separator. Throws
// InvalidArgumentError when none is given, when it is a file, or when it is a non-empty folder
// and `overwrite` is off (the message names --overwrite).
std::filesystem::path CheckSynthOutputDir(const std::filesystem::path& out_dir, bool overwrite);

// The same for a single output file (e.g. map.tif): refused when it exists unless `overwrite`,
// or when it is a directory.
std::filesystem::path CheckSynthOutputFile(const std::filesystem::path& out_file, bool overwrite);

// The cache folder of a run: run.cache_dir, else AerialCacheDir().
std::filesystem::path SynthCacheDir(const SynthRunOptions& run);

// flightgear/textures.tsv of the cache. Throws NotFoundError with a hint to run
// `crossview data fetch` (or to pass --source) when the textures are not there.
geo::TextureTable ReadCachedTextureTable(const std::filesystem::path& cache_dir);

// Writes `bytes` to `path` (no rename: the caller writes into a staging folder). Throws IoError.
void WriteSynthFile(const std::filesystem::path& path, const std::string& bytes);

// One syncfs(2) over the filesystem holding `dir`: writes back every file of a staging tree at
// once, so the per-file fsyncs of the commit that follows find nothing left to write.
void FlushFilesystem(const std::filesystem::path& dir);

// Local time as "2024-01-31T12:00:00+0100" (for .log files only).
std::string LocalTimeText();

using SynthClock = std::chrono::steady_clock;
inline double SecondsSince(SynthClock::time_point t0) {
  return std::chrono::duration<double>(SynthClock::now() - t0).count();
}

}  // namespace crossview::data

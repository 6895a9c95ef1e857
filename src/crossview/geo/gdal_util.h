// Internal GDAL plumbing shared by geo/ sources: one-time driver registration, a scope that
// keeps GDAL's messages off stderr and collects them for our exceptions, and dataset ownership.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

class GDALDataset;

namespace crossview::geo::internal {

// Registers all GDAL drivers once per process (thread-safe).
void EnsureGdalRegistered();

// While alive, GDAL errors and warnings raised on this thread are not printed; they are kept so
// that the caller can put them into an exception. Restores the previous handler on destruction.
class GdalErrorScope {
 public:
  GdalErrorScope();
  ~GdalErrorScope();
  GdalErrorScope(const GdalErrorScope&) = delete;
  GdalErrorScope& operator=(const GdalErrorScope&) = delete;

  // The messages collected so far, "; "-separated, or "(no GDAL message)".
  std::string messages() const;
  // True once GDAL has reported an error (CE_Failure or CE_Fatal), not just a warning.
  bool failed() const { return state_.failed; }

  struct State {
    std::string messages;
    bool failed = false;
  };

 private:
  State state_;
};

// A GDAL dataset closed with GDALClose when the last owner lets go.
using DatasetPtr = std::shared_ptr<GDALDataset>;
DatasetPtr AdoptDataset(GDALDataset* dataset);

// Opens a raster read-only. Throws NotFoundError if `path` does not exist and IoError if GDAL
// cannot read it as a raster (with GDAL's message).
DatasetPtr OpenRasterReadOnly(const std::filesystem::path& path);

}  // namespace crossview::geo::internal

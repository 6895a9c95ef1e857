#include "crossview/geo/gdal_util.h"

#include <cpl_error.h>
#include <gdal.h>
#include <gdal_priv.h>

#include <mutex>
#include <system_error>

#include "crossview/util/errors.h"

namespace crossview::geo::internal {

void EnsureGdalRegistered() {
  static std::once_flag once;
  std::call_once(once, [] { GDALAllRegister(); });
}

namespace {
void CPL_STDCALL CollectHandler(CPLErr level, CPLErrorNum /*number*/, const char* message) {
  auto* state = static_cast<GdalErrorScope::State*>(CPLGetErrorHandlerUserData());
  if (state == nullptr || level == CE_Debug) return;
  if (level == CE_Failure || level == CE_Fatal) state->failed = true;
  if (message == nullptr) return;
  if (!state->messages.empty()) state->messages += "; ";
  state->messages += message;
}
}  // namespace

GdalErrorScope::GdalErrorScope() { CPLPushErrorHandlerEx(CollectHandler, &state_); }

GdalErrorScope::~GdalErrorScope() { CPLPopErrorHandler(); }

std::string GdalErrorScope::messages() const {
  return state_.messages.empty() ? std::string("(no GDAL message)") : state_.messages;
}

DatasetPtr AdoptDataset(GDALDataset* dataset) {
  return DatasetPtr(dataset, [](GDALDataset* d) {
    if (d != nullptr) GDALClose(GDALDataset::ToHandle(d));
  });
}

DatasetPtr OpenRasterReadOnly(const std::filesystem::path& path) {
  EnsureGdalRegistered();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    throw CV_ERROR(NotFoundError, "raster file not found")
        .With("path", path.string())
        .Hint("check the path; fetched imagery lives in the aerial cache (crossview data fetch)");
  }
  if (std::filesystem::is_directory(path, ec)) {
    throw CV_ERROR(IoError, "expected a raster file, got a directory").With("path", path.string());
  }
  GdalErrorScope errors;
  GDALDatasetH handle = GDALOpenEx(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR,
                                   nullptr, nullptr, nullptr);
  if (handle == nullptr) {
    throw CV_ERROR(IoError, "GDAL cannot open the file as a raster")
        .With("path", path.string())
        .With("gdal", errors.messages())
        .Hint("is it an image or GeoTIFF? corrupt or truncated files fail here too");
  }
  return AdoptDataset(GDALDataset::FromHandle(handle));
}

}  // namespace crossview::geo::internal

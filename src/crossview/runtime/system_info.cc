#include "crossview/runtime/system_info.h"

#include <dlfcn.h>
#include <link.h>

#include <faiss/Index.h>
#include <gdal.h>

#include <filesystem>
#include <opencv2/core/version.hpp>
#include <sstream>
#include <thread>
#include <vector>

#include "crossview/runtime/device.h"
#include "crossview/version.h"

namespace crossview {
namespace {

int CollectObject(struct dl_phdr_info* info, size_t, void* data) {
  auto* names = static_cast<std::vector<std::string>*>(data);
  if (info->dlpi_name != nullptr && info->dlpi_name[0] != '\0') names->emplace_back(info->dlpi_name);
  return 0;
}

std::string RealPath(const std::string& p) {
  std::error_code ec;
  auto r = std::filesystem::canonical(p, ec);
  return ec ? p : r.string();
}

}  // namespace

BlasInfo DetectBlas() {
  std::vector<std::string> objects;
  dl_iterate_phdr(&CollectObject, &objects);
  BlasInfo info;
  info.name = "unknown";
  for (const auto& obj : objects) {
    std::string base = std::filesystem::path(obj).filename().string();
    if (base.rfind("libblas.so", 0) == 0 || base.rfind("libopenblas", 0) == 0 || base.rfind("libmkl_rt", 0) == 0) {
      info.path = RealPath(obj);
      if (base.rfind("libblas.so", 0) == 0) break;  // the one libtorch links by name wins
    }
  }
  // OpenBLAS exports openblas_get_config; libblas.so.3 from openblas-pthread pulls it in.
  using ConfigFn = const char* (*)();
  auto config = reinterpret_cast<ConfigFn>(dlsym(RTLD_DEFAULT, "openblas_get_config"));
  if (info.path.find("openblas") != std::string::npos ||
      (config != nullptr && info.path.find("/blas/") == std::string::npos && !info.path.empty())) {
    info.name = "OpenBLAS";
    if (config != nullptr) info.config = config();
  } else if (info.path.find("mkl") != std::string::npos) {
    info.name = "MKL";
  } else if (info.path.find("/blas/") != std::string::npos) {
    info.name = "reference BLAS";
  }
  return info;
}

SystemInfo CollectSystemInfo() {
  SystemInfo s;
  s.crossview_version = CROSSVIEW_VERSION;
  s.torch_version = TorchVersion();
  s.opencv_version = CV_VERSION;
  s.gdal_version = GDALVersionInfo("RELEASE_NAME");
  s.faiss_version = std::to_string(FAISS_VERSION_MAJOR) + "." + std::to_string(FAISS_VERSION_MINOR) + "." +
                    std::to_string(FAISS_VERSION_PATCH);
  s.blas = DetectBlas();
  s.intra_op_threads = IntraOpThreads();
  s.cuda_available = CudaAvailable();
  s.cuda_device_count = s.cuda_available ? CudaDeviceCount() : 0;
  s.auto_device = ResolveDevice(DeviceRequest{}).str();
  s.hardware_threads = static_cast<int>(std::thread::hardware_concurrency());
  return s;
}

nlohmann::json ToJson(const SystemInfo& s) {
  return {
      {"crossview", s.crossview_version},
      {"libtorch", s.torch_version},
      {"opencv", s.opencv_version},
      {"gdal", s.gdal_version},
      {"faiss", s.faiss_version},
      {"blas", {{"name", s.blas.name}, {"library", s.blas.path}, {"config", s.blas.config}}},
      {"intra_op_threads", s.intra_op_threads},
      {"hardware_threads", s.hardware_threads},
      {"cuda_available", s.cuda_available},
      {"cuda_device_count", s.cuda_device_count},
      {"auto_device", s.auto_device},
  };
}

std::string FormatSystemInfo(const SystemInfo& s) {
  std::ostringstream os;
  os << "crossview " << s.crossview_version << "\n"
     << "  libtorch          " << s.torch_version << "\n"
     << "  OpenCV            " << s.opencv_version << "\n"
     << "  GDAL              " << s.gdal_version << "\n"
     << "  FAISS             " << s.faiss_version << "\n"
     << "  BLAS              " << s.blas.name << (s.blas.path.empty() ? "" : " (" + s.blas.path + ")") << "\n";
  if (!s.blas.config.empty()) os << "  BLAS config       " << s.blas.config << "\n";
  os << "  intra-op threads  " << s.intra_op_threads << " (of " << s.hardware_threads << " hardware threads)\n"
     << "  CUDA              " << (s.cuda_available ? "available, " + std::to_string(s.cuda_device_count) + " device(s)" : "not available")
     << "\n"
     << "  --device auto     " << s.auto_device << "\n";
  if (s.blas.name == "reference BLAS") {
    os << "  WARNING: reference BLAS is about 13x slower for Linear-heavy models; run scripts/setup.sh\n";
  }
  return os.str();
}

}  // namespace crossview

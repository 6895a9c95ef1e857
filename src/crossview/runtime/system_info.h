// What this process runs on: versions of crossview and its libraries, the BLAS actually loaded,
// threads and CUDA. `crossview version` prints it; benchmarks record it beside their figures.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace crossview {

struct BlasInfo {
  std::string name;     // "OpenBLAS", "reference BLAS", "MKL", or "unknown"
  std::string path;     // the shared object the loader resolved libblas to, "" if none loaded
  std::string config;   // openblas_get_config() when OpenBLAS, else ""
  bool is_openblas() const { return name == "OpenBLAS"; }
};

struct SystemInfo {
  std::string crossview_version;
  std::string torch_version;
  std::string opencv_version;
  std::string gdal_version;
  std::string faiss_version;
  BlasInfo blas;
  int intra_op_threads = 0;
  bool cuda_available = false;
  int cuda_device_count = 0;
  std::string auto_device;  // what --device auto resolves to here
  int hardware_threads = 0;
};

// Inspects the running process's loaded shared objects for the BLAS in use.
BlasInfo DetectBlas();
SystemInfo CollectSystemInfo();
nlohmann::json ToJson(const SystemInfo& info);
// Human-readable, one "key: value" per line.
std::string FormatSystemInfo(const SystemInfo& info);

}  // namespace crossview

#include "crossview/runtime/device.h"

#include <torch/torch.h>
#include <torch/version.h>

#include <sched.h>

#include <algorithm>
#include <cstdlib>

#include "crossview/util/errors.h"

namespace crossview {

DeviceRequest ParseDevice(const std::string& text) {
  DeviceRequest r;
  if (text == "cpu") {
    r.choice = DeviceChoice::kCpu;
  } else if (text == "auto") {
    r.choice = DeviceChoice::kAuto;
  } else if (text == "cuda") {
    r.choice = DeviceChoice::kCuda;
  } else if (text.rfind("cuda:", 0) == 0 && text.size() > 5 &&
             text.find_first_not_of("0123456789", 5) == std::string::npos && text.size() < 9) {
    r.choice = DeviceChoice::kCuda;
    r.index = std::stoi(text.substr(5));
  } else {
    throw CV_ERROR(InvalidArgumentError, "unknown device '" + text + "'").Hint("valid devices: cpu, cuda, cuda:N, auto");
  }
  return r;
}

std::string ToString(const DeviceRequest& request) {
  switch (request.choice) {
    case DeviceChoice::kCpu: return "cpu";
    case DeviceChoice::kAuto: return "auto";
    case DeviceChoice::kCuda: return request.index >= 0 ? "cuda:" + std::to_string(request.index) : "cuda";
  }
  return "auto";
}

bool CudaAvailable() { return torch::cuda::is_available(); }
int CudaDeviceCount() { return static_cast<int>(torch::cuda::device_count()); }
int IntraOpThreads() { return at::get_num_threads(); }
void SetIntraOpThreads(int n) {
  if (n <= 0) throw CV_ERROR(InvalidArgumentError, "thread count must be positive").With("threads", n);
  at::set_num_threads(n);
}
std::string TorchVersion() { return TORCH_VERSION; }

int ConfigureThreads(int n) {
  if (n < 0) throw CV_ERROR(InvalidArgumentError, "thread count must be >= 0 (0 = automatic)").With("threads", n);
  if (n == 0) {
    const char* env = std::getenv("OMP_NUM_THREADS");
    if (env != nullptr && std::atoi(env) > 0) {
      n = std::atoi(env);
    } else {
      cpu_set_t set;
      CPU_ZERO(&set);
      n = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 1;
    }
  }
  at::set_num_threads(std::max(1, n));
  return IntraOpThreads();
}

c10::Device ResolveDevice(const DeviceRequest& request) {
  switch (request.choice) {
    case DeviceChoice::kCpu: return c10::Device(c10::kCPU);
    case DeviceChoice::kAuto:
      return CudaAvailable() ? c10::Device(c10::kCUDA, 0) : c10::Device(c10::kCPU);
    case DeviceChoice::kCuda: {
      if (!CudaAvailable()) {
        throw CV_ERROR(UnavailableError, "CUDA was requested but is not available")
            .With("libtorch", TorchVersion())
            .Hint("use --device cpu or auto, or install a CUDA build of libtorch");
      }
      int index = request.index < 0 ? 0 : request.index;
      if (index >= CudaDeviceCount()) {
        throw CV_ERROR(UnavailableError, "no such GPU").With("device", ToString(request)).With("gpus", CudaDeviceCount());
      }
      return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(index));
    }
  }
  return c10::Device(c10::kCPU);
}

c10::Device ResolveDevice(const std::string& text) { return ResolveDevice(ParseDevice(text)); }

}  // namespace crossview

// The compute device. Every compute command takes `--device cpu|cuda|auto`; `auto` picks CUDA
// when this libtorch was built with it and a GPU is visible, else the CPU.
#pragma once

#include <c10/core/Device.h>

#include <string>

namespace crossview {

enum class DeviceChoice { kCpu, kCuda, kAuto };

// "cpu", "cuda", "cuda:N" (a specific GPU) or "auto". Throws InvalidArgumentError otherwise.
struct DeviceRequest {
  DeviceChoice choice = DeviceChoice::kAuto;
  int index = -1;  // cuda:N
};
DeviceRequest ParseDevice(const std::string& text);
std::string ToString(const DeviceRequest& request);

// Resolves a request to a torch device. Asking for CUDA where none is available throws
// UnavailableError with a hint; `auto` never throws.
c10::Device ResolveDevice(const DeviceRequest& request);
c10::Device ResolveDevice(const std::string& text);

// Facts from libtorch, kept here so only this translation unit needs torch headers.
bool CudaAvailable();
int CudaDeviceCount();
int IntraOpThreads();
void SetIntraOpThreads(int n);
std::string TorchVersion();

// Sets libtorch's intra-op thread count. n > 0: exactly n. n == 0: OMP_NUM_THREADS when set,
// else the CPUs this process may run on. (Debian's libtorch starts with a single thread, which
// leaves half of a 2-core machine idle.) Returns the count in effect.
int ConfigureThreads(int n = 0);

}  // namespace crossview

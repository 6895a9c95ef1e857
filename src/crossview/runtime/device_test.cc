#include "crossview/runtime/device.h"

#include <gtest/gtest.h>
#include <sched.h>

#include <cstdlib>

#include "crossview/util/errors.h"

namespace crossview {
namespace {

TEST(DeviceTest, ParsesValidNames) {
  EXPECT_EQ(ParseDevice("cpu").choice, DeviceChoice::kCpu);
  EXPECT_EQ(ParseDevice("auto").choice, DeviceChoice::kAuto);
  EXPECT_EQ(ParseDevice("cuda").choice, DeviceChoice::kCuda);
  DeviceRequest r = ParseDevice("cuda:1");
  EXPECT_EQ(r.choice, DeviceChoice::kCuda);
  EXPECT_EQ(r.index, 1);
  EXPECT_EQ(ToString(r), "cuda:1");
  EXPECT_EQ(ToString(ParseDevice("auto")), "auto");
}

TEST(DeviceTest, RejectsUnknownNamesListingValidOnes) {
  for (const char* bad : {"gpu", "CPU", "cuda:", "cuda:x", "", "cuda:-1"}) {
    try {
      ParseDevice(bad);
      FAIL() << bad;
    } catch (const InvalidArgumentError& e) {
      EXPECT_NE(std::string(e.what()).find("cpu, cuda, cuda:N, auto"), std::string::npos);
    }
  }
}

TEST(DeviceTest, CpuAlwaysWorksAndAutoFollowsCudaAvailability) {
  EXPECT_EQ(ResolveDevice("cpu"), c10::Device(c10::kCPU));
  c10::Device a = ResolveDevice("auto");
  EXPECT_EQ(a.is_cuda(), CudaAvailable());
}

TEST(DeviceTest, CudaRequestWithoutGpuIsUnavailable) {
  if (CudaAvailable()) {
    EXPECT_TRUE(ResolveDevice("cuda").is_cuda());
    EXPECT_THROW(ResolveDevice("cuda:99"), UnavailableError);
  } else {
    EXPECT_THROW(ResolveDevice("cuda"), UnavailableError);
  }
}

TEST(DeviceTest, IntraOpThreadsCanBeSet) {
  int before = IntraOpThreads();
  SetIntraOpThreads(1);
  EXPECT_EQ(IntraOpThreads(), 1);
  SetIntraOpThreads(before);
  EXPECT_THROW(SetIntraOpThreads(0), InvalidArgumentError);
}

TEST(DeviceTest, ConfigureThreadsAutoUsesAllowedCpus) {
  int before = IntraOpThreads();
  EXPECT_EQ(ConfigureThreads(1), 1);
  cpu_set_t set;
  CPU_ZERO(&set);
  ASSERT_EQ(sched_getaffinity(0, sizeof(set), &set), 0);
  if (std::getenv("OMP_NUM_THREADS") == nullptr) {
    EXPECT_EQ(ConfigureThreads(0), CPU_COUNT(&set));
  }
  EXPECT_THROW(ConfigureThreads(-1), InvalidArgumentError);
  SetIntraOpThreads(before);
}

}  // namespace
}  // namespace crossview

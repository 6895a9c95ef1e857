#include "crossview/runtime/system_info.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace crossview {
namespace {

TEST(SystemInfoTest, ReportsVersionsOfLinkedLibraries) {
  SystemInfo s = CollectSystemInfo();
  EXPECT_FALSE(s.crossview_version.empty());
  EXPECT_EQ(s.torch_version.rfind("1.", 0) == 0 || s.torch_version.rfind("2.", 0) == 0, true) << s.torch_version;
  EXPECT_FALSE(s.opencv_version.empty());
  EXPECT_FALSE(s.gdal_version.empty());
  EXPECT_FALSE(s.faiss_version.empty());
  EXPECT_GE(s.intra_op_threads, 1);
  nlohmann::json j = ToJson(s);
  for (const char* key : {"crossview", "libtorch", "opencv", "gdal", "faiss", "blas", "intra_op_threads", "cuda_available"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(nlohmann::json::parse(j.dump()), j);
}

// setup.sh selects OpenBLAS; the loaded BLAS must be it (reference BLAS is ~13x slower).
TEST(SystemInfoTest, LoadedBlasIsOpenBlas) {
  BlasInfo b = DetectBlas();
  EXPECT_FALSE(b.path.empty()) << "libtorch should have loaded a BLAS";
  EXPECT_TRUE(b.is_openblas()) << b.name << " at " << b.path;
  EXPECT_NE(b.config.find("OpenBLAS"), std::string::npos) << b.config;
}

}  // namespace
}  // namespace crossview

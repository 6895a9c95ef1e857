// Test support. Tests that need fetched data or ../shared may skip when it is absent on a
// developer's machine, but never in CI (CI=true): there a missing fixture is a failure.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace crossview::testing {

bool InCi();

// Path of a file in the aerial cache (util/paths.h), e.g. AerialFile("rgdal/SP27GTIF.TIF").
std::filesystem::path AerialFile(const std::string& relative);
// Path of a file under ../shared beside the checkout, e.g. SharedFile("parity/msba_head/meta.json").
std::filesystem::path SharedFile(const std::string& relative);

}  // namespace crossview::testing

// Skips the test when `path` is missing, unless CI=true, where it fails.
#define CV_REQUIRE_FILE(file_path)                                                                        \
  do {                                                                                               \
    const std::filesystem::path cv_required_path_ = (file_path);                                     \
    if (!std::filesystem::exists(cv_required_path_)) {                                               \
      if (::crossview::testing::InCi()) {                                                            \
        FAIL() << "required test data missing in CI: " << cv_required_path_                          \
               << " (make test runs scripts/setup.sh, which fetches it)";                            \
      } else {                                                                                       \
        GTEST_SKIP() << "test data not present: " << cv_required_path_ << " (run scripts/setup.sh)"; \
      }                                                                                              \
    }                                                                                                \
  } while (0)

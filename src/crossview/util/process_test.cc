#include "crossview/util/process.h"

#include <gtest/gtest.h>

#include "crossview/util/errors.h"
#include "crossview/util/file.h"
#include "crossview/util/paths.h"

namespace crossview {
namespace {

TEST(ProcessTest, ReturnsExitStatusAndPassesArgumentsVerbatim) {
  EXPECT_EQ(RunProcess({"true"}), 0);
  EXPECT_EQ(RunProcess({"sh", "-c", "exit 7"}), 7);
  TempDir tmp;
  // An argument with spaces and quotes reaches the program unchanged (no shell in between).
  std::string arg = "a b 'c' \"d\"";
  EXPECT_EQ(RunProcess({"sh", "-c", "printf '%s' \"$1\" > \"$2\"", "sh", arg, (tmp.path() / "out").string()}), 0);
  EXPECT_EQ(ReadFile(tmp.path() / "out"), arg);
  EXPECT_THROW(RunProcess({"/nonexistent/program"}), NotFoundError);
}

TEST(PathsTest, FindsShippedScriptsAndNamesSearchedPlacesOtherwise) {
  EXPECT_TRUE(std::filesystem::exists(FindProjectFile("scripts/fetch-aerial-data.sh")));
  try {
    FindProjectFile("no/such/file");
    FAIL();
  } catch (const NotFoundError& e) {
    EXPECT_NE(std::string(e.what()).find("CROSSVIEW_HOME"), std::string::npos);
  }
}

}  // namespace
}  // namespace crossview

#include "crossview/util/progress.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace crossview {
namespace {

TEST(ProgressTest, FormatsHalfwayLine) {
  EXPECT_EQ(FormatProgressLine("indexing", 50, 100, 5.0, 20),
            "indexing [##########----------]  50/100  50% 00:05<00:05 10.0 it/s");
}

TEST(ProgressTest, FormatsStartAndEnd) {
  EXPECT_EQ(FormatProgressLine("x", 0, 8, 0.0, 4), "x [----] 0/8   0% 00:00<--:-- 0.0 it/s");
  EXPECT_EQ(FormatProgressLine("x", 8, 8, 4.0, 4), "x [####] 8/8 100% 00:04<00:00 2.0 it/s");
}

TEST(ProgressTest, UnknownTotalShowsCountAndRate) {
  EXPECT_EQ(FormatProgressLine("", 30, 0, 3.0), "30 00:03 10.0 it/s");
}

TEST(ProgressTest, Durations) {
  EXPECT_EQ(FormatDuration(0), "00:00");
  EXPECT_EQ(FormatDuration(59.4), "00:59");
  EXPECT_EQ(FormatDuration(3725), "1:02:05");
  EXPECT_EQ(FormatDuration(-1), "--:--");
  EXPECT_EQ(FormatDuration(1.0 / 0.0), "--:--");
}

TEST(ProgressTest, DrawsOnlyWhenEnabled) {
  char buf[512] = {0};
  FILE* f = fmemopen(buf, sizeof(buf), "w");
  ASSERT_NE(f, nullptr);
  {
    ProgressBar::Options o;
    o.force_enabled = true;
    o.stream = f;
    o.min_interval_s = 0;
    ProgressBar bar(4, "t", o);
    bar.Add(2);
    bar.Add(2);
    bar.Finish();
  }
  std::fclose(f);
  std::string out(buf);
  EXPECT_NE(out.find("\rt [###############---------------] 2/4  50%"), std::string::npos) << out;
  EXPECT_NE(out.find("4/4 100%"), std::string::npos) << out;
  EXPECT_EQ(out.back(), '\n');

  char buf2[64] = {0};
  FILE* g = fmemopen(buf2, sizeof(buf2), "w");
  {
    ProgressBar::Options o;
    o.enabled_auto = false;
    o.stream = g;
    ProgressBar bar(4, "t", o);
    bar.Add(4);
    EXPECT_FALSE(bar.enabled());
  }
  std::fclose(g);
  EXPECT_STREQ(buf2, "");
}

}  // namespace
}  // namespace crossview

#include "crossview/util/file.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "crossview/util/errors.h"

namespace crossview {
namespace {

size_t CountEntries(const fs::path& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

TEST(FileTest, WriteThenReadRoundTrip) {
  TempDir tmp;
  fs::path p = tmp.path() / "sub" / "a.bin";
  std::string data("abc\0def\n", 8);
  WriteFileAtomic(p, data);
  EXPECT_EQ(ReadFile(p), data);
  WriteFileAtomic(p, std::string("new"));
  EXPECT_EQ(ReadFile(p), "new");
  EXPECT_EQ(CountEntries(p.parent_path()), 1u) << "temporary files must not be left behind";
}

TEST(FileTest, FailingWriterLeavesOldFileIntact) {
  TempDir tmp;
  fs::path p = tmp.path() / "result.json";
  WriteFileAtomic(p, std::string("{\"old\": true}"));
  EXPECT_THROW(WriteFileAtomic(p,
                               [](std::ostream& os) {
                                 os << "{\"new\": tr";  // half-written
                                 throw std::runtime_error("writer died");
                               }),
               std::runtime_error);
  EXPECT_EQ(ReadFile(p), "{\"old\": true}");
  EXPECT_EQ(CountEntries(tmp.path()), 1u) << "the temporary file must be removed";
}

TEST(FileTest, AtomicPathWithoutCommitLeavesTargetAndCleansUp) {
  TempDir tmp;
  fs::path p = tmp.path() / "img.png";
  WriteFileAtomic(p, std::string("old"));
  {
    AtomicPath out(p);
    WriteFileAtomic(out.temp_path(), std::string("partial"));
    EXPECT_TRUE(fs::exists(out.temp_path()));
  }
  EXPECT_EQ(ReadFile(p), "old");
  EXPECT_EQ(CountEntries(tmp.path()), 1u);
  {
    AtomicPath out(p);
    WriteFileAtomic(out.temp_path(), std::string("complete"));
    out.Commit();
  }
  EXPECT_EQ(ReadFile(p), "complete");
}

TEST(FileTest, AtomicPathReplacesDirectories) {
  TempDir tmp;
  fs::path idx = tmp.path() / "index";
  {
    AtomicPath out(idx);
    EnsureDirectory(out.temp_path());
    WriteFileAtomic(out.temp_path() / "v1", std::string("1"));
    out.Commit();
  }
  {
    AtomicPath out(idx);
    EnsureDirectory(out.temp_path());
    WriteFileAtomic(out.temp_path() / "v2", std::string("2"));
    out.Commit();
  }
  EXPECT_FALSE(fs::exists(idx / "v1"));
  EXPECT_EQ(ReadFile(idx / "v2"), "2");
  EXPECT_EQ(CountEntries(tmp.path()), 1u);
}

TEST(FileTest, MissingFileIsNotFoundNamingThePath) {
  TempDir tmp;
  try {
    ReadFile(tmp.path() / "nope.tif");
    FAIL();
  } catch (const NotFoundError& e) {
    EXPECT_NE(std::string(e.what()).find("nope.tif"), std::string::npos);
  }
  EXPECT_THROW(ReadFile(tmp.path()), InvalidArgumentError);
}

TEST(FileTest, EnsureDirectoryFailsWhenAFileIsInTheWay) {
  TempDir tmp;
  WriteFileAtomic(tmp.path() / "f", std::string("x"));
  EXPECT_THROW(EnsureDirectory(tmp.path() / "f" / "sub"), IoError);
}

}  // namespace
}  // namespace crossview

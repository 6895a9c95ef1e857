#include "crossview/util/checksums.h"

#include <gtest/gtest.h>

#include "crossview/util/errors.h"
#include "crossview/util/file.h"

namespace crossview {
namespace {

TEST(ChecksumsTest, RoundTripThenDetectsMismatchAndMissing) {
  TempDir tmp;
  WriteFileAtomic(tmp.path() / "a.txt", std::string("alpha"));
  WriteFileAtomic(tmp.path() / "sub" / "b.bin", std::string("beta"));
  WriteChecksums(tmp.path(), {"sub/b.bin", "a.txt"}, tmp.path() / "SHA256SUMS");
  ChecksumReport ok = VerifyChecksums(tmp.path(), tmp.path() / "SHA256SUMS");
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(ok.files_checked, 2u);

  WriteFileAtomic(tmp.path() / "a.txt", std::string("alphA"));
  std::filesystem::remove(tmp.path() / "sub" / "b.bin");
  ChecksumReport bad = VerifyChecksums(tmp.path(), tmp.path() / "SHA256SUMS");
  ASSERT_EQ(bad.problems.size(), 2u);
  EXPECT_EQ(bad.problems[0].path, "a.txt");
  EXPECT_EQ(bad.problems[0].reason.rfind("SHA-256 mismatch", 0), 0u);
  EXPECT_EQ(bad.problems[1].path, "sub/b.bin");
  EXPECT_EQ(bad.problems[1].reason, "missing");
}

TEST(ChecksumsTest, FormatIsSha256sumCompatible) {
  TempDir tmp;
  WriteFileAtomic(tmp.path() / "abc", std::string("abc"));
  WriteChecksums(tmp.path(), {"abc"}, tmp.path() / "SUMS");
  EXPECT_EQ(ReadFile(tmp.path() / "SUMS"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  abc\n");
}

TEST(ChecksumsTest, MalformedLineNamesTheLine) {
  TempDir tmp;
  WriteFileAtomic(tmp.path() / "SUMS", std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  abc\nnot a line\n"));
  try {
    VerifyChecksums(tmp.path(), tmp.path() / "SUMS");
    FAIL();
  } catch (const InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("line=2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(VerifyChecksums(tmp.path(), tmp.path() / "missing"), NotFoundError);
}

TEST(ChecksumsTest, PathsOutsideTheDirectoryAreRefused) {
  TempDir tmp;
  std::filesystem::create_directories(tmp.path() / "sub");
  WriteFileAtomic(tmp.path() / "sub" / "abc", "abc");
  WriteFileAtomic(tmp.path() / "secret", "abc");
  const std::string hash = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";  // SHA-256("abc")
  WriteFileAtomic(tmp.path() / "sub" / "SUMS", hash + "  abc\n");
  EXPECT_TRUE(VerifyChecksums(tmp.path() / "sub", tmp.path() / "sub" / "SUMS").ok());
  for (const std::string& bad : {std::string("../secret"), (tmp.path() / "secret").string(), std::string("a/../../secret")}) {
    SCOPED_TRACE(bad);
    WriteFileAtomic(tmp.path() / "sub" / "SUMS", hash + "  abc\n" + hash + "  " + bad + "\n");
    try {
      VerifyChecksums(tmp.path() / "sub", tmp.path() / "sub" / "SUMS");
      ADD_FAILURE() << "a path outside the directory was checked";
    } catch (const InvalidArgumentError& e) {
      EXPECT_NE(std::string(e.what()).find("outside its directory"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("line=2"), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find(hash + ")"), std::string::npos) << "no digest of the outside file";
    }
  }
}

}  // namespace
}  // namespace crossview

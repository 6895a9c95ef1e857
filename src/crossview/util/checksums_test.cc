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

}  // namespace
}  // namespace crossview

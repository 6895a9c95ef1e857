#include "crossview/util/sha256.h"

#include <gtest/gtest.h>

#include "crossview/util/errors.h"
#include "crossview/util/file.h"

namespace crossview {
namespace {

TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256Test, MillionAInUnevenChunks) {
  Sha256 h;
  std::string chunk(997, 'a');
  size_t left = 1000000;
  while (left > 0) {
    size_t n = std::min(left, chunk.size());
    h.Update(chunk.data(), n);
    left -= n;
  }
  EXPECT_EQ(h.HexDigest(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256Test, FileMatchesStringAndMissingFileIsNotFound) {
  TempDir tmp;
  std::string data(100000, '\x7f');
  WriteFileAtomic(tmp.path() / "f", data);
  EXPECT_EQ(Sha256File(tmp.path() / "f"), Sha256Hex(data));
  EXPECT_THROW(Sha256File(tmp.path() / "none"), NotFoundError);
}

}  // namespace
}  // namespace crossview

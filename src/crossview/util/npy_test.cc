#include "crossview/util/npy.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "crossview/util/errors.h"
#include "crossview/util/file.h"

namespace crossview {
namespace {

TEST(NpyTest, RoundTripsExactlyWithA64ByteAlignedHeader) {
  TempDir tmp;
  FloatMatrix m{3, 5, {}};
  for (int i = 0; i < 15; ++i) m.values.push_back(static_cast<float>(i) * 0.37f - 2.0f);
  WriteNpyFloat32(tmp.path() / "a.npy", m);
  const std::string bytes = ReadFile(tmp.path() / "a.npy");
  EXPECT_EQ(bytes.substr(0, 6), "\x93NUMPY");
  EXPECT_EQ((bytes.size() - 15 * 4) % 64, 0u);
  EXPECT_NE(bytes.find("'shape': (3, 5)"), std::string::npos);
  const FloatMatrix r = ReadNpyFloat32(tmp.path() / "a.npy");
  EXPECT_EQ(r.rows, 3);
  EXPECT_EQ(r.cols, 5);
  EXPECT_EQ(r.values, m.values);
}

TEST(NpyTest, ZeroRowsRoundTrip) {
  TempDir tmp;
  WriteNpyFloat32(tmp.path() / "e.npy", nullptr, 0, 16);
  const FloatMatrix r = ReadNpyFloat32(tmp.path() / "e.npy");
  EXPECT_EQ(r.rows, 0);
  EXPECT_EQ(r.cols, 16);
}

TEST(NpyTest, TruncatedAndForeignFilesAreIoErrorsNamingTheFile) {
  TempDir tmp;
  std::vector<float> v(8, 1.0f);
  WriteNpyFloat32(tmp.path() / "t.npy", v.data(), 2, 4);
  std::string bytes = ReadFile(tmp.path() / "t.npy");
  WriteFileAtomic(tmp.path() / "t.npy", bytes.substr(0, bytes.size() - 3));
  try {
    ReadNpyFloat32(tmp.path() / "t.npy");
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("t.npy"), std::string::npos) << e.what();
  }
  WriteFileAtomic(tmp.path() / "x.npy", "hello world, not numpy");
  EXPECT_THROW(ReadNpyFloat32(tmp.path() / "x.npy"), IoError);
  std::string f64 = bytes;
  f64.replace(f64.find("<f4"), 3, "<f8");
  WriteFileAtomic(tmp.path() / "d.npy", f64);
  EXPECT_THROW(ReadNpyFloat32(tmp.path() / "d.npy"), IoError);
  EXPECT_THROW(ReadNpyFloat32(tmp.path() / "missing.npy"), NotFoundError);
}

TEST(NpyTest, AnyRankAndInt64RoundTripWithNumpyShapeSyntax) {
  TempDir tmp;
  std::vector<float> f(24);
  for (size_t i = 0; i < f.size(); ++i) f[i] = static_cast<float>(i) - 3.5f;
  WriteNpy(tmp.path() / "f.npy", NpyType::kFloat32, {2, 3, 4}, f.data());
  NpyArray a = ReadNpy(tmp.path() / "f.npy");
  EXPECT_EQ(a.type, NpyType::kFloat32);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3, 4}));
  ASSERT_EQ(a.bytes.size(), 24u * 4u);
  EXPECT_EQ(std::memcmp(a.bytes.data(), f.data(), a.bytes.size()), 0);
  std::vector<int64_t> labels = {7, -1, 1LL << 40};
  WriteNpy(tmp.path() / "l.npy", NpyType::kInt64, {3}, labels.data());
  // NumPy writes a 1-D shape as "(3,)" and a scalar as "()".
  EXPECT_NE(ReadFile(tmp.path() / "l.npy").find("'descr': '<i8', 'fortran_order': False, 'shape': (3,), }"), std::string::npos);
  NpyArray b = ReadNpy(tmp.path() / "l.npy");
  EXPECT_EQ(b.type, NpyType::kInt64);
  EXPECT_EQ(b.shape, (std::vector<int64_t>{3}));
  EXPECT_EQ(std::memcmp(b.bytes.data(), labels.data(), 24), 0);
  float one = 1.25f;
  WriteNpy(tmp.path() / "s.npy", NpyType::kFloat32, {}, &one);
  EXPECT_TRUE(ReadNpy(tmp.path() / "s.npy").shape.empty());
  EXPECT_EQ(ReadNpy(tmp.path() / "s.npy").numel(), 1);
  // A 3-D file is not a matrix.
  EXPECT_THROW(ReadNpyFloat32(tmp.path() / "f.npy"), IoError);
}

}  // namespace
}  // namespace crossview

#include "crossview/util/random.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

namespace crossview {
namespace {

TEST(RandomTest, SameSeedSameSequence) {
  Rng a(123), b(123), c(124);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    double x = a.Uniform01();
    EXPECT_EQ(x, b.Uniform01());
    differs |= (x != c.Uniform01());
  }
  EXPECT_TRUE(differs);
}

TEST(RandomTest, PinnedValuesAreStableAcrossPlatforms) {
  // The engine is std::mt19937_64 seeded with MixSeed(seed); both are fully specified, so these
  // values must never change (datasets and training runs depend on them).
  EXPECT_EQ(MixSeed(0), 0xe220a8397b1dcdafULL);
  Rng r(42);
  std::mt19937_64 ref(MixSeed(42));
  EXPECT_EQ(r.NextU64(), ref());
  EXPECT_EQ(r.Uniform01(), static_cast<double>(ref() >> 11) * 0x1.0p-53);
}

TEST(RandomTest, ForkIsIndependentOfDrawCount) {
  Rng a(7), b(7);
  for (int i = 0; i < 10; ++i) b.NextU64();
  EXPECT_EQ(a.Fork(3).NextU64(), b.Fork(3).NextU64());
  EXPECT_EQ(a.Fork("tile-0001").NextU64(), b.Fork("tile-0001").NextU64());
  EXPECT_NE(a.Fork(3).NextU64(), a.Fork(4).NextU64());
}

TEST(RandomTest, UniformIntCoversRangeInclusive) {
  Rng r(1);
  std::vector<int> counts(5, 0);
  for (int i = 0; i < 5000; ++i) {
    int64_t v = r.UniformInt(-2, 2);
    ASSERT_GE(v, -2);
    ASSERT_LE(v, 2);
    counts[v + 2]++;
  }
  for (int c : counts) EXPECT_NEAR(c, 1000, 150);
  EXPECT_EQ(r.UniformInt(5, 5), 5);
  EXPECT_ANY_THROW(r.UniformInt(3, 2));
}

TEST(RandomTest, NormalHasUnitMoments) {
  Rng r(9);
  const int n = 20000;
  double sum = 0, sq = 0;
  for (int i = 0; i < n; ++i) {
    double x = r.Normal();
    sum += x;
    sq += x * x;
  }
  EXPECT_NEAR(sum / n, 0.0, 0.03);
  EXPECT_NEAR(sq / n, 1.0, 0.05);
}

TEST(RandomTest, ShuffleIsAPermutationAndReproducible) {
  std::vector<int> v(50), w;
  std::iota(v.begin(), v.end(), 0);
  w = v;
  Rng a(5), b(5);
  a.Shuffle(v);
  b.Shuffle(w);
  EXPECT_EQ(v, w);
  std::vector<int> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < 50; ++i) EXPECT_EQ(sorted[i], i);
  EXPECT_NE(v[0] + v[1] * 100, 0 + 100);  // not the identity (fixed seed)
}

}  // namespace
}  // namespace crossview

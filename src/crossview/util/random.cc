#include "crossview/util/random.h"

#include <cmath>

#include "crossview/util/errors.h"

namespace crossview {

uint64_t MixSeed(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

Rng Rng::Fork(const std::string& stream) const {
  // FNV-1a over the bytes: stable across platforms, unlike std::hash.
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : stream) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return Fork(h);
}

int64_t Rng::UniformInt(int64_t lo, int64_t hi) {
  if (hi < lo) {
    throw CV_ERROR(InvalidArgumentError, "UniformInt: empty range").With("lo", lo).With("hi", hi);
  }
  uint64_t range = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
  if (range == UINT64_MAX) return static_cast<int64_t>(engine_());
  uint64_t n = range + 1;
  // Rejection sampling: discard the top partial block so every value is equally likely.
  uint64_t limit = UINT64_MAX - (UINT64_MAX % n + 1) % n;
  uint64_t x;
  do {
    x = engine_();
  } while (x > limit);
  return lo + static_cast<int64_t>(x % n);
}

double Rng::Normal(double mean, double stddev) {
  if (has_spare_) {
    has_spare_ = false;
    return mean + stddev * spare_;
  }
  double u1;
  do {
    u1 = Uniform01();
  } while (u1 <= 0.0);
  double u2 = Uniform01();
  double r = std::sqrt(-2.0 * std::log(u1));
  double theta = 2.0 * M_PI * u2;
  spare_ = r * std::sin(theta);
  has_spare_ = true;
  return mean + stddev * r * std::cos(theta);
}

}  // namespace crossview

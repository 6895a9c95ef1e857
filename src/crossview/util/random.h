// A seeded random number generator with platform-independent distributions.
//
// std::mt19937_64's output is fixed by the C++ standard, but std::uniform_real_distribution and
// friends are not, so the same seed could give different data on another standard library. Rng
// implements its distributions itself: a seed gives the same numbers everywhere.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace crossview {

// SplitMix64 step: a good 64-bit mixer for deriving seeds.
uint64_t MixSeed(uint64_t x);

class Rng {
 public:
  explicit Rng(uint64_t seed) : seed_(seed), engine_(MixSeed(seed)) {}

  uint64_t seed() const { return seed_; }
  // A child generator for an independent stream (e.g. one per image or per worker), derived
  // from this generator's seed and `stream` only, not from how many numbers were drawn.
  Rng Fork(uint64_t stream) const { return Rng(MixSeed(seed_ ^ MixSeed(stream + 0x9e3779b97f4a7c15ULL))); }
  Rng Fork(const std::string& stream) const;

  uint64_t NextU64() { return engine_(); }
  // Uniform in [0, 1) with 53 random bits.
  double Uniform01() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  // Uniform in [lo, hi).
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform01(); }
  // Uniform integer in [lo, hi] (inclusive), unbiased.
  int64_t UniformInt(int64_t lo, int64_t hi);
  // Standard normal via Box-Muller (one value per call; the pair's second value is cached).
  double Normal(double mean = 0.0, double stddev = 1.0);
  bool Bernoulli(double p) { return Uniform01() < p; }

  template <typename T>
  void Shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) {
      auto j = static_cast<size_t>(UniformInt(0, static_cast<int64_t>(i) - 1));
      std::swap(v[i - 1], v[j]);
    }
  }

 private:
  uint64_t seed_;
  std::mt19937_64 engine_;
  bool has_spare_ = false;
  double spare_ = 0.0;
};

}  // namespace crossview

// Randomness for the sample generators. std::mt19937_64's output is fixed
// by the standard, but the std distributions are not, so all draws go
// through these helpers: the same seed gives the same data on any machine.
// Internal to sample/.
#ifndef DIBAO_SAMPLE_RNG_H_
#define DIBAO_SAMPLE_RNG_H_

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace dibao::sample_internal {

class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}

  // Uniform in [0, n); n > 0. Rejects the engine's top partial block so
  // every value is equally likely.
  uint64_t Below(uint64_t n) {
    const uint64_t reject_below = (0 - n) % n;  // 2^64 mod n
    uint64_t x = engine_();
    while (x < reject_below) x = engine_();
    return x % n;
  }

  // Uniform in [lo, hi]; lo <= hi.
  int Uniform(int lo, int hi) {
    return lo + static_cast<int>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }

  // True with probability percent / 100.
  bool Percent(int percent) {
    return Below(100) < static_cast<uint64_t>(percent);
  }

  // Fisher-Yates with our own draws.
  template <typename T>
  void Shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) {
      std::swap(v[i - 1], v[Below(i)]);
    }
  }

  // `count` distinct indices in [0, n), in draw order.
  std::vector<int> Distinct(int n, int count) {
    std::vector<int> all(n);
    for (int i = 0; i < n; ++i) all[i] = i;
    for (int i = 0; i < count; ++i) {
      std::swap(all[i], all[i + Below(n - i)]);
    }
    all.resize(count);
    return all;
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace dibao::sample_internal

#endif  // DIBAO_SAMPLE_RNG_H_

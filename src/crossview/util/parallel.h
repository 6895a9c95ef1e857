// A minimal parallel loop: ParallelFor(n, jobs, body) calls body(i) for every i in [0, n) on up to
// `jobs` threads (0 = hardware concurrency; 1 runs inline). Items are handed out in index order
// from a shared counter; results must not depend on which thread runs which item. If bodies
// throw, the threads stop taking new items and the exception of the lowest failing index among
// the items that ran is rethrown.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace crossview {

inline int ResolveJobs(int jobs) {
  if (jobs > 0) return jobs;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

template <typename Body>
void ParallelFor(int64_t n, int jobs, Body&& body) {
  if (n <= 0) return;
  const int threads = static_cast<int>(std::min<int64_t>(ResolveJobs(jobs), n));
  if (threads <= 1) {
    for (int64_t i = 0; i < n; ++i) body(i);
    return;
  }
  std::atomic<int64_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex error_mutex;
  int64_t error_index = n;
  std::exception_ptr error;
  auto worker = [&] {
    for (;;) {
      const int64_t i = next.fetch_add(1);
      if (i >= n || failed.load()) return;
      try {
        body(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (i < error_index) {
          error_index = i;
          error = std::current_exception();
        }
        failed = true;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace crossview

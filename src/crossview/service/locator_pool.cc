#include "crossview/service/locator_pool.h"

#include <algorithm>
#include <iomanip>
#include <sstream>

#include "crossview/service/http_error.h"

namespace crossview::service {

LocatorPool::LocatorPool(std::vector<pipeline::Locator> locators, int max_waiting, std::chrono::milliseconds max_wait)
    : max_waiting_(max_waiting), max_wait_(max_wait) {
  CV_CHECK(!locators.empty());
  CV_CHECK(max_waiting >= 0);
  for (pipeline::Locator& l : locators) {
    locators_.push_back(std::make_unique<pipeline::Locator>(std::move(l)));
    free_.push_back(locators_.back().get());
  }
}

LocatorPool::Lease::Lease(Lease&& other) noexcept : pool_(other.pool_), locator_(other.locator_) { other.locator_ = nullptr; }

LocatorPool::Lease::~Lease() {
  if (locator_ != nullptr) pool_->Release(locator_);
}

LocatorPool::Lease LocatorPool::Acquire() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (free_.empty()) {
    if (waiting_ >= max_waiting_) {
      throw CV_HTTP_ERROR(503, "the server is busy: every worker is locating and the wait queue is full")
          .With("workers", size()).With("max_queue", max_waiting_).Hint("retry after a moment (see Retry-After)");
    }
    ++waiting_;
    const bool got = freed_.wait_for(lock, max_wait_, [&] { return !free_.empty(); });
    --waiting_;
    if (!got) {
      std::ostringstream wait;
      wait << std::setprecision(3) << max_wait_.count() / 1000.0;
      throw CV_HTTP_ERROR(503, "the server is busy: no worker became free in time")
          .With("workers", size()).With("waited_s", wait.str()).Hint("retry after a moment (see Retry-After)");
    }
  }
  pipeline::Locator* l = free_.back();
  free_.pop_back();
  peak_in_use_ = std::max(peak_in_use_, size() - static_cast<int>(free_.size()));
  return Lease(this, l);
}

void LocatorPool::Release(pipeline::Locator* locator) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    free_.push_back(locator);
  }
  freed_.notify_one();
}

int LocatorPool::in_use() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return size() - static_cast<int>(free_.size());
}

int LocatorPool::peak_in_use() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return peak_in_use_;
}

}  // namespace crossview::service

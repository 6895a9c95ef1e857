// A fixed set of Locators shared by the request threads. A Locator is not thread-safe, so a
// request leases one for the duration of its locate and hands it back; at most size() locates run
// at once. When every Locator is leased, up to `max_waiting` requests wait (first come, first
// served is not promised) for at most `max_wait`; a request beyond that, or one whose wait runs
// out, gets HttpError 503 ("busy", with Retry-After).
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "crossview/pipeline/locator.h"

namespace crossview::service {

class LocatorPool {
 public:
  LocatorPool(std::vector<pipeline::Locator> locators, int max_waiting, std::chrono::milliseconds max_wait);
  LocatorPool(const LocatorPool&) = delete;
  LocatorPool& operator=(const LocatorPool&) = delete;

  // Exclusive use of one Locator until destroyed (or moved from).
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    pipeline::Locator& operator*() const { return *locator_; }
    pipeline::Locator* operator->() const { return locator_; }

   private:
    friend class LocatorPool;
    Lease(LocatorPool* pool, pipeline::Locator* locator) : pool_(pool), locator_(locator) {}
    LocatorPool* pool_;
    pipeline::Locator* locator_;
  };

  // Waits as described above; throws HttpError 503 when none becomes free.
  Lease Acquire();

  int size() const { return static_cast<int>(locators_.size()); }
  int in_use() const;
  // The most Locators ever leased at the same time.
  int peak_in_use() const;
  // Read-only facts shared by every Locator (they open the same index).
  const pipeline::Locator& front() const { return *locators_.front(); }

 private:
  void Release(pipeline::Locator* locator);

  std::vector<std::unique_ptr<pipeline::Locator>> locators_;
  const int max_waiting_;
  const std::chrono::milliseconds max_wait_;
  mutable std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<pipeline::Locator*> free_;
  int waiting_ = 0;
  int peak_in_use_ = 0;
};

}  // namespace crossview::service

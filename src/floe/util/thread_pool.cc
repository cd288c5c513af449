#include "floe/util/thread_pool.h"

#include <exception>
#include <utility>

namespace floe {

ThreadPool::ThreadPool(size_t threads) {
  workers_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { Work(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void ThreadPool::Drain(std::unique_lock<std::mutex>& lock) {
  while (next_ < end_) {
    const size_t i = next_++;
    ++running_;
    const auto* fn = fn_;
    lock.unlock();
    std::exception_ptr error;
    try {
      (*fn)(i);
    } catch (...) {  // e.g. std::bad_alloc: carried to the caller, never lost on a worker
      error = std::current_exception();
    }
    lock.lock();
    if (error && !error_) error_ = error;
    --running_;
  }
  if (running_ == 0) done_.notify_all();
}

void ThreadPool::Work() {
  std::unique_lock lock(mutex_);
  uint64_t seen = generation_;
  while (true) {
    wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
    if (stop_) return;
    seen = generation_;
    Drain(lock);
  }
}

void ThreadPool::ParallelFor(size_t n, const std::function<void(size_t)>& fn) {
  if (workers_.empty() || n <= 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::unique_lock lock(mutex_);
  fn_ = &fn;
  next_ = 0;
  end_ = n;
  ++generation_;
  wake_.notify_all();
  Drain(lock);
  done_.wait(lock, [&] { return next_ >= end_ && running_ == 0; });
  fn_ = nullptr;
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

size_t DefaultWorkerThreads() {
  const unsigned cores = std::thread::hardware_concurrency();
  return cores > 1 ? cores - 1 : 0;
}

}  // namespace floe

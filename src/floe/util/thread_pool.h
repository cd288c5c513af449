// A small fixed pool of worker threads for data-parallel loops.
//
// floe parallelizes inside one operation (e.g. encoding the columns of a
// batch) rather than across operations, so the pool offers one primitive:
// ParallelFor, which runs fn(0..n-1) on the workers and the calling thread
// and returns when all are done.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace floe {

class ThreadPool {
 public:
  // `threads` workers besides the caller; 0 runs everything on the caller.
  explicit ThreadPool(size_t threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  size_t size() const { return workers_.size(); }

  // Runs fn(i) for i in [0, n) and waits for all of them. An exception from
  // fn (floe's code reports errors as values; this is for std::bad_alloc) is
  // rethrown here after all work has stopped. Not reentrant: one ParallelFor
  // at a time per pool.
  void ParallelFor(size_t n, const std::function<void(size_t)>& fn);

 private:
  void Work();
  // Claims and runs items of the current loop until none are left.
  void Drain(std::unique_lock<std::mutex>& lock);

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  const std::function<void(size_t)>* fn_ = nullptr;
  size_t next_ = 0, end_ = 0, running_ = 0;
  uint64_t generation_ = 0;
  std::exception_ptr error_;
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

// Workers to use by default: the machine's cores minus the caller, at least 0.
size_t DefaultWorkerThreads();

}  // namespace floe

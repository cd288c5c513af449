#include "floe/util/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

namespace floe {
namespace {

TEST(ThreadPoolTest, RunsEveryIndexExactlyOnce) {
  for (size_t workers : {0u, 1u, 3u}) {
    ThreadPool pool(workers);
    for (size_t n : {0u, 1u, 2u, 7u, 1000u}) {
      std::vector<std::atomic<int>> hits(n);
      pool.ParallelFor(n, [&](size_t i) { hits[i].fetch_add(1); });
      for (size_t i = 0; i < n; ++i)
        EXPECT_EQ(hits[i].load(), 1) << "workers " << workers << " n " << n;
    }
  }
}

TEST(ThreadPoolTest, ReturnsOnlyWhenAllWorkIsDone) {
  ThreadPool pool(2);
  for (int round = 0; round < 200; ++round) {
    std::atomic<int> done{0};
    pool.ParallelFor(16, [&](size_t) { done.fetch_add(1); });
    ASSERT_EQ(done.load(), 16) << "round " << round;
  }
}

}  // namespace
}  // namespace floe

#include "base/thread_pool.h"

#include <atomic>

#include "gtest/gtest.h"

namespace dibao {
namespace {

TEST(ThreadPoolTest, RunsEverythingScheduledBeforeItIsDestroyed) {
  std::atomic<int> done{0};
  {
    ThreadPool pool(3);
    EXPECT_EQ(pool.size(), 3);
    for (int i = 0; i < 1000; ++i) pool.Schedule([&done] { ++done; });
  }
  EXPECT_EQ(done.load(), 1000);
}

TEST(ThreadPoolTest, AtLeastOneThread) {
  std::atomic<int> done{0};
  {
    ThreadPool pool(0);
    EXPECT_EQ(pool.size(), 1);
    pool.Schedule([&done] { ++done; });
  }
  EXPECT_EQ(done.load(), 1);
}

}  // namespace
}  // namespace dibao

// A fixed set of threads running scheduled work, first come first served.
//
// Thread-safe. The destructor runs what is already scheduled, then joins.
#ifndef DIBAO_BASE_THREAD_POOL_H_
#define DIBAO_BASE_THREAD_POOL_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace dibao {

class ThreadPool {
 public:
  // At least one thread.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  void Schedule(std::function<void()> work);
  int size() const { return static_cast<int>(threads_.size()); }

 private:
  void Run();

  absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace dibao

#endif  // DIBAO_BASE_THREAD_POOL_H_

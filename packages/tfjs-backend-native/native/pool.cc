#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "common.h"

namespace rrm {
namespace {

// Persistent helper threads: chunk 0 runs on the caller, chunk k on helper k-1.
class Pool {
 public:
  explicit Pool(int n) : size_(n < 1 ? 1 : n) {
    for (int k = 1; k < size_; ++k) {
      std::thread([this, k] { loop(k); }).detach();
    }
  }

  int size() const { return size_; }

  void run(int parts, int64_t n, const std::function<void(int64_t, int64_t)>& fn) {
    std::lock_guard<std::mutex> serial(runLock_);
    {
      std::lock_guard<std::mutex> g(m_);
      fn_ = &fn;
      n_ = n;
      parts_ = parts;
      pending_ = parts - 1;
      ++generation_;
    }
    wake_.notify_all();
    chunk(0);
    std::unique_lock<std::mutex> g(m_);
    done_.wait(g, [this] { return pending_ == 0; });
  }

 private:
  void chunk(int k) {
    const int64_t begin = n_ * k / parts_;
    const int64_t end = n_ * (k + 1) / parts_;
    if (begin < end) (*fn_)(begin, end);
  }

  void loop(int k) {
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> g(m_);
        wake_.wait(g, [&] { return generation_ != seen; });
        seen = generation_;
        if (k >= parts_) continue;
      }
      chunk(k);
      {
        std::lock_guard<std::mutex> g(m_);
        --pending_;
      }
      done_.notify_one();
    }
  }

  int size_;
  std::mutex runLock_;
  std::mutex m_;
  std::condition_variable wake_;
  std::condition_variable done_;
  const std::function<void(int64_t, int64_t)>* fn_ = nullptr;
  int64_t n_ = 0;
  int parts_ = 1;
  int pending_ = 0;
  uint64_t generation_ = 0;
};

int defaultThreads() {
  if (const char* env = std::getenv("RRM_NATIVE_THREADS")) {
    int n = std::atoi(env);
    if (n >= 1) return n;
  }
  // Every core, up to 16: beyond that the loops here are memory-bound anyway.
  const unsigned hw = std::thread::hardware_concurrency();
  return hw < 1 ? 1 : (hw > 16 ? 16 : static_cast<int>(hw));
}

int requested = defaultThreads();
Pool* pool = nullptr;  // created on first parallel use, lives for the process

}  // namespace

int threads() { return requested; }

void setThreads(int n) { requested = n < 1 ? 1 : n; }

void parallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  int parts = requested;
  if (grain > 0 && n / grain < parts) parts = static_cast<int>(n / grain);
  if (parts <= 1) {
    fn(0, n);
    return;
  }
  if (pool == nullptr || pool->size() < parts) pool = new Pool(parts);
  pool->run(parts, n, fn);
}

}  // namespace rrm

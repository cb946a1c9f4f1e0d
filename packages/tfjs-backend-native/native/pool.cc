#include "pool.h"

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace rrm {
namespace {

// Set on every thread while it runs a chunk: a parallelFor there is nested.
thread_local bool inChunk = false;

// Runs fn(begin, end) as a chunk: inChunk is set for its duration, exception or not.
void runChunk(const std::function<void(int64_t, int64_t)>& fn, int64_t begin, int64_t end) {
  struct Flag {
    Flag() { inChunk = true; }
    ~Flag() { inChunk = false; }
  } flag;
  fn(begin, end);
}

// Persistent helper threads: chunk 0 runs on the caller, chunk k on helper k-1.
// One run at a time; the caller of run() holds the pool's lock (see below).
class Pool {
 public:
  explicit Pool(int n) : size_(n < 1 ? 1 : n) {
    for (int k = 1; k < size_; ++k) helpers_.emplace_back([this, k] { loop(k); });
  }

  ~Pool() {
    {
      std::lock_guard<std::mutex> g(m_);
      stop_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : helpers_) t.join();
  }

  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  int size() const { return size_; }

  void run(int parts, int64_t n, const std::function<void(int64_t, int64_t)>& fn) {
    {
      std::lock_guard<std::mutex> g(m_);
      fn_ = &fn;
      n_ = n;
      parts_ = parts;
      pending_ = parts - 1;
      error_ = nullptr;
      ++generation_;
    }
    wake_.notify_all();
    chunk(0);
    std::unique_lock<std::mutex> g(m_);
    done_.wait(g, [this] { return pending_ == 0; });
    fn_ = nullptr;
    if (error_) std::rethrow_exception(error_);
  }

 private:
  // Runs chunk k, keeping the first exception of the run for the caller.
  void chunk(int k) {
    const int64_t begin = n_ * k / parts_;
    const int64_t end = n_ * (k + 1) / parts_;
    if (begin >= end) return;
    try {
      runChunk(*fn_, begin, end);
    } catch (...) {
      std::lock_guard<std::mutex> g(m_);
      if (!error_) error_ = std::current_exception();
    }
  }

  void loop(int k) {
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> g(m_);
        wake_.wait(g, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
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

  const int size_;
  std::vector<std::thread> helpers_;
  std::mutex m_;  // guards everything below, and the handover of a run
  std::condition_variable wake_;
  std::condition_variable done_;
  const std::function<void(int64_t, int64_t)>* fn_ = nullptr;
  int64_t n_ = 0;
  int parts_ = 1;
  int pending_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
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

// Held for a whole parallelFor: one run at a time, and the pool is replaced
// only while no run uses it.
std::mutex poolLock;
std::atomic<int> requested{defaultThreads()};
std::unique_ptr<Pool> pool;  // created on first parallel use

}  // namespace

int threads() { return requested; }

void setThreads(int n) { requested = n < 1 ? 1 : n; }

void parallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  if (inChunk) {
    fn(0, n);
    return;
  }
  std::lock_guard<std::mutex> g(poolLock);
  int parts = requested;
  if (grain > 0 && n / grain < parts) parts = static_cast<int>(n / grain);
  if (parts <= 1) {
    runChunk(fn, 0, n);
    return;
  }
  if (!pool || pool->size() < parts) {
    pool.reset();  // stops and joins the old helpers first
    pool = std::make_unique<Pool>(parts);
  }
  pool->run(parts, n, fn);
}

}  // namespace rrm

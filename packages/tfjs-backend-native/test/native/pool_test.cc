// The thread pool's rules (native/pool.h), checked without Node: built and run
// by test/pool.test.ts with the system C++ compiler.
#include <atomic>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../../native/pool.h"

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  if (!ok) {
    std::printf("FAIL %s\n", what.c_str());
    ++failures;
  }
}

// Every index of [0, n) is visited exactly once, whatever the thread count.
void coversEachIndexOnce() {
  for (int t : {1, 2, 3, 8}) {
    rrm::setThreads(t);
    for (int64_t n : {1, 2, 7, 1000}) {
      std::vector<std::atomic<int>> seen(n);
      rrm::parallelFor(n, 1, [&](int64_t lo, int64_t hi) {
        for (int64_t i = lo; i < hi; ++i) seen[i]++;
      });
      bool once = true;
      for (auto& s : seen) once = once && s == 1;
      check(once, "each index once, threads " + std::to_string(t) + ", n " + std::to_string(n));
    }
  }
}

// A parallelFor inside a chunk runs serially there instead of deadlocking.
void nestedRunsInline() {
  rrm::setThreads(4);
  std::atomic<int64_t> sum{0};
  rrm::parallelFor(8, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) {
      rrm::parallelFor(10, 1, [&](int64_t a, int64_t b) { sum += (b - a) * (i + 1); });
    }
  });
  check(sum == 10 * (8 * 9 / 2), "nested parallelFor: every inner index once");
}

// An exception on a helper (or on the caller's chunk) reaches the caller, after
// all chunks have finished; the pool works afterwards.
void exceptionsReachTheCaller() {
  rrm::setThreads(4);
  for (int64_t bad : {0, 3}) {  // chunk 0 runs on the caller, chunk 3 on a helper
    std::atomic<int> finished{0};
    std::string caught;
    try {
      rrm::parallelFor(4, 1, [&](int64_t lo, int64_t) {
        if (lo == bad) throw std::runtime_error("chunk " + std::to_string(lo));
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        finished++;
      });
    } catch (const std::runtime_error& e) {
      caught = e.what();
    }
    check(caught == "chunk " + std::to_string(bad), "exception from chunk " + std::to_string(bad));
    check(finished == 3, "the other chunks finished before the rethrow");
  }
  std::atomic<int> after{0};
  rrm::parallelFor(4, 1, [&](int64_t lo, int64_t hi) { after += hi - lo; });
  check(after == 4, "the pool runs after an exception");
}

// Growing the pool replaces it (the old helpers are joined), while calls from
// several threads at once are taken one at a time.
void resizeAndConcurrentCallers() {
  std::vector<std::thread> callers;
  std::atomic<int64_t> total{0};
  for (int c = 0; c < 4; ++c) {
    callers.emplace_back([&, c] {
      for (int r = 0; r < 50; ++r) {
        if (c == 0) rrm::setThreads(1 + r % 6);
        rrm::parallelFor(64, 1, [&](int64_t lo, int64_t hi) { total += hi - lo; });
      }
    });
  }
  for (auto& t : callers) t.join();
  check(total == 4 * 50 * 64, "concurrent callers and resizes: every index once");
}

}  // namespace

int main() {
  coversEachIndexOnce();
  nestedRunsInline();
  exceptionsReachTheCaller();
  resizeAndConcurrentCallers();
  std::printf(failures == 0 ? "ok\n" : "%d failed\n", failures);
  return failures == 0 ? 0 : 1;
}

// The addon's thread pool: a deterministic parallel-for over persistent helper
// threads. Free of N-API, so the C++ tests build it on its own.
//
// Its rules:
// - parallelFor(n, grain, fn) splits [0, n) into at most threads() contiguous
//   chunks, in one fixed way for a given (n, grain, threads()), and runs them
//   concurrently when n >= grain: chunk 0 on the calling thread, the others on
//   helpers. Each index is handled by exactly one call, so a kernel that writes
//   each output element from a fixed serial computation gives the same bits
//   whatever the thread count.
// - A parallelFor from inside fn (nested) runs serially on the thread that
//   called it: the helpers are all busy with the outer loop, and waiting for
//   them would deadlock.
// - Calls from several threads (Node worker_threads each loading the addon)
//   are taken one at a time; none is lost or mixed with another.
// - An exception thrown by fn on any thread is rethrown by parallelFor on the
//   calling thread, after every chunk has finished (the first one thrown wins);
//   it never ends the process, and fn is never used after parallelFor returns.
// - setThreads(n) takes effect at the next parallelFor. A pool that is too
//   small is replaced then: its helper threads are stopped and joined, so
//   nothing leaks and no helper outlives the pool it belongs to.
#pragma once
#include <cstdint>
#include <functional>

namespace rrm {

void parallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);
int threads();
void setThreads(int n);

}  // namespace rrm

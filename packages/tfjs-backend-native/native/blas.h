// CBLAS from OpenBLAS, BLIS or Accelerate, for the kernels that call sgemm.
#pragma once
#ifdef RRM_ACCELERATE
#include <Accelerate/Accelerate.h>
#else
#include <cblas.h>
// Present in OpenBLAS and BLIS respectively; weak so that either library links.
extern "C" void openblas_set_num_threads(int) __attribute__((weak));
extern "C" void bli_thread_set_num_threads(long) __attribute__((weak));
#endif

#include "common.h"

namespace rrm {

// Whether sgemm calls run on one thread each (set up on the first call), so
// that kernels split their sgemm calls over this addon's own pool.
bool ownBlasThreads();

}  // namespace rrm

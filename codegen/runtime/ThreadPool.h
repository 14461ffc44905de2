// The thread pool and heap allocator that generated kernels call through a C ABI. Part of the
// runtime: it needs no LLVM and runs on the board (see RuntimeTable.h for how kernels find it).
#pragma once

#include <cstdint>

extern "C" {

/// Body of a parallel loop: runs iterations [begin, end) of the loop with the captured state
/// `closure`. Generated kernels outline every Parallel `For` into one of these.
typedef void (*autotune_parallel_body)(int64_t begin, int64_t end, void *closure);

/// Runs body over [0, extent) split into contiguous chunks, one per pool thread (fewer when
/// extent is smaller), and returns when every chunk is done. The calling thread works too.
/// Calls made from inside a body (nested parallelism) and calls while the pool has one thread run
/// body(0, extent, closure) serially. Concurrent calls from different threads take turns.
void autotune_parallel_for(autotune_parallel_body body, void *closure, int64_t extent);

/// Sets the number of threads that run parallel loops, the caller included; n <= 0 restores the
/// default: $AUTOTUNE_NUM_THREADS when set, else the hardware concurrency.
void autotune_set_num_threads(int n);

/// The number of threads that run parallel loops, the caller included (at least 1).
int autotune_get_num_threads(void);

/// Heap buffer of at least `bytes` bytes, 64-byte aligned; nullptr when out of memory.
/// Release it with autotune_free.
void *autotune_alloc(int64_t bytes);

/// Releases a buffer from autotune_alloc; nullptr is ignored.
void autotune_free(void *ptr);

}  // extern "C"

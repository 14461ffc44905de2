// How a generated kernel reaches the runtime (thread pool, allocator) without importing symbols:
// every generated module defines a table of entry points that whoever loads it fills in.
#pragma once

namespace autotune::runtime {

/// Name of the table every generated module defines (external linkage, default visibility).
inline constexpr const char *kRuntimeTableSymbol = "autotune_runtime_table";

/// The table's layout: one function pointer per runtime entry point, in this order. Generated code
/// reads the slots on every use. An empty slot is legal: parallel loops then run serially and heap
/// buffers come from the C library's aligned_alloc/free, so a module also works when loaded by a
/// program that knows nothing about autotune.
struct RuntimeTable {
  void *parallel_for;  ///< autotune_parallel_for
  void *alloc;         ///< autotune_alloc
  void *free;          ///< autotune_free
};
inline constexpr int kRuntimeTableSlots = 3;

/// Points the slots of the table at `table_address` (the address of kRuntimeTableSymbol in a
/// loaded module) at this process's runtime.
void fill_runtime_table(void *table_address);

}  // namespace autotune::runtime

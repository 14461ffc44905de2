// Fills a loaded module's runtime table with this process's thread pool and allocator.
#include "codegen/runtime/RuntimeTable.h"

#include "codegen/runtime/ThreadPool.h"

namespace autotune::runtime {

static_assert(sizeof(RuntimeTable) == kRuntimeTableSlots * sizeof(void *),
              "generated code indexes the table as an array of pointers");

void fill_runtime_table(void *table_address) {
  auto *table = static_cast<RuntimeTable *>(table_address);
  table->parallel_for = reinterpret_cast<void *>(&autotune_parallel_for);
  table->alloc = reinterpret_cast<void *>(&autotune_alloc);
  table->free = reinterpret_cast<void *>(&autotune_free);
}

}  // namespace autotune::runtime

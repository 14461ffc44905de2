// Lower + JIT + run with byte buffers; each is copied into 64-byte aligned storage.
#include "tests/common/TypedKernelRunner.h"

#include <cstring>
#include <set>

#include "codegen/Compile.h"
#include "codegen/runtime/ThreadPool.h"
#include "ir/lower/Lower.h"

namespace autotune::test {

void run_on_host_typed(const te::Schedule &sch, const std::vector<te::Tensor> &args,
                       std::vector<std::vector<uint8_t>> &data) {
  internal_check(args.size() == data.size()) << "one data vector per argument";
  for (size_t i = 0; i < args.size(); ++i) {
    size_t bytes = static_cast<size_t>(args[i].size()) * args[i].dtype().bytes();
    internal_check(data[i].size() == bytes) << "data for '" << args[i].name() << "' has "
                                            << data[i].size() << " bytes, tensor needs " << bytes;
  }
  ir::LoweredFunc f = lower::lower(sch, args, "test_kernel");
  codegen::JitModule jit({f});
  runtime::KernelFunction fn = jit.get_function("test_kernel");
  std::vector<void *> ptrs;
  for (auto &d : data) {
    void *p = autotune_alloc(static_cast<int64_t>(d.size() + 64));
    if (!d.empty()) std::memcpy(p, d.data(), d.size());
    ptrs.push_back(p);
  }
  int saved = autotune_get_num_threads();
  autotune_set_num_threads(1);
  int32_t rc = fn(ptrs.data());
  autotune_set_num_threads(saved);
  for (size_t i = 0; i < data.size(); ++i) {
    if (!data[i].empty()) std::memcpy(data[i].data(), ptrs[i], data[i].size());
    autotune_free(ptrs[i]);
  }
  internal_check(rc == 0) << "kernel returned " << rc;
}

std::vector<std::vector<uint8_t>> run_default_typed(
    const std::vector<te::Tensor> &inputs, const std::vector<te::Tensor> &outputs,
    const std::vector<std::vector<uint8_t>> &input_data) {
  te::Schedule sch = te::create_schedule(outputs);
  std::vector<te::Tensor> args = inputs;
  args.insert(args.end(), outputs.begin(), outputs.end());
  std::vector<std::vector<uint8_t>> data = input_data;
  for (const te::Tensor &o : outputs) {
    data.emplace_back(static_cast<size_t>(o.size()) * o.dtype().bytes(), 0);
  }
  run_on_host_typed(sch, args, data);
  return std::vector<std::vector<uint8_t>>(data.begin() + static_cast<long>(inputs.size()),
                                           data.end());
}

std::vector<te::Tensor> placeholders_read(const std::vector<te::Tensor> &outputs) {
  std::set<const void *> seen;
  std::vector<te::Tensor> found, stack(outputs.rbegin(), outputs.rend());
  while (!stack.empty()) {
    te::Tensor t = stack.back();
    stack.pop_back();
    if (!seen.insert(t.get()).second) continue;
    if (t.is_placeholder()) {
      found.push_back(t);
      continue;
    }
    std::vector<te::Tensor> ins = te::input_tensors(t);
    stack.insert(stack.end(), ins.rbegin(), ins.rend());
  }
  return found;
}

}  // namespace autotune::test

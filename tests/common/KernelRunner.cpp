// Lower + JIT + run for tests; buffers are copied into 64-byte aligned storage.
#include "tests/common/KernelRunner.h"

#include "codegen/Compile.h"
#include "codegen/runtime/ThreadPool.h"
#include "ir/lower/Lower.h"

namespace autotune::test {

void run_on_host(const te::Schedule &sch, const std::vector<te::Tensor> &args,
                 std::vector<std::vector<float>> &data, int num_threads) {
  internal_check(args.size() == data.size()) << "one data vector per argument";
  for (size_t i = 0; i < args.size(); ++i) {
    internal_check(static_cast<int64_t>(data[i].size()) == args[i].size())
        << "data for '" << args[i].name() << "' has " << data[i].size() << " elements, tensor has "
        << args[i].size();
  }
  ir::LoweredFunc f = lower::lower(sch, args, "test_kernel");
  codegen::JitModule jit({f});
  runtime::KernelFunction fn = jit.get_function("test_kernel");
  std::vector<float *> buffers;
  std::vector<void *> ptrs;
  for (auto &d : data) {
    auto *p = static_cast<float *>(autotune_alloc(static_cast<int64_t>(d.size() * sizeof(float) + 64)));
    std::copy(d.begin(), d.end(), p);
    buffers.push_back(p);
    ptrs.push_back(p);
  }
  int saved = autotune_get_num_threads();
  autotune_set_num_threads(num_threads);
  int32_t rc = fn(ptrs.data());
  autotune_set_num_threads(saved);
  for (size_t i = 0; i < data.size(); ++i) {
    std::copy(buffers[i], buffers[i] + data[i].size(), data[i].begin());
    autotune_free(buffers[i]);
  }
  internal_check(rc == 0) << "kernel returned " << rc;
}

std::vector<std::vector<float>> run_default(const std::vector<te::Tensor> &inputs,
                                            const std::vector<te::Tensor> &outputs,
                                            const std::vector<std::vector<float>> &input_data) {
  te::Schedule sch = te::create_schedule(outputs);
  std::vector<te::Tensor> args = inputs;
  args.insert(args.end(), outputs.begin(), outputs.end());
  std::vector<std::vector<float>> data = input_data;
  for (const te::Tensor &o : outputs) data.emplace_back(o.size(), 0.0f);
  run_on_host(sch, args, data, 1);
  return std::vector<std::vector<float>>(data.begin() + inputs.size(), data.end());
}

}  // namespace autotune::test

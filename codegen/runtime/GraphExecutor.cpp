// The executor: resolves each slot to a pointer once per run and calls the kernels in order.
#include "codegen/runtime/GraphExecutor.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "codegen/runtime/ThreadPool.h"
#include "ir/support/Error.h"

namespace autotune::runtime {

GraphExecutor::GraphExecutor(std::vector<BufferSlot> slots, std::vector<KernelCall> calls,
                             std::vector<Constant> constants, int64_t arena_bytes,
                             int num_inputs, int num_outputs)
    : slots_(std::move(slots)),
      calls_(std::move(calls)),
      constants_(std::move(constants)),
      arena_bytes_(arena_bytes),
      num_inputs_(num_inputs),
      num_outputs_(num_outputs) {
  for (const Constant &c : constants_) {
    internal_check(reinterpret_cast<uintptr_t>(c.data) % 16 == 0) << "misaligned constant";
  }
  arena_ = autotune_alloc(arena_bytes_ + 64);
  table_.resize(slots_.size(), nullptr);
  for (size_t i = 0; i < slots_.size(); ++i) {
    const BufferSlot &s = slots_[i];
    if (s.kind == BufferSlot::Kind::Constant) table_[i] = const_cast<void *>(constants_.at(s.index).data);
    if (s.kind == BufferSlot::Kind::Arena) {
      table_[i] = static_cast<uint8_t *>(arena_) + s.arena_offset;
    }
  }
  if (const char *p = std::getenv("AUTOTUNE_PROFILE")) profile_ = std::atoi(p) != 0;
  call_args_.resize(calls_.size());
  for (size_t c = 0; c < calls_.size(); ++c) call_args_[c].resize(calls_[c].args.size());
}

GraphExecutor::~GraphExecutor() {
  autotune_free(arena_);
}

int64_t GraphExecutor::constant_bytes() const {
  int64_t total = 0;
  for (const BufferSlot &s : slots_) {
    if (s.kind == BufferSlot::Kind::Constant) total += s.bytes;
  }
  return total;
}

std::string GraphExecutor::profile_report(const std::vector<std::string> &call_labels) const {
  internal_check(call_labels.size() == calls_.size())
      << call_labels.size() << " labels for " << calls_.size() << " kernel calls";
  std::vector<size_t> order(call_ms_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return call_ms_[a] > call_ms_[b]; });
  double total = 0;
  for (double t : call_ms_) total += t;
  std::string out;
  char line[256];
  for (size_t i : order) {
    std::snprintf(line, sizeof line, "%8.3f ms %5.1f%%  %-6s %s\n", call_ms_[i],
                  100 * call_ms_[i] / total, calls_[i].name.c_str(), call_labels[i].c_str());
    out += line;
  }
  return out;
}

void GraphExecutor::run(const std::vector<const void *> &inputs,
                        const std::vector<void *> &outputs) {
  user_check(static_cast<int>(inputs.size()) == num_inputs_)
      << "model takes " << num_inputs_ << " inputs, got " << inputs.size();
  user_check(static_cast<int>(outputs.size()) == num_outputs_)
      << "model has " << num_outputs_ << " outputs, got " << outputs.size();
  for (size_t i = 0; i < slots_.size(); ++i) {
    const BufferSlot &s = slots_[i];
    if (s.kind == BufferSlot::Kind::Input) table_[i] = const_cast<void *>(inputs.at(s.index));
    if (s.kind == BufferSlot::Kind::Output) table_[i] = outputs.at(s.index);
  }
  for (size_t c = 0; c < calls_.size(); ++c) {
    std::vector<void *> &args = call_args_[c];
    for (size_t a = 0; a < args.size(); ++a) args[a] = table_[calls_[c].args[a]];
    auto start = profile_ ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point();
    int32_t rc = calls_[c].fn(args.data());
    if (profile_) {
      call_ms_.resize(calls_.size(), 0.0);
      call_ms_[c] += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    }
    internal_check(rc == 0) << "kernel '" << calls_[c].name << "' returned " << rc;
  }
}

}  // namespace autotune::runtime

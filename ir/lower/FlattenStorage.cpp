// Storage flattening: row-major layout of each realized region and of each kernel argument.
//
// Algorithm:
//  1. Each argument tensor gets a handle Var; its region is the whole tensor.
//  2. Each Realize gets a fresh handle Var and becomes an Allocate of the region's size.
//  3. Reads and writes index (idx - region_min) with strides from the region's extents.
// Example: Realize B([i0, 4], [0, 8]) { B(i, j) = ... }  ->  allocate B[32] { B[(i - i0)*8 + j] = ... }
#include "ir/lower/FlattenStorage.h"

#include <unordered_map>

#include "ir/core/IRMutator.h"
#include "ir/core/IROperators.h"

namespace autotune::lower {

using namespace ir;

namespace {

struct BufferInfo {
  Var handle;
  DataType dtype;
  std::vector<Expr> mins;
  std::vector<int64_t> extents;
};

class FlattenStorage final : public IRMutator {
 public:
  explicit FlattenStorage(const std::vector<te::Tensor> &args) {
    for (const te::Tensor &t : args) {
      user_check(!buffers_.count(t.get()))
          << "tensor '" << t.name() << "' is listed twice among the kernel arguments";
      BufferInfo info{Var(t.name(), Handle()), t.dtype(), {}, t.shape()};
      info.mins.assign(t.ndim(), Expr(0));
      buffers_[t.get()] = info;
      kernel_args.push_back(KernelArg{info.handle, t.dtype(), t.shape()});
    }
  }

  std::vector<KernelArg> kernel_args;

  using IRMutator::visit;

  Stmt visit(const Realize *op) override {
    const DataProducerNode *p = op->producer.get();
    internal_check(!buffers_.count(p)) << "tensor '" << p->name << "' realized twice";
    BufferInfo info{Var(p->name, Handle()), p->dtype, {}, {}};
    int64_t size = 1;
    for (const Range &r : op->bounds) {
      const int64_t *e = as_const_int(r.extent);
      internal_check(e) << "realize of '" << p->name << "' with a non-constant extent";
      info.mins.push_back(r.min);
      info.extents.push_back(*e);
      size *= *e;
    }
    buffers_[p] = info;
    Stmt body = mutate(op->body);
    buffers_.erase(p);
    return Allocate::make(info.handle, p->dtype, size, op->scope, body);
  }

  Stmt visit(const Provide *op) override {
    const BufferInfo &b = lookup(op->producer.get());
    Expr value = mutate(op->value);
    return Store::make(b.handle, value, flat_index(b, op->indices));
  }

  Expr visit(const TensorRead *op) override {
    const BufferInfo &b = lookup(op->producer.get());
    return Load::make(b.dtype, b.handle, flat_index(b, op->indices));
  }

 private:
  const BufferInfo &lookup(const DataProducerNode *p) {
    auto it = buffers_.find(p);
    user_check(it != buffers_.end())
        << "tensor '" << p->name
        << "' is used by the kernel but is neither one of its arguments nor computed in it; "
        << "add it to the argument list";
    return it->second;
  }

  Expr flat_index(const BufferInfo &b, const std::vector<Expr> &indices) {
    Expr flat;
    for (size_t d = 0; d < indices.size(); ++d) {
      Expr local = mutate(indices[d]) - b.mins[d];
      flat = flat.defined() ? flat * Expr(b.extents[d]) + local : local;
    }
    return flat.defined() ? flat : Expr(0);
  }

  std::unordered_map<const DataProducerNode *, BufferInfo> buffers_;
};

}  // namespace

Stmt flatten_storage(const Stmt &s, const std::vector<te::Tensor> &args,
                     std::vector<KernelArg> *kernel_args) {
  FlattenStorage f(args);
  Stmt out = f(s);
  *kernel_args = f.kernel_args;
  return out;
}

}  // namespace autotune::lower

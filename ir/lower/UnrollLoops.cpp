// Full unrolling of annotated loops.
//
// Algorithm:
//  1. Unroll inner loops first (post-order), so nested unrolled loops multiply out.
//  2. For an unrolled loop `for (i, m, 3) S`, emit S[i:=m]; S[i:=m+1]; S[i:=m+2].
#include "ir/lower/UnrollLoops.h"

#include "ir/core/IRMutator.h"
#include "ir/core/IROperators.h"
#include "ir/core/Substitute.h"

namespace autotune::lower {

using namespace ir;

namespace {

class UnrollLoops final : public IRMutator {
 public:
  using IRMutator::visit;
  Stmt visit(const For *op) override {
    Stmt body = mutate(op->body);
    if (op->kind != ForKind::Unrolled) {
      return body.same_as(op->body) ? Stmt(op)
                                    : For::make(op->loop_var, op->min, op->extent, op->kind, body,
                                                op->thread_tag);
    }
    const int64_t *extent = as_const_int(op->extent);
    internal_check(extent) << "unrolled loop '" << op->loop_var.name()
                           << "' has a non-constant extent";
    std::vector<Stmt> copies;
    for (int64_t i = 0; i < *extent; ++i) {
      copies.push_back(substitute(body, {{op->loop_var.get(), op->min + Expr(i)}}));
    }
    return Block::make(copies);
  }
};

}  // namespace

Stmt unroll_loops(const Stmt &s) { return UnrollLoops()(s); }

}  // namespace autotune::lower

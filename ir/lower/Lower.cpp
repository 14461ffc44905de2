// The lowering recipe, top to bottom: schedule -> loop nest -> flat buffers -> unrolled and
// vectorized loops, simplified between steps.
#include "ir/lower/Lower.h"

#include <algorithm>

#include "ir/lower/BuildLoopNest.h"
#include "ir/lower/FlattenStorage.h"
#include "ir/lower/PassLog.h"
#include "ir/lower/Simplify.h"
#include "ir/lower/UnrollLoops.h"
#include "ir/lower/VectorizeLoops.h"

namespace autotune::lower {

using namespace ir;

namespace {

void check_arguments(const te::Schedule &sch, const std::vector<te::Tensor> &args) {
  for (const te::Tensor &out : sch.outputs()) {
    bool listed = std::any_of(args.begin(), args.end(),
                              [&](const te::Tensor &a) { return a.same_as(out); });
    user_check(listed) << "output '" << out.name() << "' is not among the kernel arguments";
  }
  for (const te::Tensor &a : args) {
    user_check(a.is_placeholder() || sch.has_stage(a))
        << "kernel argument '" << a.name() << "' is not part of the schedule";
    if (!a.is_placeholder()) {
      user_check(sch[a]->is_output || sch[a]->attach == te::AttachKind::Root)
          << "kernel argument '" << a.name() << "' must be computed at root";
    }
  }
}

}  // namespace

LoweredFunc lower(const te::Schedule &sch, const std::vector<te::Tensor> &args,
                  const std::string &name) {
  check_arguments(sch, args);
  PassLog log("lower " + name);
  LoweredFunc f;
  f.name = name;
  Stmt s = build_loop_nest(sch);             log("build_loop_nest", s);
  s = flatten_storage(s, args, &f.args);     log("flatten_storage", s);
  s = simplify(s);                           log("simplify", s);
  s = unroll_loops(s);                       log("unroll_loops", s);
  s = simplify(s);                           log("simplify", s);
  s = vectorize_loops(s);                    log("vectorize_loops", s);
  s = simplify(s);                           log("simplify", s);
  f.body = s;
  return f;
}

}  // namespace autotune::lower

// Host interpretation of tensor expressions, element by element, for small tensors.
#include "ir/graph/EvaluateTensor.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <unordered_map>

namespace autotune::graph {

namespace {

using ir::DataType;
using ir::Expr;

/// One element: integers and bools in `i` (uints by their bits), floats in `f`.
struct Scalar {
  int64_t i = 0;
  double f = 0;
};

/// Thrown inside the interpreter when the tensor cannot be evaluated; evaluate_tensor returns
/// null for it.
struct NotEvaluable {};

bool is_supported_type(DataType t) {
  if (t.lanes != 1) return false;
  if (t.is_float()) return t.bits == 32 || t.bits == 64;
  if (t.is_int() || t.is_uint()) return t.bits == 8 || t.bits == 16 || t.bits == 32 || t.bits == 64;
  return t.is_bool();
}

/// Wraps or rounds a freshly computed value to the precision of `t`.
Scalar normalize(Scalar s, DataType t) {
  if (t.is_float()) {
    if (t.bits == 32) s.f = static_cast<float>(s.f);
  } else if (t.is_bool()) {
    s.i = s.i != 0;
  } else if (t.bits < 64) {
    uint64_t bits = static_cast<uint64_t>(s.i) & ((uint64_t{1} << t.bits) - 1);
    if (t.is_int() && (bits >> (t.bits - 1))) bits |= ~uint64_t{0} << t.bits;  // sign-extend
    s.i = static_cast<int64_t>(bits);
  }
  return s;
}

double to_double(const Scalar &s, DataType t) {
  if (t.is_float()) return s.f;
  if (t.is_uint()) return static_cast<double>(static_cast<uint64_t>(s.i));
  return static_cast<double>(s.i);
}

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

class Interpreter {
 public:
  Interpreter(const std::map<const te::TensorNode *, ConstantPtr> &bound, int64_t max_steps)
      : bound_(bound), steps_left_(max_steps) {}

  /// All elements of a compute tensor, row-major (memoized).
  const std::vector<Scalar> &elements(const te::TensorNode *t) {
    auto it = memo_.find(t);
    if (it != memo_.end()) return it->second;
    if (t->kind != te::TensorKind::Compute || !is_supported_type(t->dtype)) throw NotEvaluable();
    std::vector<Scalar> out(static_cast<size_t>(shape_size(t->shape)));
    std::vector<int64_t> index(t->shape.size(), 0);
    for (size_t n = 0; n < out.size(); ++n) {
      for (size_t d = 0; d < index.size(); ++d) {
        env_[t->axis[d].var().get()] = Scalar{eval_int(t->axis[d].dom().min) + index[d], 0};
      }
      out[n] = eval(t->body);
      for (size_t d = index.size(); d-- > 0;) {  // next row-major index
        if (++index[d] < t->shape[d]) break;
        index[d] = 0;
      }
    }
    return memo_[t] = std::move(out);
  }

 private:
  int64_t eval_int(const Expr &e) {
    Scalar s = eval(e);
    return e.type().is_float() ? static_cast<int64_t>(s.f) : s.i;
  }

  Scalar eval(const Expr &e) {
    if (--steps_left_ < 0 || !is_supported_type(e.type())) throw NotEvaluable();
    DataType t = e.type();
    switch (e.kind()) {
      case ir::IRNodeKind::IntImm: return normalize(Scalar{e.as<ir::IntImm>()->value, 0}, t);
      case ir::IRNodeKind::FloatImm: return normalize(Scalar{0, e.as<ir::FloatImm>()->value}, t);
      case ir::IRNodeKind::Variable: {
        auto it = env_.find(e.as<ir::Variable>());
        if (it == env_.end()) throw NotEvaluable();
        return it->second;
      }
      case ir::IRNodeKind::Cast: return cast(e.as<ir::Cast>()->value, t);
      case ir::IRNodeKind::Add: return arith(e.as<ir::Add>(), t);
      case ir::IRNodeKind::Sub: return arith(e.as<ir::Sub>(), t);
      case ir::IRNodeKind::Mul: return arith(e.as<ir::Mul>(), t);
      case ir::IRNodeKind::Div: return arith(e.as<ir::Div>(), t);
      case ir::IRNodeKind::Mod: return arith(e.as<ir::Mod>(), t);
      case ir::IRNodeKind::Min: return arith(e.as<ir::Min>(), t);
      case ir::IRNodeKind::Max: return arith(e.as<ir::Max>(), t);
      case ir::IRNodeKind::EQ: return compare(e.as<ir::EQ>());
      case ir::IRNodeKind::NE: return compare(e.as<ir::NE>());
      case ir::IRNodeKind::LT: return compare(e.as<ir::LT>());
      case ir::IRNodeKind::LE: return compare(e.as<ir::LE>());
      case ir::IRNodeKind::GT: return compare(e.as<ir::GT>());
      case ir::IRNodeKind::GE: return compare(e.as<ir::GE>());
      case ir::IRNodeKind::And: {
        const ir::And *op = e.as<ir::And>();
        return Scalar{eval(op->a).i && eval(op->b).i, 0};
      }
      case ir::IRNodeKind::Or: {
        const ir::Or *op = e.as<ir::Or>();
        return Scalar{eval(op->a).i || eval(op->b).i, 0};
      }
      case ir::IRNodeKind::Not: return Scalar{!eval(e.as<ir::Not>()->a).i, 0};
      case ir::IRNodeKind::Select: {
        const ir::Select *op = e.as<ir::Select>();
        return eval(eval(op->condition).i ? op->true_value : op->false_value);
      }
      case ir::IRNodeKind::Let: {
        const ir::Let *op = e.as<ir::Let>();
        env_[op->var.get()] = eval(op->value);
        return eval(op->body);
      }
      case ir::IRNodeKind::Call: return call(e.as<ir::Call>(), t);
      case ir::IRNodeKind::TensorRead: return read(e.as<ir::TensorRead>());
      case ir::IRNodeKind::Reduce: return reduce(e.as<ir::Reduce>(), t);
      default: throw NotEvaluable();  // Load, Ramp, Broadcast: not in tensor expressions
    }
  }

  Scalar cast(const Expr &value, DataType to) {
    DataType from = value.type();
    Scalar s = eval(value);
    if (to.is_float()) return normalize(Scalar{0, to_double(s, from)}, to);
    if (to.is_bool()) return Scalar{from.is_float() ? s.f != 0 : s.i != 0, 0};
    if (from.is_float()) {
      // Float -> int truncates toward zero; out-of-range values have no defined result.
      double v = std::trunc(s.f);
      if (!(std::abs(v) < 9.2e18)) throw NotEvaluable();
      return normalize(Scalar{static_cast<int64_t>(v), 0}, to);
    }
    return normalize(s, to);
  }

  template <typename Op>
  Scalar arith(const Op *op, DataType t) {
    Scalar a = eval(op->a), b = eval(op->b);
    constexpr ir::IRNodeKind kind = Op::kKind;
    if (t.is_float()) {
      double x = a.f, y = b.f, r = 0;
      switch (kind) {
        case ir::IRNodeKind::Add: r = x + y; break;
        case ir::IRNodeKind::Sub: r = x - y; break;
        case ir::IRNodeKind::Mul: r = x * y; break;
        case ir::IRNodeKind::Div: r = x / y; break;
        case ir::IRNodeKind::Mod: r = x - y * std::floor(x / y); break;
        case ir::IRNodeKind::Min: r = std::min(x, y); break;
        default: r = std::max(x, y); break;
      }
      return normalize(Scalar{0, r}, t);
    }
    // Two's complement wrap-around through unsigned arithmetic.
    uint64_t x = static_cast<uint64_t>(a.i), y = static_cast<uint64_t>(b.i);
    bool is_unsigned = t.is_uint() || t.is_bool();
    int64_t r = 0;
    switch (kind) {
      case ir::IRNodeKind::Add: r = static_cast<int64_t>(x + y); break;
      case ir::IRNodeKind::Sub: r = static_cast<int64_t>(x - y); break;
      case ir::IRNodeKind::Mul: r = static_cast<int64_t>(x * y); break;
      case ir::IRNodeKind::Div:
      case ir::IRNodeKind::Mod: {
        if (y == 0 || (!is_unsigned && a.i == std::numeric_limits<int64_t>::min() && b.i == -1)) {
          throw NotEvaluable();
        }
        bool div = kind == ir::IRNodeKind::Div;
        if (is_unsigned) {
          r = static_cast<int64_t>(div ? x / y : x % y);
        } else {
          int64_t q = floor_div(a.i, b.i);
          r = div ? q : a.i - q * b.i;
        }
        break;
      }
      case ir::IRNodeKind::Min: r = (is_unsigned ? x < y : a.i < b.i) ? a.i : b.i; break;
      default: r = (is_unsigned ? x > y : a.i > b.i) ? a.i : b.i; break;
    }
    return normalize(Scalar{r, 0}, t);
  }

  template <typename Op>
  Scalar compare(const Op *op) {
    DataType t = op->a.type();
    Scalar a = eval(op->a), b = eval(op->b);
    int c = 0;  // -1, 0, 1 (NaN compares unordered: every comparison but NE is false)
    bool unordered = false;
    if (t.is_float()) {
      unordered = std::isnan(a.f) || std::isnan(b.f);
      c = a.f < b.f ? -1 : a.f > b.f ? 1 : 0;
    } else if (t.is_uint()) {
      uint64_t x = static_cast<uint64_t>(a.i), y = static_cast<uint64_t>(b.i);
      c = x < y ? -1 : x > y ? 1 : 0;
    } else {
      c = a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
    }
    bool r = false;
    switch (Op::kKind) {
      case ir::IRNodeKind::EQ: r = !unordered && c == 0; break;
      case ir::IRNodeKind::NE: r = unordered || c != 0; break;
      case ir::IRNodeKind::LT: r = !unordered && c < 0; break;
      case ir::IRNodeKind::LE: r = !unordered && c <= 0; break;
      case ir::IRNodeKind::GT: r = !unordered && c > 0; break;
      default: r = !unordered && c >= 0; break;
    }
    return Scalar{r, 0};
  }

  Scalar call(const ir::Call *op, DataType t) {
    if (!t.is_float()) throw NotEvaluable();
    double x = eval(op->args.at(0)).f, r = 0;
    switch (op->op) {
      case ir::Intrinsic::Exp: r = std::exp(x); break;
      case ir::Intrinsic::Log: r = std::log(x); break;
      case ir::Intrinsic::Sqrt: r = std::sqrt(x); break;
      case ir::Intrinsic::Tanh: r = std::tanh(x); break;
      case ir::Intrinsic::Erf: r = std::erf(x); break;
      case ir::Intrinsic::Sigmoid: r = 1.0 / (1.0 + std::exp(-x)); break;
      case ir::Intrinsic::Pow: r = std::pow(x, eval(op->args.at(1)).f); break;
      case ir::Intrinsic::Abs: r = std::abs(x); break;
      case ir::Intrinsic::Floor: r = std::floor(x); break;
      case ir::Intrinsic::Ceil: r = std::ceil(x); break;
      case ir::Intrinsic::Round: r = std::nearbyint(x); break;  // half to even
    }
    return normalize(Scalar{0, r}, t);
  }

  Scalar read(const ir::TensorRead *op) {
    const auto *t = static_cast<const te::TensorNode *>(op->producer.get());
    if (op->indices.size() != t->shape.size()) throw NotEvaluable();
    int64_t offset = 0;
    for (size_t d = 0; d < op->indices.size(); ++d) {
      int64_t i = eval_int(op->indices[d]);
      if (i < 0 || i >= t->shape[d]) throw NotEvaluable();
      offset = offset * t->shape[d] + i;
    }
    if (t->kind == te::TensorKind::Compute) return elements(t)[offset];
    auto it = bound_.find(t);
    if (it == bound_.end() || !it->second || it->second->shape != t->shape) throw NotEvaluable();
    const TensorData &data = *it->second;
    if (data.dtype.is_float()) return normalize(Scalar{0, data.as_double(offset)}, t->dtype);
    return normalize(Scalar{data.as_int64(offset), 0}, t->dtype);
  }

  Scalar reduce(const ir::Reduce *op, DataType t) {
    double inf = std::numeric_limits<double>::infinity();
    Scalar acc;
    switch (op->combiner) {
      case ir::ReduceKind::Sum: acc = Scalar{0, 0}; break;
      case ir::ReduceKind::Prod: acc = Scalar{1, 1}; break;
      case ir::ReduceKind::Max:
        acc = Scalar{t.is_uint() ? 0 : std::numeric_limits<int64_t>::min(), -inf};
        break;
      case ir::ReduceKind::Min:
        acc = Scalar{t.is_uint() ? -1 : std::numeric_limits<int64_t>::max(), inf};
        break;
    }
    acc = normalize(acc, t);
    reduce_axes(op, t, 0, acc);
    return acc;
  }

  void reduce_axes(const ir::Reduce *op, DataType t, size_t k, Scalar &acc) {
    if (k == op->axes.size()) {
      if (!eval(op->condition).i) return;
      Scalar v = eval(op->source);
      acc = combine(op->combiner, acc, v, t);
      return;
    }
    const ir::IterVar &axis = op->axes[k];
    int64_t min = eval_int(axis.dom().min), extent = eval_int(axis.dom().extent);
    for (int64_t i = 0; i < extent; ++i) {
      env_[axis.var().get()] = Scalar{min + i, 0};
      reduce_axes(op, t, k + 1, acc);
    }
  }

  static Scalar combine(ir::ReduceKind kind, Scalar a, Scalar b, DataType t) {
    if (t.is_float()) {
      double r = kind == ir::ReduceKind::Sum    ? a.f + b.f
                 : kind == ir::ReduceKind::Prod ? a.f * b.f
                 : kind == ir::ReduceKind::Max  ? std::max(a.f, b.f)
                                                : std::min(a.f, b.f);
      return normalize(Scalar{0, r}, t);
    }
    uint64_t x = static_cast<uint64_t>(a.i), y = static_cast<uint64_t>(b.i);
    bool is_unsigned = t.is_uint() || t.is_bool();
    bool less = is_unsigned ? x < y : a.i < b.i;
    int64_t r = kind == ir::ReduceKind::Sum    ? static_cast<int64_t>(x + y)
                : kind == ir::ReduceKind::Prod ? static_cast<int64_t>(x * y)
                : kind == ir::ReduceKind::Max  ? (less ? b.i : a.i)
                                               : (less ? a.i : b.i);
    return normalize(Scalar{r, 0}, t);
  }

  const std::map<const te::TensorNode *, ConstantPtr> &bound_;
  int64_t steps_left_;
  std::unordered_map<const ir::Variable *, Scalar> env_;
  std::unordered_map<const te::TensorNode *, std::vector<Scalar>> memo_;
};

/// Stores `s` (of type t) as element i of `out`.
void store(TensorData &out, int64_t i, const Scalar &s) {
  DataType t = out.dtype;
  uint8_t *p = out.bytes.data() + i * t.bytes();
  if (t.is_float()) {
    if (t.bits == 32) {
      float f = static_cast<float>(s.f);
      std::memcpy(p, &f, 4);
    } else {
      std::memcpy(p, &s.f, 8);
    }
    return;
  }
  uint64_t bits = static_cast<uint64_t>(s.i);
  std::memcpy(p, &bits, t.bytes());  // little-endian: the low bytes
}

}  // namespace

ConstantPtr evaluate_tensor(const te::Tensor &t,
                            const std::map<const te::TensorNode *, ConstantPtr> &bound,
                            int64_t max_steps) {
  if (!is_supported_type(t.dtype())) return nullptr;
  if (t.is_placeholder()) {
    auto it = bound.find(t.get());
    return it == bound.end() ? nullptr : it->second;
  }
  try {
    Interpreter interp(bound, max_steps);
    const std::vector<Scalar> &values = interp.elements(t.get());
    auto out = TensorData::make(t.dtype(), t.shape());
    for (int64_t i = 0; i < out->size(); ++i) store(*out, i, values[i]);
    return out;
  } catch (const NotEvaluable &) {
    return nullptr;
  }
}

}  // namespace autotune::graph

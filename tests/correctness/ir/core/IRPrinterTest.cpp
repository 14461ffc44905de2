// The text form of expressions, statements and kernels.
#include <gtest/gtest.h>

#include <limits>
#include <sstream>

#include "ir/core/IROperators.h"
#include "ir/core/IRPrinter.h"

namespace autotune::ir {
namespace {

DataProducer make_producer(const std::string &name, std::vector<int64_t> shape) {
  auto *p = new DataProducerNode;
  p->name = name;
  p->shape = std::move(shape);
  p->dtype = Float(32);
  return DataProducer(p);
}

TEST(IRPrinter, Constants) {
  EXPECT_EQ(to_string(Expr(42)), "42");
  EXPECT_EQ(to_string(Expr(-3)), "-3");
  EXPECT_EQ(to_string(IntImm::make(Int(32), 7)), "int32(7)");
  EXPECT_EQ(to_string(IntImm::make(UInt(8), 255)), "uint8(255)");
  EXPECT_EQ(to_string(make_bool(true)), "true");
  EXPECT_EQ(to_string(make_bool(false)), "false");
  EXPECT_EQ(to_string(Expr(1.5f)), "1.5f");
  EXPECT_EQ(to_string(Expr(2.0f)), "2.0f");
  EXPECT_EQ(to_string(Expr(0.1f)), "0.1f");
  EXPECT_EQ(to_string(FloatImm::make(Float(64), 0.1)), "0.1");
  EXPECT_EQ(to_string(FloatImm::make(Float(64), 1.0 / 3.0)), "0.3333333333333333");
  EXPECT_EQ(to_string(FloatImm::make(Float(32), -std::numeric_limits<double>::infinity())),
            "float32(-inf)");
}

TEST(IRPrinter, FloatsRoundTrip) {
  for (float v : {3.14159274f, 1e-7f, 123456.789f, -2.5e10f}) {
    std::string text = to_string(Expr(v));
    ASSERT_EQ(text.back(), 'f') << text;
    EXPECT_EQ(std::stof(text.substr(0, text.size() - 1)), v) << text;
  }
}

TEST(IRPrinter, Arithmetic) {
  Var i("i"), j("j"), x("x");
  EXPECT_EQ(to_string(Add::make(Mul::make(i, 64), j)), "(i*64 + j)");
  EXPECT_EQ(to_string(Sub::make(i, 1)), "(i - 1)");
  EXPECT_EQ(to_string(Mul::make(Add::make(i, 1), j)), "(i + 1)*j");
  EXPECT_EQ(to_string(Mul::make(i, Mul::make(j, 2))), "i*(j*2)");
  EXPECT_EQ(to_string(Mul::make(Mul::make(i, j), 2)), "i*j*2");
  EXPECT_EQ(to_string(Div::make(Div::make(x, 4), 2)), "x/4/2");
  EXPECT_EQ(to_string(Mul::make(Div::make(x, 4), 2)), "(x/4)*2");
  EXPECT_EQ(to_string(Mod::make(Add::make(x, 1), 8)), "(x + 1) % 8");
  EXPECT_EQ(to_string(Min::make(x, 4)), "min(x, 4)");
  EXPECT_EQ(to_string(Max::make(x, i)), "max(x, i)");
  EXPECT_EQ(to_string(Cast::make(Float(32), x)), "float32(x)");
}

TEST(IRPrinter, Logic) {
  Var x("x"), y("y");
  Expr lt = LT::make(x, 4), eq = EQ::make(x, y);
  EXPECT_EQ(to_string(lt), "(x < 4)");
  EXPECT_EQ(to_string(And::make(lt, Not::make(eq))), "((x < 4) && !(x == y))");
  EXPECT_EQ(to_string(Or::make(GE::make(x, 0), NE::make(y, 1))), "((x >= 0) || (y != 1))");
  EXPECT_EQ(to_string(Select::make(LE::make(x, y), x, y)), "select((x <= y), x, y)");
}

TEST(IRPrinter, VectorsAndMemory) {
  Var a("A", Handle()), i("i"), p("p", Bool(8));
  Expr ramp = Ramp::make(i, 1, 8);
  EXPECT_EQ(to_string(ramp), "ramp(i, 1, 8)");
  EXPECT_EQ(to_string(Broadcast::make(Expr(0.5f), 8)), "x8(0.5f)");
  EXPECT_EQ(to_string(Load::make(Float(32), a, ramp)), "A[ramp(i, 1, 8)]");
  EXPECT_EQ(to_string(Load::make(Float(32), a, ramp, p)), "A[ramp(i, 1, 8), mask=p]");
  EXPECT_EQ(to_string(exp(Load::make(Float(32), a, i))), "exp(A[i])");
}

TEST(IRPrinter, LetAndTypedBindings) {
  Var x("x"), y("y", Int(32));
  EXPECT_EQ(to_string(Let::make(x, 3, Add::make(x, 1))), "(let x = 3 in (x + 1))");
  Expr y_value = IntImm::make(Int(32), 2);
  EXPECT_EQ(to_string(Let::make(y, y_value, y)), "(let y: int32 = int32(2) in y)");
}

TEST(IRPrinter, TensorReadAndReduce) {
  DataProducer a = make_producer("A", {16, 16});
  Var i("i"), k("k");
  IterVar kv(Range::from_min_extent(0, 16), k, IterVarKind::Reduce);
  Expr read = TensorRead::make(a, {i, k});
  EXPECT_EQ(to_string(read), "A(i, k)");
  EXPECT_EQ(to_string(Reduce::make(ReduceKind::Sum, read, {kv}, Expr())), "sum(A(i, k), axis=[k])");
  EXPECT_EQ(to_string(Reduce::make(ReduceKind::Max, read, {kv}, LT::make(k, i))),
            "max(A(i, k), axis=[k], where (k < i))");
}

TEST(IRPrinter, LoopNest) {
  Var c("C", Handle()), a("A", Handle()), i("i"), j("j");
  Stmt store = Store::make(c, Load::make(Float(32), a, Add::make(Mul::make(i, 64), j)),
                           Add::make(Mul::make(i, 64), j));
  Stmt nest = For::make(i, 0, 64, ForKind::Parallel, For::make(j, 0, 64, ForKind::Serial, store));
  EXPECT_EQ(to_string(nest),
            "parallel (i, 0, 64) {\n"
            "  for (j, 0, 64) {\n"
            "    C[(i*64 + j)] = A[(i*64 + j)]\n"
            "  }\n"
            "}\n");
  Stmt kinds = Block::make({For::make(i, 0, 8, ForKind::Vectorized, Evaluate::make(i)),
                            For::make(j, 0, 4, ForKind::Unrolled, Evaluate::make(j))});
  EXPECT_EQ(to_string(kinds),
            "vectorized (i, 0, 8) {\n"
            "  i\n"
            "}\n"
            "unrolled (j, 0, 4) {\n"
            "  j\n"
            "}\n");
  Var tx("tx");
  Stmt bound = For::make(tx, 0, 32, ForKind::ThreadBinding, Evaluate::make(tx), "threadIdx.x");
  EXPECT_EQ(to_string(bound), "thread_binding (tx, 0, 32, \"threadIdx.x\") {\n  tx\n}\n");
}

TEST(IRPrinter, AllocateIfAndLet) {
  Var b("B", Handle()), i("i"), n("n");
  Stmt store = Store::make(b, Expr(0.0f), i);
  Stmt branch = IfThenElse::make(LT::make(i, n), store, Store::make(b, Expr(1.0f), i));
  Stmt body = LetStmt::make(n, 10, For::make(i, 0, 64, ForKind::Serial, branch));
  Stmt alloc = Allocate::make(b, Float(32), 64, MemoryScope::Local, body);
  EXPECT_EQ(to_string(alloc),
            "allocate B[float32 * 64] local {\n"
            "  let n = 10\n"
            "  for (i, 0, 64) {\n"
            "    if ((i < n)) {\n"
            "      B[i] = 0.0f\n"
            "    } else {\n"
            "      B[i] = 1.0f\n"
            "    }\n"
            "  }\n"
            "}\n");
}

TEST(IRPrinter, ElseIfChainsStayFlat) {
  Var x("x");
  Stmt chain =
      IfThenElse::make(LT::make(x, 0), Evaluate::make(1),
                       IfThenElse::make(LT::make(x, 8), Evaluate::make(2), Evaluate::make(3)));
  EXPECT_EQ(to_string(chain),
            "if ((x < 0)) {\n"
            "  1\n"
            "} else if ((x < 8)) {\n"
            "  2\n"
            "} else {\n"
            "  3\n"
            "}\n");
}

TEST(IRPrinter, RealizeAndProvide) {
  DataProducer c = make_producer("C", {64, 32});
  Var i("i"), o("o");
  Stmt provide = Provide::make(c, Expr(1.0f), {i, o});
  Stmt realize =
      Realize::make(c, {Range(0, 64), Range(Mul::make(o, 16), 16)}, MemoryScope::Global, provide);
  EXPECT_EQ(to_string(realize),
            "realize C([0, 64), [o*16, (o*16 + 16))) global {\n"
            "  C(i, o) = 1.0f\n"
            "}\n");
}

TEST(IRPrinter, LoweredFunc) {
  Var a("A", Handle()), b("B", Handle()), i("i");
  LoweredFunc f;
  f.name = "copy";
  f.args = {{a, Float(32), {4, 8}}, {b, Float(32), {32}}};
  f.body = For::make(i, 0, 32, ForKind::Serial, Store::make(b, Load::make(Float(32), a, i), i));
  std::ostringstream ss;
  ss << f;
  EXPECT_EQ(ss.str(),
            "func copy(A: float32[4, 8], B: float32[32]) {\n"
            "  for (i, 0, 32) {\n"
            "    B[i] = A[i]\n"
            "  }\n"
            "}\n");
}

TEST(IRPrinter, Undefined) {
  EXPECT_EQ(to_string(Expr()), "<undefined>");
  EXPECT_EQ(to_string(Stmt()), "<undefined>\n");
}

}  // namespace
}  // namespace autotune::ir

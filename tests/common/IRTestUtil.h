// Test helpers for IR: EXPECT_IR_EQ compares two Exprs or two Stmts with structural_equal and
// prints both sides when they differ.
#pragma once

#include <gtest/gtest.h>

#include "ir/core/IR.h"
#include "ir/core/IRPrinter.h"
#include "ir/core/StructuralEqual.h"

namespace autotune::test {

template <typename Node>
::testing::AssertionResult assert_ir_equal_impl(const char *actual_text, const char *expected_text,
                                                const Node &actual, const Node &expected) {
  if (ir::structural_equal(actual, expected)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "IR differs: " << actual_text << " vs " << expected_text << "\n"
         << "  actual:\n"
         << actual << "\n  expected:\n"
         << expected;
}

inline ::testing::AssertionResult assert_ir_equal(const char *actual_text,
                                                  const char *expected_text, const ir::Expr &actual,
                                                  const ir::Expr &expected) {
  return assert_ir_equal_impl(actual_text, expected_text, actual, expected);
}

inline ::testing::AssertionResult assert_ir_equal(const char *actual_text,
                                                  const char *expected_text, const ir::Stmt &actual,
                                                  const ir::Stmt &expected) {
  return assert_ir_equal_impl(actual_text, expected_text, actual, expected);
}

}  // namespace autotune::test

/// Expects structural equality (up to renaming of bound variables) of two Exprs or two Stmts.
/// Integer literals convert to int64 constants: EXPECT_IR_EQ(simplify(x - x), 0).
#define EXPECT_IR_EQ(actual, expected) \
  EXPECT_PRED_FORMAT2(::autotune::test::assert_ir_equal, actual, expected)
#define ASSERT_IR_EQ(actual, expected) \
  ASSERT_PRED_FORMAT2(::autotune::test::assert_ir_equal, actual, expected)

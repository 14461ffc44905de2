// Shared test helpers: assertions on error types and messages, random data, tolerant comparison.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "ir/support/Error.h"

/// Asserts that `stmt` throws `ErrorType` whose message contains `substring`.
#define EXPECT_ERROR_WITH(ErrorType, stmt, substring)                                     \
  do {                                                                                    \
    bool thrown_ = false;                                                                 \
    try {                                                                                 \
      stmt;                                                                               \
    } catch (const ErrorType &e_) {                                                       \
      thrown_ = true;                                                                     \
      EXPECT_NE(std::string(e_.what()).find(substring), std::string::npos)                \
          << "message was: " << e_.what();                                                \
    }                                                                                     \
    EXPECT_TRUE(thrown_) << "expected " #ErrorType " from: " #stmt;                       \
  } while (0)
#define EXPECT_USER_ERROR(stmt, substring) EXPECT_ERROR_WITH(::autotune::UserError, stmt, substring)

namespace autotune::test {

/// Uniform random floats in [lo, hi) from a fixed seed.
std::vector<float> random_floats(size_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f);

/// Max |a-b| / (atol + rtol*|b|) over all elements; <= 1 means "close". Sizes must match.
::testing::AssertionResult all_close(const std::vector<float> &actual,
                                     const std::vector<float> &expected, float rtol = 1e-4f,
                                     float atol = 1e-4f);

}  // namespace autotune::test

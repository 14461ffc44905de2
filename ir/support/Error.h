// Errors of the three kinds in STYLE.md: user errors, internal errors (compiler bugs) and warnings.
// Raise them with the streaming macros: user_check(cond) << "message";
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace autotune {

/// Bad input from the user: a schedule misuse, an unsupported op, a config outside its space.
class UserError : public std::runtime_error {
 public:
  explicit UserError(const std::string &msg) : std::runtime_error(msg) {}
};

/// A broken invariant inside autotune: always a compiler bug.
class InternalError : public std::runtime_error {
 public:
  explicit InternalError(const std::string &msg) : std::runtime_error(msg) {}
};

namespace detail {

enum class ReportKind { User, Internal, Warning };

/// Collects a message with operator<< and throws (or prints, for warnings) when destroyed.
class ErrorReport {
 public:
  ErrorReport(ReportKind kind, const char *file, int line, const char *condition);
  ErrorReport(const ErrorReport &) = delete;
  ~ErrorReport() noexcept(false);

  template <typename T>
  ErrorReport &operator<<(const T &value) {
    msg_ << value;
    return *this;
  }

 private:
  ReportKind kind_;
  const char *file_;
  int line_;
  const char *condition_;
  std::ostringstream msg_;
};

/// Lets `cond ? (void)0 : Voidify() & report << ...` compile as an expression statement.
struct Voidify {
  void operator&(ErrorReport &) {}
};

}  // namespace detail

/// Number of warnings emitted so far (tests use it to observe user_warning).
int warning_count();

}  // namespace autotune

#define user_error                                                                              \
  ::autotune::detail::ErrorReport(::autotune::detail::ReportKind::User, __FILE__, __LINE__, \
                                  nullptr)
#define internal_error                                                                              \
  ::autotune::detail::ErrorReport(::autotune::detail::ReportKind::Internal, __FILE__, __LINE__, \
                                  nullptr)
#define user_warning                                                                               \
  ::autotune::detail::ErrorReport(::autotune::detail::ReportKind::Warning, __FILE__, __LINE__, \
                                  nullptr)

#define user_check(cond)                                                                  \
  (cond) ? (void)0                                                                        \
         : ::autotune::detail::Voidify() &                                                \
               ::autotune::detail::ErrorReport(::autotune::detail::ReportKind::User,     \
                                               __FILE__, __LINE__, #cond)
#define internal_check(cond)                                                               \
  (cond) ? (void)0                                                                         \
         : ::autotune::detail::Voidify() &                                                 \
               ::autotune::detail::ErrorReport(::autotune::detail::ReportKind::Internal,  \
                                               __FILE__, __LINE__, #cond)

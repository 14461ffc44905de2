// TempDir: a scratch directory for tests that write files (databases, models, kernels), made fresh
// under the system temp dir and removed with everything in it when the test is done.
#pragma once

#include <string>

namespace autotune::test {

/// A fresh directory under the system temp dir ($TMPDIR or /tmp), removed with its contents on
/// destruction. Throws std::runtime_error when it cannot be made.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;

  const std::string &path() const { return path_; }
  /// path()/name; the file need not exist.
  std::string file(const std::string &name) const;
  /// Writes `bytes` to path()/name and returns that path.
  std::string write(const std::string &name, const std::string &bytes) const;

 private:
  std::string path_;
};

}  // namespace autotune::test

// The code generation target: a parsed target string such as
// "llvm -mtriple=aarch64-linux-gnu -mcpu=cortex-a72 -mattr=+neon". Tuning records key on str().
#pragma once

#include <string>
#include <vector>

namespace autotune::codegen {

/// A CPU target for the LLVM backend. Built by parsing; every field is resolved (no "native").
struct Target {
  std::string kind = "llvm";
  /// LLVM target triple as written ("x86_64-linux-gnu"); the host's when the string has none.
  std::string triple;
  /// CPU name as LLVM knows it ("znver3", "cortex-a72", "generic"). "-mcpu=native" resolves to
  /// the host CPU's name and also enables exactly the host's features.
  std::string cpu = "generic";
  /// Feature switches as written in -mattr ("+neon", "-avx512f"), in order.
  std::vector<std::string> attrs;
  /// Width of one SIMD register for float32 arithmetic, in bits: 512 with AVX-512, 256 with AVX,
  /// 128 for SSE and NEON (and for targets we know nothing about).
  int vector_bits = 128;

  /// Parses "llvm [-mtriple=T] [-mcpu=C] [-mattr=+a,-b,...]"; options in any order, each once.
  /// Throws UserError naming the bad token (unknown option, unknown triple or CPU, empty value).
  static Target parse(const std::string &target_string);
  /// The machine we run on: "llvm -mtriple=<host> -mcpu=native".
  static Target host();

  /// The canonical target string: kind, then -mtriple, -mcpu and -mattr when non-empty.
  std::string str() const;
  /// True when code for this target runs on this machine: same architecture and OS, and every
  /// feature the CPU and attrs enable is present on the host.
  bool is_host() const;
  /// Float32 lanes in one vector register (vector_bits / 32).
  int float_lanes() const { return vector_bits / 32; }
  /// The feature string handed to LLVM: the host's features for "native", then attrs.
  const std::string &llvm_features() const { return features_; }
  /// True when the triple's architecture and OS are the host's (the CPU may still differ).
  bool is_host_arch() const;

  bool operator==(const Target &o) const { return str() == o.str(); }
  bool operator!=(const Target &o) const { return !(*this == o); }

 private:
  std::string features_;
};

/// Registers every LLVM target, MC layer and asm printer once; safe to call from any thread.
void initialize_llvm_targets();

}  // namespace autotune::codegen

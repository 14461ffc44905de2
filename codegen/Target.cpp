// Parsing and resolution of target strings; the only place that asks LLVM about CPUs and features.
#include "codegen/Target.h"

#include <llvm/ADT/StringMap.h>
#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/TargetParser/Host.h>
#include <llvm/TargetParser/Triple.h>

#include <memory>
#include <mutex>
#include <sstream>

#include "ir/support/Error.h"

namespace autotune::codegen {
namespace {

std::unique_ptr<llvm::MCSubtargetInfo> make_subtarget(const std::string &triple,
                                                      const std::string &cpu,
                                                      const std::string &features) {
  std::string err;
  const llvm::Target *t = llvm::TargetRegistry::lookupTarget(triple, err);
  internal_check(t) << "triple '" << triple << "' was validated but LLVM lost it: " << err;
  return std::unique_ptr<llvm::MCSubtargetInfo>(t->createMCSubtargetInfo(triple, cpu, features));
}

/// The host's features as "+a,-b,..." (everything LLVM detects, enabled or not).
std::string host_feature_string() {
  llvm::StringMap<bool> features;
  std::string out;
  if (!llvm::sys::getHostCPUFeatures(features)) return out;
  for (const auto &f : features) {
    if (!out.empty()) out += ",";
    out += (f.second ? "+" : "-") + f.first().str();
  }
  return out;
}

std::string join(const std::vector<std::string> &parts, const char *sep) {
  std::string out;
  for (const auto &p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

std::vector<std::string> split(const std::string &s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  return out;
}

/// True when the target knows feature `name`: with it switched off, "+name" no longer holds.
/// An unknown name is ignored by LLVM, so "+name" trivially holds. (LLVM 16 has no accessor for
/// the feature table; for an unknown name LLVM prints a warning before we report the error.)
bool is_known_feature(const std::string &triple, const std::string &name) {
  auto sti = make_subtarget(triple, "", "");
  sti->ApplyFeatureFlag("-" + name);
  return !sti->checkFeatures("+" + name);
}

/// Instruction-set features that decide whether code runs on a CPU (tuning flags do not).
constexpr const char *kIsaFeatures[] = {
    "sse",      "sse2",       "sse3",       "ssse3",      "sse4.1",   "sse4.2",   "avx",
    "avx2",     "fma",        "f16c",       "fma4",       "xop",      "bmi",      "bmi2",
    "popcnt",   "lzcnt",      "movbe",      "avx512f",    "avx512bw", "avx512dq", "avx512vl",
    "avx512cd", "avx512vnni", "avx512bf16", "avx512fp16", "avxvnni",  "amx-tile", "neon",
    "fp-armv8", "fullfp16",   "dotprod",    "i8mm",       "sve",      "sve2",     "bf16"};

int vector_bits_of(const llvm::Triple &triple, const llvm::MCSubtargetInfo &sti) {
  if (triple.isX86()) {
    if (sti.checkFeatures("+avx512f")) return 512;
    if (sti.checkFeatures("+avx")) return 256;
    return 128;
  }
  return 128;  // NEON, and a conservative guess for everything else
}

}  // namespace

void initialize_llvm_targets() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
    llvm::InitializeAllAsmParsers();
  });
}

Target Target::parse(const std::string &target_string) {
  initialize_llvm_targets();
  std::istringstream in(target_string);
  std::vector<std::string> tokens;
  for (std::string tok; in >> tok;) tokens.push_back(tok);
  user_check(!tokens.empty()) << "empty target string (expected e.g. 'llvm -mcpu=native')";
  user_check(tokens[0] == "llvm") << "unknown target kind '" << tokens[0] << "' in target '"
                                  << target_string << "' (expected 'llvm')";

  Target t;
  bool has_triple = false, has_cpu = false, has_attr = false;
  for (size_t i = 1; i < tokens.size(); ++i) {
    const std::string &tok = tokens[i];
    size_t eq = tok.find('=');
    std::string key = tok.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : tok.substr(eq + 1);
    bool *seen = key == "-mtriple" ? &has_triple
                 : key == "-mcpu"  ? &has_cpu
                 : key == "-mattr" ? &has_attr
                                   : nullptr;
    user_check(seen != nullptr) << "unknown option '" << tok << "' in target '" << target_string
                                << "' (expected -mtriple=, -mcpu= or -mattr=)";
    user_check(eq != std::string::npos && !value.empty())
        << "option '" << tok << "' in target '" << target_string << "' needs a value";
    user_check(!*seen) << "option '" << key << "' given twice in target '" << target_string << "'";
    *seen = true;
    if (key == "-mtriple") t.triple = value;
    if (key == "-mcpu") t.cpu = value;
    if (key == "-mattr") t.attrs = split(value, ',');
  }
  if (!has_triple) t.triple = llvm::sys::getDefaultTargetTriple();

  std::string err;
  const llvm::Target *llvm_target = llvm::TargetRegistry::lookupTarget(t.triple, err);
  user_check(llvm_target != nullptr)
      << "unknown triple '" << t.triple << "' in target '" << target_string << "': " << err;
  llvm::Triple triple(t.triple);

  std::string features;
  if (t.cpu == "native") {
    user_check(!has_triple || t.is_host_arch())
        << "'-mcpu=native' in target '" << target_string << "' but triple '" << t.triple
        << "' is not the host's (" << llvm::sys::getDefaultTargetTriple() << ")";
    t.cpu = llvm::sys::getHostCPUName().str();
    features = host_feature_string();
  }

  // Validate the CPU and feature names against the target's tables (LLVM only warns).
  auto plain = make_subtarget(t.triple, "", "");
  user_check(plain->isCPUStringValid(t.cpu)) << "unknown CPU '" << t.cpu << "' for triple '"
                                             << t.triple << "' in target '" << target_string << "'";
  for (const std::string &a : t.attrs) {
    user_check(a.size() > 1 && (a[0] == '+' || a[0] == '-') &&
               is_known_feature(t.triple, a.substr(1)))
        << "unknown feature '" << a << "' in target '" << target_string << "' for triple '"
        << t.triple << "' (write features as +name or -name)";
  }
  if (!t.attrs.empty()) features += (features.empty() ? "" : ",") + join(t.attrs, ",");
  t.features_ = features;

  auto sti = make_subtarget(t.triple, t.cpu, t.features_);
  t.vector_bits = vector_bits_of(triple, *sti);
  return t;
}

Target Target::host() { return parse("llvm -mcpu=native"); }

std::string Target::str() const {
  std::string s = kind + " -mtriple=" + triple;
  if (!cpu.empty()) s += " -mcpu=" + cpu;
  if (!attrs.empty()) s += " -mattr=" + join(attrs, ",");
  return s;
}

bool Target::is_host_arch() const {
  llvm::Triple mine(triple), host(llvm::sys::getDefaultTargetTriple());
  return mine.getArch() == host.getArch() && mine.getOS() == host.getOS();
}

bool Target::is_host() const {
  initialize_llvm_targets();
  if (!is_host_arch()) return false;
  llvm::StringMap<bool> host_features;
  if (!llvm::sys::getHostCPUFeatures(host_features)) return cpu == "generic" && attrs.empty();
  auto sti = make_subtarget(triple, cpu, features_);
  for (const char *name : kIsaFeatures) {
    auto it = host_features.find(name);
    if (it != host_features.end() && !it->second && sti->checkFeatures(std::string("+") + name)) {
      return false;
    }
  }
  return true;
}

}  // namespace autotune::codegen

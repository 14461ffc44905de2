// The LLVM boundary of codegen: target machines, the JIT, text/object emission and linking.
// Every LLVM error is turned into an autotune error here, keeping LLVM's message.
#include "codegen/Compile.h"

#include <fcntl.h>
#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/DiagnosticInfo.h>
#include <llvm/IR/DiagnosticPrinter.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Target/TargetOptions.h>
#include <llvm/TargetParser/Triple.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "codegen/CodeGenLLVM.h"
#include "codegen/runtime/RuntimeTable.h"
#include "ir/support/Error.h"

extern char **environ;

namespace autotune::codegen {
namespace {

llvm::TargetOptions target_options() {
  llvm::TargetOptions options;
  // Fuse fmul+fadd (marked `contract`) into FMA; no other fast-math liberties.
  options.AllowFPOpFusion = llvm::FPOpFusion::Fast;
  return options;
}

std::vector<std::string> split_features(const std::string &features) {
  std::vector<std::string> out;
  std::istringstream in(features);
  for (std::string f; std::getline(in, f, ',');) {
    if (!f.empty()) out.push_back(f);
  }
  return out;
}

/// Collects LLVM's error diagnostics of one context. Warnings and remarks are dropped: a leftover
/// vectorize or unroll hint that LLVM cannot honour is not worth a line on stderr.
class Diagnostics {
 public:
  explicit Diagnostics(llvm::LLVMContext &ctx) { ctx.setDiagnosticHandlerCallBack(&handle, this); }
  /// Throws UserError quoting LLVM when an error was reported during `stage`.
  void check(const char *stage) const {
    user_check(errors_.empty()) << stage << " failed: " << errors_;
  }

 private:
  static void handle(const llvm::DiagnosticInfo &info, void *self) {
    if (info.getSeverity() != llvm::DS_Error) return;
    std::string message;
    llvm::raw_string_ostream os(message);
    llvm::DiagnosticPrinterRawOStream printer(os);
    info.print(printer);
    os.flush();
    auto *d = static_cast<Diagnostics *>(self);
    if (!d->errors_.empty()) d->errors_ += "; ";
    d->errors_ += message;
  }
  std::string errors_;
};

std::string llvm_message(llvm::Error err) { return llvm::toString(std::move(err)); }

/// Machine-code optimization level: Aggressive, or Default with AUTOTUNE_CODEGEN_OPT=2
/// (an experiment knob: faster candidate builds during tuning).
llvm::CodeGenOpt::Level codegen_opt_level() {
  static const bool fast = [] {
    const char *v = std::getenv("AUTOTUNE_CODEGEN_OPT");
    return v && std::atoi(v) == 2;
  }();
  return fast ? llvm::CodeGenOpt::Default : llvm::CodeGenOpt::Aggressive;
}

std::unique_ptr<llvm::TargetMachine> create_target_machine(const Target &target) {
  initialize_llvm_targets();
  std::string err;
  const llvm::Target *t = llvm::TargetRegistry::lookupTarget(target.triple, err);
  user_check(t != nullptr) << "no LLVM backend for triple '" << target.triple << "': " << err;
  std::unique_ptr<llvm::TargetMachine> tm(
      t->createTargetMachine(target.triple, target.cpu, target.llvm_features(), target_options(),
                             llvm::Reloc::PIC_, std::nullopt, codegen_opt_level()));
  user_check(tm != nullptr) << "LLVM cannot create a target machine for '" << target.str() << "'";
  return tm;
}

std::unique_ptr<llvm::Module> build_module(const std::vector<ir::LoweredFunc> &funcs,
                                           llvm::TargetMachine &tm, llvm::LLVMContext &ctx,
                                           bool optimize) {
  auto module = generate_llvm_module(funcs, tm, ctx);
  if (optimize) optimize_llvm_module(*module, tm);
  return module;
}

void emit_machine_code(llvm::Module &module, llvm::TargetMachine &tm, llvm::raw_pwrite_stream &os,
                       llvm::CodeGenFileType type) {
  llvm::legacy::PassManager pm;
  user_check(!tm.addPassesToEmitFile(pm, os, nullptr, type))
      << "LLVM cannot emit " << (type == llvm::CGFT_ObjectFile ? "objects" : "assembly")
      << " for triple '" << tm.getTargetTriple().str() << "'";
  pm.run(module);
}

/// Runs argv (argv[0] is a path), returning its exit status and combined stdout+stderr.
int run_process(const std::vector<std::string> &argv, std::string *output) {
  int fds[2];
  user_check(pipe2(fds, O_CLOEXEC) == 0) << "cannot create a pipe: " << std::strerror(errno);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
  std::vector<char *> args;
  for (const std::string &a : argv) args.push_back(const_cast<char *>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    user_error << "cannot run '" << argv[0] << "': " << std::strerror(rc);
  }
  char buf[4096];
  while (true) {
    ssize_t n = read(fds[0], buf, sizeof(buf));
    if (n > 0) {
      output->append(buf, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

}  // namespace

// ---- JIT ----------------------------------------------------------------------------------------

struct JitModule::Impl {
  std::unique_ptr<Diagnostics> diagnostics;  // outlives the context, which the JIT owns
  std::unique_ptr<llvm::orc::LLJIT> jit;
};

JitModule::JitModule(const std::vector<ir::LoweredFunc> &funcs, const Target &target)
    : impl_(std::make_unique<Impl>()) {
  user_check(target.is_host()) << "cannot JIT-compile for '" << target.str()
                               << "' on this machine; build a shared library instead";
  initialize_llvm_targets();
  llvm::orc::JITTargetMachineBuilder jtmb{llvm::Triple(target.triple)};
  jtmb.setCPU(target.cpu);
  jtmb.addFeatures(split_features(target.llvm_features()));
  jtmb.setOptions(target_options());
  jtmb.setCodeGenOptLevel(llvm::CodeGenOpt::Aggressive);
  jtmb.setRelocationModel(llvm::Reloc::PIC_);

  auto tm = jtmb.createTargetMachine();
  user_check(bool(tm)) << "LLVM cannot create a JIT target machine for '" << target.str()
                       << "': " << llvm_message(tm.takeError());
  auto ctx = std::make_unique<llvm::LLVMContext>();
  impl_->diagnostics = std::make_unique<Diagnostics>(*ctx);
  auto module = build_module(funcs, **tm, *ctx, /*optimize=*/true);
  impl_->diagnostics->check("optimization");

  auto jit = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(jtmb).create();
  user_check(bool(jit)) << "LLVM cannot create a JIT: " << llvm_message(jit.takeError());
  impl_->jit = std::move(*jit);
  auto generator = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
      impl_->jit->getDataLayout().getGlobalPrefix());
  user_check(bool(generator)) << "LLVM cannot search this process for symbols: "
                              << llvm_message(generator.takeError());
  impl_->jit->getMainJITDylib().addGenerator(std::move(*generator));
  if (llvm::Error err =
          impl_->jit->addIRModule(llvm::orc::ThreadSafeModule(std::move(module), std::move(ctx)))) {
    user_error << "JIT compilation failed: " << llvm_message(std::move(err));
  }
  auto table = impl_->jit->lookup(runtime::kRuntimeTableSymbol);
  user_check(bool(table)) << "JIT compilation failed: " << llvm_message(table.takeError());
  impl_->diagnostics->check("JIT compilation");
  runtime::fill_runtime_table(table->toPtr<void *>());
}

JitModule::~JitModule() = default;
JitModule::JitModule(JitModule &&) noexcept = default;
JitModule &JitModule::operator=(JitModule &&) noexcept = default;

runtime::KernelFunction JitModule::get_function(const std::string &name) const {
  auto sym = impl_->jit->lookup(name);
  user_check(bool(sym)) << "kernel '" << name
                        << "' not found in the JIT module: " << llvm_message(sym.takeError());
  return sym->toPtr<runtime::KernelFunction>();
}

// ---- Text, objects, shared libraries ------------------------------------------------------------

std::string emit_llvm_ir(const std::vector<ir::LoweredFunc> &funcs, const Target &target,
                         bool optimize) {
  auto tm = create_target_machine(target);
  llvm::LLVMContext ctx;
  Diagnostics diagnostics(ctx);
  auto module = build_module(funcs, *tm, ctx, optimize);
  diagnostics.check("optimization");
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os, nullptr);
  os.flush();
  return text;
}

std::string emit_assembly(const std::vector<ir::LoweredFunc> &funcs, const Target &target) {
  auto tm = create_target_machine(target);
  llvm::LLVMContext ctx;
  Diagnostics diagnostics(ctx);
  auto module = build_module(funcs, *tm, ctx, true);
  llvm::SmallVector<char, 0> buf;
  llvm::raw_svector_ostream os(buf);
  emit_machine_code(*module, *tm, os, llvm::CGFT_AssemblyFile);
  diagnostics.check("assembly generation");
  return std::string(buf.begin(), buf.end());
}

void emit_object(const std::vector<ir::LoweredFunc> &funcs, const Target &target,
                 const std::string &path) {
  static const bool time_build = std::getenv("AUTOTUNE_TIME_BUILD") != nullptr;
  auto t0 = std::chrono::steady_clock::now();
  auto tm = create_target_machine(target);
  llvm::LLVMContext ctx;
  Diagnostics diagnostics(ctx);
  auto t1 = std::chrono::steady_clock::now();
  auto module = build_module(funcs, *tm, ctx, true);
  auto t2 = std::chrono::steady_clock::now();
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  user_check(!ec) << "cannot write object file '" << path << "': " << ec.message();
  emit_machine_code(*module, *tm, os, llvm::CGFT_ObjectFile);
  if (time_build) {
    auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
    std::fprintf(stderr, "[build] target machine %.1f ms, IR+O3 %.1f ms, machine code %.1f ms\n",
                 ms(t0, t1), ms(t1, t2), ms(t2, std::chrono::steady_clock::now()));
  }
  os.close();
  diagnostics.check("object generation");
  user_check(!os.has_error()) << "cannot write object file '" << path
                              << "': " << os.error().message();
}

void link_shared(const std::vector<std::string> &objects, const std::string &so_path) {
  user_check(!objects.empty()) << "nothing to link into '" << so_path << "'";
  std::string soname = so_path.substr(so_path.find_last_of('/') + 1);
  std::vector<std::string> argv{AUTOTUNE_LLD, "-shared", "-o",          so_path, "-soname",
                                soname,       "-z",      "noexecstack", "-O1"};
  argv.insert(argv.end(), objects.begin(), objects.end());
  std::string output;
  int status = run_process(argv, &output);
  user_check(status == 0) << "linking '" << so_path << "' with " << AUTOTUNE_LLD
                          << " failed (exit status " << status << "): " << output;
}

void build_shared_library(const std::vector<ir::LoweredFunc> &funcs, const Target &target,
                          const std::string &so_path) {
  static std::atomic<int> counter{0};
  std::string object =
      so_path + "." + std::to_string(getpid()) + "." + std::to_string(counter++) + ".o";
  try {
    emit_object(funcs, target, object);
    link_shared({object}, so_path);
  } catch (...) {
    std::remove(object.c_str());
    throw;
  }
  std::remove(object.c_str());
}

}  // namespace autotune::codegen

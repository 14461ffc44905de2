// dlopen-based loading of kernel libraries; fills each library's runtime table on open.
#include "codegen/runtime/Module.h"

#include <dlfcn.h>

#include <mutex>
#include <utility>

#include "codegen/runtime/RuntimeTable.h"
#include "ir/support/Error.h"

namespace autotune::runtime {
namespace {

// dlerror() keeps its message in thread-local storage, but dlopen/dlsym/dlerror triples from two
// threads must not interleave on glibc versions that shared it; a lock keeps messages intact.
std::mutex g_dl_mu;

std::string last_dl_error() {
  const char *e = dlerror();
  return e ? e : "unknown error";
}

}  // namespace

LoadedModule::LoadedModule(const std::string &path) : path_(path) {
  std::lock_guard<std::mutex> lk(g_dl_mu);
  dlerror();
  handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  user_check(handle_ != nullptr) << "cannot load kernel library '" << path
                                 << "': " << last_dl_error();
  dlerror();
  if (void *table = dlsym(handle_, kRuntimeTableSymbol)) fill_runtime_table(table);
}

LoadedModule::~LoadedModule() {
  if (handle_) dlclose(handle_);
}

LoadedModule::LoadedModule(LoadedModule &&other) noexcept
    : path_(std::move(other.path_)), handle_(std::exchange(other.handle_, nullptr)) {}

LoadedModule &LoadedModule::operator=(LoadedModule &&other) noexcept {
  if (this != &other) {
    if (handle_) dlclose(handle_);
    path_ = std::move(other.path_);
    handle_ = std::exchange(other.handle_, nullptr);
  }
  return *this;
}

KernelFunction LoadedModule::get_function(const std::string &name) const {
  user_check(handle_ != nullptr) << "kernel library '" << path_ << "' was moved from";
  std::lock_guard<std::mutex> lk(g_dl_mu);
  dlerror();
  void *sym = dlsym(handle_, name.c_str());
  user_check(sym != nullptr) << "kernel '" << name << "' not found in '" << path_
                             << "': " << last_dl_error();
  return reinterpret_cast<KernelFunction>(sym);
}

bool LoadedModule::has_function(const std::string &name) const {
  if (!handle_) return false;
  std::lock_guard<std::mutex> lk(g_dl_mu);
  dlerror();
  return dlsym(handle_, name.c_str()) != nullptr;
}

}  // namespace autotune::runtime

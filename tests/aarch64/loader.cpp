// A minimal kernel runner for boards (and qemu): loads a kernel library, feeds it buffers from a
// file, runs one kernel and writes the buffers back. Links only the runtime, as a board would.
//
// usage: autotune_loader <kernel.so> <kernel name> <in.bin> <out.bin> [threads]
// File format (both directions, little-endian): uint64 count, then per buffer uint64 bytes and
// the bytes. Buffers are passed to the kernel in file order.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include "codegen/runtime/Module.h"
#include "codegen/runtime/ThreadPool.h"

namespace {

struct Buffer {
  uint64_t bytes = 0;
  void *data = nullptr;
};

bool read_exact(std::FILE *f, void *dst, size_t n) { return std::fread(dst, 1, n, f) == n; }

std::vector<Buffer> read_buffers(const char *path) {
  std::FILE *f = std::fopen(path, "rb");
  if (!f) throw std::runtime_error(std::string("cannot open '") + path + "'");
  uint64_t count = 0;
  std::vector<Buffer> out;
  bool ok = read_exact(f, &count, sizeof(count));
  for (uint64_t i = 0; ok && i < count; ++i) {
    Buffer b;
    ok = read_exact(f, &b.bytes, sizeof(b.bytes));
    if (!ok) break;
    b.data = autotune_alloc(static_cast<int64_t>(b.bytes));
    ok = b.data && read_exact(f, b.data, b.bytes);
    out.push_back(b);
  }
  std::fclose(f);
  if (!ok) throw std::runtime_error(std::string("truncated buffer file '") + path + "'");
  return out;
}

void write_buffers(const char *path, const std::vector<Buffer> &buffers) {
  std::FILE *f = std::fopen(path, "wb");
  if (!f) throw std::runtime_error(std::string("cannot write '") + path + "'");
  uint64_t count = buffers.size();
  bool ok = std::fwrite(&count, sizeof(count), 1, f) == 1;
  for (const Buffer &b : buffers) {
    ok = ok && std::fwrite(&b.bytes, sizeof(b.bytes), 1, f) == 1;
    ok = ok && std::fwrite(b.data, 1, b.bytes, f) == b.bytes;
  }
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) throw std::runtime_error(std::string("cannot write '") + path + "'");
}

}  // namespace

int main(int argc, char **argv) {
  if (argc < 5 || argc > 6) {
    std::fprintf(stderr, "usage: %s <kernel.so> <kernel name> <in.bin> <out.bin> [threads]\n",
                 argv[0]);
    return 2;
  }
  try {
    if (argc == 6) autotune_set_num_threads(std::atoi(argv[5]));
    autotune::runtime::LoadedModule module(argv[1]);
    autotune::runtime::KernelFunction kernel = module.get_function(argv[2]);
    std::vector<Buffer> buffers = read_buffers(argv[3]);
    std::vector<void *> args;
    for (const Buffer &b : buffers) args.push_back(b.data);
    int32_t rc = kernel(args.data());
    if (rc != 0) {
      std::fprintf(stderr, "kernel '%s' returned %d\n", argv[2], rc);
      return 1;
    }
    write_buffers(argv[4], buffers);
    for (const Buffer &b : buffers) autotune_free(b.data);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "autotune_loader: %s\n", e.what());
    return 1;
  }
  return 0;
}

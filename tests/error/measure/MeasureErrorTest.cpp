// User errors of the measurement layer: bad builder and runner setups, bad listen addresses,
// and requests a worker cannot serve. Each names the offending value.
#include <gtest/gtest.h>

#include <fstream>

#include "measure/Builder.h"
#include "measure/Runner.h"
#include "measure/worker/KernelBuffers.h"
#include "measure/worker/TcpServer.h"
#include "tests/common/TestUtil.h"
#include "tests/correctness/measure/MeasureTestKernels.h"

namespace autotune::measure {
namespace {

TEST(MeasureError, BuilderWorkDirUnderAFile) {
  test::TempDir dir;
  std::ofstream(dir.path() + "/file") << "x";
  EXPECT_USER_ERROR(Builder(1, 10, dir.path() + "/file/so"), "cannot create the build directory");
}

TEST(MeasureError, BuilderTimeoutMustBePositive) {
  test::TempDir dir;
  EXPECT_USER_ERROR(Builder(1, 0, dir.path()), "build timeout must be positive, got 0");
}

TEST(MeasureError, UnknownStatusName) {
  EXPECT_USER_ERROR(status_from_name("segfault"), "unknown measurement status 'segfault'");
}

TEST(MeasureError, MissingWorkerProgram) {
  LocalRunnerOptions opt;
  opt.rpc_bin = "/nonexistent/autotune-rpc";
  EXPECT_USER_ERROR(LocalRunner{opt}, "'/nonexistent/autotune-rpc' is not an executable file");
}

TEST(MeasureError, NonLoopbackServerNeedsToken) {
  EXPECT_USER_ERROR(TcpServer("0.0.0.0", 0, WorkerOptions{}), "requires a token");
}

TEST(MeasureError, PortInUse) {
  TcpServer first("127.0.0.1", 0, WorkerOptions{});
  EXPECT_USER_ERROR(TcpServer("127.0.0.1", first.port(), WorkerOptions{}), "cannot listen on");
}

TEST(MeasureError, UnreachableServer) {
  uint16_t port = 0;
  {
    TcpServer gone("127.0.0.1", 0, WorkerOptions{});
    port = gone.port();
  }
  RpcRunner runner("127.0.0.1", port, "", 2);
  EXPECT_USER_ERROR(runner.device_info(), "cannot reach the measurement server");
}

TEST(MeasureError, UnsupportedElementType) {
  EXPECT_USER_ERROR(parse_elem_type("float16"), "unsupported buffer element type 'float16'");
}

TEST(MeasureError, OversizedBuffer) {
  EXPECT_USER_ERROR(buffer_bytes({{1 << 20, 1 << 20, 1 << 20}, "float32", false}),
                    "larger than 4 GiB");
}

TEST(MeasureError, VectorArgumentCannotBeMeasured) {
  EXPECT_USER_ERROR(to_buffer_spec({{4}, ir::Float(32, 8), false}), "float32x8 cannot be measured");
}

}  // namespace
}  // namespace autotune::measure

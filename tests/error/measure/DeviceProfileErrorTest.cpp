// User errors of device profiles: unknown devices, malformed user files (each message names the
// file, the device and the field) and tracker addresses that are missing or not HOST:PORT.
#include <gtest/gtest.h>

#include "measure/DeviceProfile.h"
#include "tests/common/TestUtil.h"
#include "tests/correctness/measure/DeviceEnvFixture.h"

namespace autotune::measure {
namespace {

using DeviceProfileError = test::DeviceEnvFixture;

TEST_F(DeviceProfileError, UnknownDeviceListsTheKnownOnes) {
  EXPECT_USER_ERROR(find_device("tpu"),
                    "unknown device 'tpu' (known: local, rk3399-rpc, aarch64-rpc; see `autotune "
                    "devices`)");
}

TEST_F(DeviceProfileError, UnknownDeviceListsUserDevicesToo) {
  use_devices_file(R"({"devices": {"mine": {"runner": "local", "target": "llvm -mcpu=native"}}})");
  EXPECT_USER_ERROR(find_device("tpu"), "aarch64-rpc, mine;");
}

TEST_F(DeviceProfileError, MissingFileNamedByVariable) {
  setenv("AUTOTUNE_DEVICES", "/nonexistent/devices.json", 1);
  EXPECT_USER_ERROR(load_device_profiles(),
                    "AUTOTUNE_DEVICES names '/nonexistent/devices.json', which is not a readable");
}

TEST_F(DeviceProfileError, NotJson) {
  std::string path = use_devices_file("{\"devices\": {\"x\": }");
  EXPECT_USER_ERROR(load_device_profiles(), path + ": not valid JSON: parse error at line 1");
}

TEST_F(DeviceProfileError, UnknownTopLevelField) {
  std::string path = use_devices_file(R"({"device": {}})");
  EXPECT_USER_ERROR(load_device_profiles(), path + ": unknown top-level field 'device'");
}

TEST_F(DeviceProfileError, WrongFieldType) {
  std::string path = use_devices_file(R"({"devices": {"rk3399-rpc": {"cores": "six"}}})");
  EXPECT_USER_ERROR(load_device_profiles(),
                    path + ": device 'rk3399-rpc': field 'cores' must be an integer in [0, 65536], "
                           "got \"six\"");
}

TEST_F(DeviceProfileError, UnknownField) {
  std::string path = use_devices_file(R"({"devices": {"rk3399-rpc": {"trackr_key": "x"}}})");
  EXPECT_USER_ERROR(load_device_profiles(),
                    path + ": device 'rk3399-rpc': unknown field 'trackr_key' (known: ");
}

TEST_F(DeviceProfileError, BadRunner) {
  std::string path = use_devices_file(R"({"devices": {"aarch64-rpc": {"runner": "ssh"}}})");
  EXPECT_USER_ERROR(load_device_profiles(),
                    path + ": device 'aarch64-rpc': field 'runner': expected \"local\" or "
                           "\"rpc\", got 'ssh'");
}

TEST_F(DeviceProfileError, BadTargetKeepsTheTargetMessage) {
  std::string path = use_devices_file(
      R"({"devices": {"b": {"runner": "rpc", "tracker_key": "b",
                            "target": "llvm -mtriple=aarch64-linux-gnu -mcpu=cortex-z9"}}})");
  EXPECT_USER_ERROR(load_device_profiles(),
                    path + ": device 'b': field 'target': unknown CPU 'cortex-z9'");
}

TEST_F(DeviceProfileError, NewDeviceMissingRequiredField) {
  std::string path = use_devices_file(R"({"devices": {"b": {"runner": "local"}}})");
  EXPECT_USER_ERROR(load_device_profiles(), path + ": device 'b': missing field 'target'");
}

TEST_F(DeviceProfileError, RpcDeviceNeedsTrackerKey) {
  std::string path = use_devices_file(
      R"({"devices": {"b": {"runner": "rpc", "target": "llvm -mtriple=aarch64-linux-gnu"}}})");
  EXPECT_USER_ERROR(load_device_profiles(), path + ": device 'b': missing field 'tracker_key'");
}

TEST_F(DeviceProfileError, BadDefaultTracker) {
  std::string path =
      use_devices_file(R"({"devices": {"rk3399-rpc": {"default_tracker": "board:http"}}})");
  EXPECT_USER_ERROR(load_device_profiles(),
                    path + ": device 'rk3399-rpc': field 'default_tracker': 'board:http': the "
                           "port must be a number");
}

TEST_F(DeviceProfileError, BadDeviceName) {
  std::string path = use_devices_file(R"({"devices": {"My Board": {}}})");
  EXPECT_USER_ERROR(load_device_profiles(), path + ": device name 'My Board' must be");
}

TEST_F(DeviceProfileError, GpuNeedsAName) {
  std::string path = use_devices_file(R"({"devices": {"rk3399-rpc": {"gpu": {"api": "opencl"}}}})");
  EXPECT_USER_ERROR(load_device_profiles(),
                    path + ": device 'rk3399-rpc': field 'gpu.name' must be a non-empty string");
}

TEST_F(DeviceProfileError, RpcDeviceWithoutAnyTracker) {
  use_devices_file(R"({"devices": {"rk3399-rpc": {"default_tracker": ""}}})");
  EXPECT_USER_ERROR(resolve_tracker(find_device("rk3399-rpc"), ""),
                    "device 'rk3399-rpc' is measured over RPC and needs a tracker: give "
                    "--tracker HOST:PORT or set AUTOTUNE_TRACKER");
}

TEST_F(DeviceProfileError, MalformedTrackerNamesItsSource) {
  DeviceProfile rk = find_device("rk3399-rpc");
  EXPECT_USER_ERROR(resolve_tracker(rk, "9190"), "--tracker '9190': expected HOST:PORT");
  setenv("AUTOTUNE_TRACKER", "host:99999", 1);
  EXPECT_USER_ERROR(resolve_tracker(rk, ""), "AUTOTUNE_TRACKER 'host:99999': the port must be");
}

}  // namespace
}  // namespace autotune::measure

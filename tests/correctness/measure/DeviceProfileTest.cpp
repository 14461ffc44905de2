// Device profiles: the built-in table, a user file that overrides and adds devices, the order
// of the user-file locations, and where the tracker address comes from.
#include "measure/DeviceProfile.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "codegen/Target.h"
#include "tests/common/TestUtil.h"
#include "tests/correctness/measure/DeviceEnvFixture.h"

namespace autotune::measure {
namespace {

using DeviceProfileTest = test::DeviceEnvFixture;

std::vector<std::string> names(const std::vector<DeviceProfile> &profiles) {
  std::vector<std::string> out;
  for (const DeviceProfile &p : profiles) out.push_back(p.name);
  return out;
}

TEST_F(DeviceProfileTest, BuiltinsInFileOrder) {
  EXPECT_EQ(names(load_device_profiles()),
            (std::vector<std::string>{"local", "rk3399-rpc", "aarch64-rpc"}));
}

TEST_F(DeviceProfileTest, LocalIsTheHost) {
  DeviceProfile d = find_device("local");
  EXPECT_EQ(d.runner, "local");
  EXPECT_EQ(codegen::Target::parse(d.target), codegen::Target::host());
  EXPECT_EQ(d.cores, static_cast<int>(std::thread::hardware_concurrency()));
  EXPECT_EQ(d.tracker_key, "");
  EXPECT_EQ(d.default_tracker, "");
  EXPECT_EQ(d.source, "built-in");
}

TEST_F(DeviceProfileTest, Rk3399) {
  DeviceProfile d = find_device("rk3399-rpc");
  EXPECT_EQ(d.runner, "rpc");
  EXPECT_EQ(d.target, "llvm -mtriple=aarch64-linux-gnu -mcpu=cortex-a72 -mattr=+neon");
  codegen::Target t = codegen::Target::parse(d.target);
  EXPECT_EQ(t.cpu, "cortex-a72");
  EXPECT_EQ(t.vector_bits, 128);
  EXPECT_EQ(d.cores, 6);
  EXPECT_EQ(d.tracker_key, "rk3399");
  EXPECT_EQ(d.default_tracker, "127.0.0.1:9190");
  EXPECT_EQ(d.gpu, "Mali-T860 MP4, opencl, not yet supported");
  EXPECT_NE(d.gpu_json.find("\"device\":\"Mali-T860\""), std::string::npos) << d.gpu_json;
  EXPECT_FALSE(d.description.empty());
}

TEST_F(DeviceProfileTest, GenericAarch64) {
  DeviceProfile d = find_device("aarch64-rpc");
  EXPECT_EQ(d.runner, "rpc");
  EXPECT_EQ(d.tracker_key, "aarch64");
  EXPECT_EQ(codegen::Target::parse(d.target).triple, "aarch64-linux-gnu");
  EXPECT_NE(d.target.find("+neon"), std::string::npos);
  EXPECT_EQ(d.cores, 0);  // unknown: any board
  EXPECT_EQ(d.gpu, "");
}

TEST_F(DeviceProfileTest, UserFileOverridesFieldsAndAddsDevices) {
  std::string path = use_devices_file(R"({
    // my lab
    "devices": {
      "rk3399-rpc": { "default_tracker": "10.0.0.5:9190", "cores": 2 },
      "jetson": {
        "description": "Jetson Nano CPU",
        "runner": "rpc",
        "target": "llvm -mtriple=aarch64-linux-gnu -mcpu=cortex-a57 -mattr=+neon",
        "cores": 4,
        "tracker_key": "nano"
      }
    }
  })");
  std::vector<DeviceProfile> all = load_device_profiles();
  EXPECT_EQ(names(all), (std::vector<std::string>{"local", "rk3399-rpc", "aarch64-rpc", "jetson"}));

  DeviceProfile rk = find_device("rk3399-rpc");
  EXPECT_EQ(rk.default_tracker, "10.0.0.5:9190");
  EXPECT_EQ(rk.cores, 2);
  EXPECT_EQ(rk.tracker_key, "rk3399");  // fields not given keep their built-in values
  EXPECT_EQ(rk.target, "llvm -mtriple=aarch64-linux-gnu -mcpu=cortex-a72 -mattr=+neon");
  EXPECT_EQ(rk.source, path);

  DeviceProfile nano = find_device("jetson");
  EXPECT_EQ(nano.runner, "rpc");
  EXPECT_EQ(nano.tracker_key, "nano");
  EXPECT_EQ(nano.cores, 4);
  EXPECT_EQ(nano.default_tracker, "");
  EXPECT_EQ(nano.source, path);
  EXPECT_EQ(find_device("local").source, "built-in");
}

TEST_F(DeviceProfileTest, ConfigHomeFileIsReadWhenNoVariable) {
  std::filesystem::create_directories(dir_.path() + "/autotune");
  dir_.write("autotune/devices.json",
             R"({"devices": {"aarch64-rpc": {"description": "from the config home"}}})");
  EXPECT_EQ(find_device("aarch64-rpc").description, "from the config home");
  EXPECT_EQ(find_device("aarch64-rpc").source, dir_.path() + "/autotune/devices.json");

  // $AUTOTUNE_DEVICES wins over the config home.
  use_devices_file(R"({"devices": {"aarch64-rpc": {"description": "from the variable"}}})",
                   "other.json");
  EXPECT_EQ(find_device("aarch64-rpc").description, "from the variable");
}

TEST_F(DeviceProfileTest, HomeConfigFolderWithoutXdg) {
  unsetenv("XDG_CONFIG_HOME");
  std::filesystem::create_directories(dir_.path() + "/.config/autotune");
  dir_.write(".config/autotune/devices.json",
             R"({"devices": {"local": {"description": "my workstation"}}})");
  EXPECT_EQ(find_device("local").description, "my workstation");
}

TEST_F(DeviceProfileTest, TrackerPrecedenceFlagThenEnvThenDefault) {
  DeviceProfile rk = find_device("rk3399-rpc");
  EXPECT_EQ(resolve_tracker(rk, ""), "127.0.0.1:9190");
  setenv("AUTOTUNE_TRACKER", "192.168.1.2:9000", 1);
  EXPECT_EQ(resolve_tracker(rk, ""), "192.168.1.2:9000");
  EXPECT_EQ(resolve_tracker(rk, "board-farm:9191"), "board-farm:9191");
}

TEST_F(DeviceProfileTest, LocalDeviceNeedsNoTracker) {
  EXPECT_EQ(resolve_tracker(find_device("local"), ""), "");
}

}  // namespace
}  // namespace autotune::measure

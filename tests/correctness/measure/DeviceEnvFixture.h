// A test fixture for device profiles: it isolates the environment that load_device_profiles()
// reads (AUTOTUNE_DEVICES, AUTOTUNE_TRACKER, XDG_CONFIG_HOME, HOME) and restores it afterwards,
// so the developer's own ~/.config/autotune/devices.json never leaks into a test.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <optional>
#include <string>

#include "tests/common/TempDir.h"

namespace autotune::test {

class DeviceEnvFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char *name : {"AUTOTUNE_DEVICES", "AUTOTUNE_TRACKER", "XDG_CONFIG_HOME", "HOME"}) {
      const char *v = std::getenv(name);
      saved_[name] = v ? std::optional<std::string>(v) : std::nullopt;
      unsetenv(name);
    }
    // No user file unless a test writes one: the config home is an empty scratch folder.
    setenv("XDG_CONFIG_HOME", dir_.path().c_str(), 1);
    setenv("HOME", dir_.path().c_str(), 1);
  }
  void TearDown() override {
    for (const auto &[name, value] : saved_) {
      if (value) {
        setenv(name.c_str(), value->c_str(), 1);
      } else {
        unsetenv(name.c_str());
      }
    }
  }

  /// Writes `json` as a devices file in the scratch folder and points AUTOTUNE_DEVICES at it.
  std::string use_devices_file(const std::string &json, const std::string &name = "devices.json") {
    std::string path = dir_.write(name, json);
    setenv("AUTOTUNE_DEVICES", path.c_str(), 1);
    return path;
  }

  TempDir dir_;

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

}  // namespace autotune::test

// Device profiles: what `--device NAME` means to tune, build, run and bench. A profile names the
// CPU code generation target, how candidates are measured (a local worker process or RPC servers
// behind a tracker) and facts about the board. The built-in profiles come from
// measure/devices.json, compiled in; a user file adds and overrides them (docs/DEVICES.md).
#pragma once

#include <string>
#include <vector>

namespace autotune::measure {

/// One device as `--device NAME` selects it. Every field is validated when loaded.
struct DeviceProfile {
  std::string name;         ///< what --device takes: [a-z0-9._-], e.g. "rk3399-rpc"
  std::string description;  ///< one line for `autotune devices`
  /// CPU code generation target string, accepted by codegen::Target::parse
  /// ("llvm -mcpu=native" is the host).
  std::string target;
  /// CPU cores the kernels may use; 0 when unknown. A "local" profile without the field gets
  /// this machine's core count.
  int cores = 0;
  std::string runner;  ///< "local" (a worker process on this machine) or "rpc" (via a tracker)
  /// The key the device's servers register under at the tracker; non-empty exactly when
  /// runner is "rpc".
  std::string tracker_key;
  /// "HOST:PORT" of the tracker used when neither --tracker nor $AUTOTUNE_TRACKER is given;
  /// may be empty. Only rpc profiles have one.
  std::string default_tracker;
  /// The board's GPU in one line for listings ("Mali-T860 MP4, opencl, not yet supported");
  /// empty when the profile describes none.
  std::string gpu;
  /// The profile's "gpu" object as compact JSON text, for GPU code generation to read; empty
  /// when there is none.
  std::string gpu_json;
  /// Where the profile's fields come from: "built-in", or the path of the user file that
  /// defined or changed it.
  std::string source;
};

/// The built-in profiles (in measure/devices.json order) merged with the user's file, if any:
/// $AUTOTUNE_DEVICES when set and non-empty (the file must exist), else
/// $XDG_CONFIG_HOME/autotune/devices.json (XDG_CONFIG_HOME absolute) or
/// $HOME/.config/autotune/devices.json, when that file exists. A user entry with a built-in
/// name replaces only the fields it gives; a new name is appended and must give "runner" and
/// "target" (and "tracker_key" when rpc). Throws UserError naming the file, the device and the
/// field for malformed JSON, unknown or mistyped fields and invalid values. Reads the
/// environment and the file on every call.
std::vector<DeviceProfile> load_device_profiles();

/// The profile called `name` from load_device_profiles(); UserError "unknown device 'X' (known:
/// local, rk3399-rpc, ...; see `autotune devices`)" when there is none.
DeviceProfile find_device(const std::string &name);

/// The tracker ("HOST:PORT") to use for `device`, first match wins: `cli_value` (--tracker),
/// $AUTOTUNE_TRACKER, device.default_tracker. Returns "" when none is set and the device is not
/// rpc. Throws UserError when an rpc device ends up without one, or when the chosen value is not
/// HOST:PORT (the message names where it came from).
std::string resolve_tracker(const DeviceProfile &device, const std::string &cli_value);

}  // namespace autotune::measure

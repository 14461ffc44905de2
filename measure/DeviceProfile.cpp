// Device profiles: the built-in table compiled in from measure/devices.json, merged with the
// user's file, validated field by field (see DeviceProfile.h and docs/DEVICES.md).
#include "measure/DeviceProfile.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "codegen/Target.h"
#include "ir/support/Error.h"

// measure/devices.json as text; CMake generates its definition (cmake/EmbedText.cmake).
extern const char autotune_builtin_devices_json[];

namespace autotune::measure {

namespace {

using json = nlohmann::ordered_json;  // keeps the devices in file order

constexpr const char *kBuiltinSource = "built-in";
constexpr const char *kKnownFields =
    "description, runner, target, cores, tracker_key, default_tracker, gpu";

std::string env(const char *name) {
  const char *v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

/// How messages name a source: the user's file path, or the compiled-in table.
std::string source_label(const std::string &source) {
  return source == kBuiltinSource ? std::string("built-in devices (measure/devices.json)") : source;
}

/// nlohmann's message without its "[json.exception.parse_error.101] " prefix.
std::string json_message(const std::exception &e) {
  std::string m = e.what();
  if (!m.empty() && m[0] == '[') {
    size_t end = m.find("] ");
    if (end != std::string::npos) m = m.substr(end + 2);
  }
  return m;
}

/// The user's devices file, or "" when there is none.
std::string user_devices_path() {
  std::string explicit_path = env("AUTOTUNE_DEVICES");
  if (!explicit_path.empty()) {
    std::error_code ec;
    user_check(std::filesystem::is_regular_file(explicit_path, ec))
        << "AUTOTUNE_DEVICES names '" << explicit_path << "', which is not a readable file";
    return explicit_path;
  }
  std::string xdg = env("XDG_CONFIG_HOME"), home = env("HOME");
  std::string path;
  if (!xdg.empty() && xdg.front() == '/') {
    path = xdg + "/autotune/devices.json";
  } else if (!home.empty()) {
    path = home + "/.config/autotune/devices.json";
  }
  std::error_code ec;
  return !path.empty() && std::filesystem::exists(path, ec) ? path : std::string();
}

std::string read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  user_check(in.good()) << "cannot read device profiles from '" << path << "'";
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Parses a devices file (comments allowed) and returns its "devices" object.
json parse_devices_file(const std::string &text, const std::string &source) {
  json doc;
  try {
    doc = json::parse(text, nullptr, /*allow_exceptions=*/true, /*ignore_comments=*/true);
  } catch (const json::parse_error &e) {
    user_error << source_label(source) << ": not valid JSON: " << json_message(e);
  }
  user_check(doc.is_object()) << source_label(source)
                              << ": expected an object {\"devices\": {...}}, got a "
                              << doc.type_name();
  for (const auto &[key, value] : doc.items()) {
    user_check(key == "devices") << source_label(source) << ": unknown top-level field '" << key
                                 << "' (expected \"devices\")";
  }
  user_check(doc.contains("devices")) << source_label(source) << ": missing field 'devices'";
  const json &devices = doc["devices"];
  user_check(devices.is_object()) << source_label(source)
                                  << ": field 'devices' must be an object of NAME: {fields}, got a "
                                  << devices.type_name();
  return devices;
}

bool is_valid_name(const std::string &name) {
  if (name.empty() || !std::isalnum(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

/// Checks "HOST:PORT" (non-empty host, port in [1, 65535]); returns an explanation or "".
std::string host_port_problem(const std::string &value) {
  size_t colon = value.rfind(':');
  if (colon == std::string::npos || colon == 0) return "expected HOST:PORT, e.g. 127.0.0.1:9190";
  std::string port = value.substr(colon + 1);
  bool digits = !port.empty() && port.size() <= 5 &&
                port.find_first_not_of("0123456789") == std::string::npos;
  if (!digits || std::stoi(port) < 1 || std::stoi(port) > 65535) {
    return "the port must be a number in [1, 65535]";
  }
  return "";
}

/// Reads fields of one device entry into `p`; `where` is "FILE: device 'NAME'".
class FieldReader {
 public:
  FieldReader(const std::string &where, const std::string &key, const json &value)
      : where_(where), key_(key), value_(value) {}

  std::string string() const {
    user_check(value_.is_string()) << where_ << ": field '" << key_ << "' must be a string, got "
                                   << value_.dump();
    return value_.get<std::string>();
  }
  int integer(int lo, int hi) const {
    user_check(value_.is_number_integer() && value_.get<int64_t>() >= lo &&
               value_.get<int64_t>() <= hi)
        << where_ << ": field '" << key_ << "' must be an integer in [" << lo << ", " << hi
        << "], got " << value_.dump();
    return value_.get<int>();
  }
  /// Raises the error for a value of the right type but a bad content.
  void fail(const std::string &why) const {
    user_error << where_ << ": field '" << key_ << "': " << why;
  }

 private:
  const std::string &where_;
  const std::string &key_;
  const json &value_;
};

/// The "gpu" object: "name" (string, required), "api" (string), "supported" (bool); other
/// fields (e.g. "opencl": {...}) are kept for the GPU code generator. Fills p.gpu and gpu_json.
void read_gpu(DeviceProfile &p, const std::string &where, const json &gpu) {
  user_check(gpu.is_object()) << where << ": field 'gpu' must be an object, got " << gpu.dump();
  user_check(gpu.contains("name") && gpu["name"].is_string() &&
             !gpu["name"].get<std::string>().empty())
      << where << ": field 'gpu.name' must be a non-empty string";
  std::string text = gpu["name"].get<std::string>();
  if (gpu.contains("api")) {
    user_check(gpu["api"].is_string())
        << where << ": field 'gpu.api' must be a string, got " << gpu["api"].dump();
    text += ", " + gpu["api"].get<std::string>();
  }
  bool supported = false;
  if (gpu.contains("supported")) {
    user_check(gpu["supported"].is_boolean())
        << where << ": field 'gpu.supported' must be true or false, got "
        << gpu["supported"].dump();
    supported = gpu["supported"].get<bool>();
  }
  if (!supported) text += ", not yet supported";
  p.gpu = text;
  p.gpu_json = gpu.dump();
}

/// Applies the fields of one entry of `source` to `p` (a fresh profile or a built-in one).
void apply_fields(DeviceProfile &p, const json &entry, const std::string &source) {
  std::string where = source_label(source) + ": device '" + p.name + "'";
  user_check(entry.is_object()) << where << ": expected an object of fields, got "
                                << entry.dump();
  for (const auto &[key, value] : entry.items()) {
    FieldReader field(where, key, value);
    if (key == "description") {
      p.description = field.string();
    } else if (key == "runner") {
      p.runner = field.string();
      if (p.runner != "local" && p.runner != "rpc") {
        field.fail("expected \"local\" or \"rpc\", got '" + p.runner + "'");
      }
    } else if (key == "target") {
      p.target = field.string();
      try {
        codegen::Target::parse(p.target);
      } catch (const UserError &e) {
        field.fail(e.what());
      }
    } else if (key == "cores") {
      p.cores = field.integer(0, 65536);
    } else if (key == "tracker_key") {
      p.tracker_key = field.string();
      if (p.tracker_key.empty()) field.fail("must not be empty");
    } else if (key == "default_tracker") {
      p.default_tracker = field.string();
      std::string problem = p.default_tracker.empty() ? "" : host_port_problem(p.default_tracker);
      if (!problem.empty()) field.fail("'" + p.default_tracker + "': " + problem);
    } else if (key == "gpu") {
      read_gpu(p, where, value);
    } else {
      user_error << where << ": unknown field '" << key << "' (known: " << kKnownFields << ")";
    }
  }
  p.source = source;
}

/// Cross-field rules, checked once every file is merged.
void check_complete(DeviceProfile &p) {
  std::string where = source_label(p.source) + ": device '" + p.name + "'";
  user_check(!p.runner.empty()) << where << ": missing field 'runner' (\"local\" or \"rpc\")";
  user_check(!p.target.empty()) << where << ": missing field 'target' (e.g. \"llvm -mcpu=native\")";
  if (p.runner == "rpc") {
    user_check(!p.tracker_key.empty())
        << where << ": missing field 'tracker_key' (rpc devices name the key their servers "
                    "register under)";
  } else {
    user_check(p.tracker_key.empty() && p.default_tracker.empty())
        << where << ": fields 'tracker_key' and 'default_tracker' apply only to rpc devices";
    if (p.cores == 0) p.cores = static_cast<int>(std::thread::hardware_concurrency());
  }
}

/// Merges the devices of one file into `profiles`: known names are updated, new ones appended.
void merge_file(std::vector<DeviceProfile> &profiles, const json &devices,
                const std::string &source) {
  for (const auto &[name, entry] : devices.items()) {
    user_check(is_valid_name(name))
        << source_label(source) << ": device name '" << name
        << "' must be lowercase letters, digits, '.', '_' or '-', starting with a letter or digit";
    auto it = std::find_if(profiles.begin(), profiles.end(),
                           [&](const DeviceProfile &p) { return p.name == name; });
    if (it == profiles.end()) {
      DeviceProfile fresh;
      fresh.name = name;
      it = profiles.insert(profiles.end(), fresh);
    }
    apply_fields(*it, entry, source);
  }
}

std::string known_names(const std::vector<DeviceProfile> &profiles) {
  std::string out;
  for (const DeviceProfile &p : profiles) out += (out.empty() ? "" : ", ") + p.name;
  return out;
}

}  // namespace

std::vector<DeviceProfile> load_device_profiles() {
  std::vector<DeviceProfile> profiles;
  merge_file(profiles, parse_devices_file(autotune_builtin_devices_json, kBuiltinSource),
             kBuiltinSource);
  std::string user_path = user_devices_path();
  if (!user_path.empty()) {
    merge_file(profiles, parse_devices_file(read_file(user_path), user_path), user_path);
  }
  for (DeviceProfile &p : profiles) check_complete(p);
  return profiles;
}

DeviceProfile find_device(const std::string &name) {
  std::vector<DeviceProfile> profiles = load_device_profiles();
  for (const DeviceProfile &p : profiles) {
    if (p.name == name) return p;
  }
  user_error << "unknown device '" << name << "' (known: " << known_names(profiles)
             << "; see `autotune devices`)";
  return {};
}

std::string resolve_tracker(const DeviceProfile &device, const std::string &cli_value) {
  std::string value = cli_value, from = "--tracker";
  if (value.empty()) {
    value = env("AUTOTUNE_TRACKER");
    from = "AUTOTUNE_TRACKER";
  }
  if (value.empty()) {
    value = device.default_tracker;
    from = "the default_tracker of device '" + device.name + "'";
  }
  if (value.empty()) {
    user_check(device.runner != "rpc")
        << "device '" << device.name << "' is measured over RPC and needs a tracker: give "
        << "--tracker HOST:PORT or set AUTOTUNE_TRACKER";
    return "";
  }
  std::string problem = host_port_problem(value);
  user_check(problem.empty()) << from << " '" << value << "': " << problem;
  return value;
}

}  // namespace autotune::measure

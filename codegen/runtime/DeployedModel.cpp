// Loading a module directory: parse and check model.json, map constants.bin, open kernels.so,
// then hand the plan to a GraphExecutor. Every check happens here, before the first run.
#include "codegen/runtime/DeployedModel.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "ir/support/Error.h"

namespace autotune::runtime {

using nlohmann::json;

int64_t dtype_bytes(const std::string &dtype) {
  static const std::pair<const char *, int64_t> kSizes[] = {
      {"float16", 2}, {"float32", 4}, {"float64", 8}, {"int8", 1},   {"int16", 2},  {"int32", 4},
      {"int64", 8},   {"uint8", 1},   {"uint16", 2},  {"uint32", 4}, {"uint64", 8}, {"bool", 1}};
  for (const auto &[name, bytes] : kSizes) {
    if (dtype == name) return bytes;
  }
  return 0;
}

namespace {

std::string join_path(const std::string &dir, const std::string &file) {
  return !dir.empty() && dir.back() == '/' ? dir + file : dir + "/" + file;
}

bool is_regular_file(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

/// Typed access to model.json whose errors name the file and the field ("calls[3].args[1]").
class JsonFields {
 public:
  explicit JsonFields(std::string file) : file_(std::move(file)) {}

  const json &member(const json &obj, const std::string &path, const char *key) const {
    user_check(obj.is_object()) << "'" << file_ << "': " << where(path) << " must be an object";
    auto it = obj.find(key);
    user_check(it != obj.end()) << "'" << file_ << "': missing field '" << field(path, key) << "'";
    return *it;
  }
  bool has(const json &obj, const char *key) const { return obj.is_object() && obj.contains(key); }

  int64_t integer(const json &obj, const std::string &path, const char *key, int64_t min = 0,
                  int64_t max = INT64_MAX) const {
    const json &v = member(obj, path, key);
    user_check(v.is_number_integer()) << "'" << file_ << "': field '" << field(path, key)
                                      << "' must be an integer, got " << short_dump(v);
    int64_t x = v.get<int64_t>();
    user_check(x >= min && x <= max) << "'" << file_ << "': field '" << field(path, key) << "' is "
                                     << x << ", expected " << range(min, max);
    return x;
  }
  std::string string(const json &obj, const std::string &path, const char *key) const {
    const json &v = member(obj, path, key);
    user_check(v.is_string()) << "'" << file_ << "': field '" << field(path, key)
                              << "' must be a string, got " << short_dump(v);
    return v.get<std::string>();
  }
  const json &array(const json &obj, const std::string &path, const char *key) const {
    const json &v = member(obj, path, key);
    user_check(v.is_array()) << "'" << file_ << "': field '" << field(path, key)
                             << "' must be an array, got " << short_dump(v);
    return v;
  }
  /// The elements of array `key` as integers in [min, max].
  std::vector<int64_t> integers(const json &obj, const std::string &path, const char *key,
                                int64_t min, int64_t max) const {
    const json &a = array(obj, path, key);
    std::vector<int64_t> out;
    for (size_t i = 0; i < a.size(); ++i) {
      std::string at = field(path, key) + "[" + std::to_string(i) + "]";
      user_check(a[i].is_number_integer())
          << "'" << file_ << "': field '" << at << "' must be an integer, got " << short_dump(a[i]);
      int64_t x = a[i].get<int64_t>();
      user_check(x >= min && x <= max)
          << "'" << file_ << "': field '" << at << "' is " << x << ", expected " << range(min, max);
      out.push_back(x);
    }
    return out;
  }
  const std::string &file() const { return file_; }

  static std::string field(const std::string &path, const char *key) {
    return path.empty() ? key : path + "." + key;
  }
  static std::string item(const std::string &path, size_t i) {
    return path + "[" + std::to_string(i) + "]";
  }

 private:
  static std::string where(const std::string &path) {
    return path.empty() ? "the top level" : "field '" + path + "'";
  }
  static std::string range(int64_t min, int64_t max) {
    if (max == INT64_MAX) return ">= " + std::to_string(min);
    if (max < min) return "none (the list it indexes is empty)";
    return "a value in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
  }
  static std::string short_dump(const json &v) {
    std::string s = v.dump();
    return s.size() > 40 ? s.substr(0, 37) + "..." : s;
  }
  std::string file_;
};

std::vector<TensorSpec> read_tensor_specs(const JsonFields &f, const json &root, const char *key) {
  const json &list = f.array(root, "", key);
  std::vector<TensorSpec> specs;
  for (size_t i = 0; i < list.size(); ++i) {
    std::string at = JsonFields::item(key, i);
    TensorSpec s;
    s.name = f.string(list[i], at, "name");
    s.dtype = f.string(list[i], at, "dtype");
    int64_t elem = dtype_bytes(s.dtype);
    user_check(elem > 0) << "'" << f.file() << "': field '" << at << ".dtype' is unknown type '"
                         << s.dtype << "'";
    s.shape = f.integers(list[i], at, "shape", 0, INT64_MAX);
    s.bytes = elem;
    for (int64_t d : s.shape) s.bytes *= d;
    specs.push_back(std::move(s));
  }
  return specs;
}

/// e_machine of an ELF file, or -1 (with `*why` set) when it is not a readable ELF file.
int elf_machine(const std::string &path, std::string *why) {
  std::ifstream in(path, std::ios::binary);
  unsigned char h[EI_NIDENT + 4] = {};
  if (!in.read(reinterpret_cast<char *>(h), sizeof h)) {
    *why = "too short to be a shared object";
    return -1;
  }
  if (std::memcmp(h, ELFMAG, SELFMAG) != 0) {
    *why = "not an ELF file";
    return -1;
  }
  // e_machine follows e_ident and the 2-byte e_type, in the file's byte order.
  bool little = h[EI_DATA] == ELFDATA2LSB;
  return little ? h[EI_NIDENT + 2] | h[EI_NIDENT + 3] << 8
                : h[EI_NIDENT + 2] << 8 | h[EI_NIDENT + 3];
}

std::string machine_name(int machine) {
  switch (machine) {
    case EM_X86_64:
      return "x86_64";
    case EM_AARCH64:
      return "aarch64";
    case EM_ARM:
      return "arm";
    case EM_386:
      return "x86";
    case EM_RISCV:
      return "riscv";
    default:
      return "ELF machine " + std::to_string(machine);
  }
}

/// Maps `path` read-only; the mapping lives while the returned pointer does.
std::shared_ptr<const void> map_file(const std::string &path, int64_t bytes) {
  if (bytes == 0) return std::make_shared<int64_t>(0);
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  user_check(fd >= 0) << "cannot open '" << path << "': " << std::strerror(errno);
  void *p = mmap(nullptr, static_cast<size_t>(bytes), PROT_READ, MAP_PRIVATE, fd, 0);
  int err = errno;
  close(fd);
  user_check(p != MAP_FAILED) << "cannot map '" << path << "': " << std::strerror(err);
  size_t len = static_cast<size_t>(bytes);
  return std::shared_ptr<const void>(p,
                                     [len](const void *q) { munmap(const_cast<void *>(q), len); });
}

}  // namespace

DeployedModel::~DeployedModel() = default;

std::unique_ptr<DeployedModel> DeployedModel::load(const std::string &dir) {
  std::unique_ptr<DeployedModel> m(new DeployedModel());
  m->dir_ = dir;
  const std::string json_path = join_path(dir, kModelJsonFile);
  const std::string so_path = join_path(dir, kKernelsFile);
  const std::string constants_path = join_path(dir, kConstantsFile);

  // 1. The three files exist.
  struct stat st;
  user_check(stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
      << "cannot load module '" << dir << "': not a directory (write one with `autotune build`)";
  for (const std::string &path : {json_path, so_path, constants_path}) {
    user_check(is_regular_file(path)) << "cannot load module '" << dir << "': '" << path
                                      << "' is missing (rebuild it with `autotune build`)";
  }

  // 2. model.json parses, has our format and version.
  json root;
  {
    std::ifstream in(json_path);
    user_check(in.good()) << "cannot read '" << json_path << "': " << std::strerror(errno);
    std::stringstream text;
    text << in.rdbuf();
    try {
      root = json::parse(text.str());
    } catch (const json::exception &e) {
      user_error << "'" << json_path << "' is not valid JSON: " << e.what();
    }
  }
  JsonFields f(json_path);
  user_check(f.has(root, "format") && root["format"] == kModuleFormat)
      << "'" << json_path << "' is not an autotune module description (expected \"format\": \""
      << kModuleFormat << "\")";
  int64_t version = f.integer(root, "", "version");
  user_check(version == kModuleFormatVersion)
      << "'" << json_path << "' has format version " << version << ", this runtime reads version "
      << kModuleFormatVersion << " (rebuild the module with this autotune)";
  m->target_ = f.string(root, "", "target");

  // 3. Tensors, constants and slots, each index checked against what it refers to.
  m->inputs_ = read_tensor_specs(f, root, "inputs");
  m->outputs_ = read_tensor_specs(f, root, "outputs");
  const int64_t num_inputs = static_cast<int64_t>(m->inputs_.size());
  const int64_t num_outputs = static_cast<int64_t>(m->outputs_.size());
  const int64_t arena_bytes = f.integer(root, "", "arena_bytes");
  m->constants_bytes_ = f.integer(root, "", "constants_bytes");
  struct ConstantRange {
    int64_t offset, bytes;
  };
  std::vector<ConstantRange> constant_ranges;
  const json &constants = f.array(root, "", "constants");
  for (size_t i = 0; i < constants.size(); ++i) {
    std::string at = JsonFields::item("constants", i);
    int64_t offset = f.integer(constants[i], at, "offset");
    int64_t bytes = f.integer(constants[i], at, "bytes");
    user_check(offset % kConstantAlign == 0)
        << "'" << json_path << "': field '" << at << ".offset' is " << offset
        << ", not a multiple of " << kConstantAlign;
    user_check(offset + bytes <= m->constants_bytes_)
        << "'" << json_path << "': " << at << " ends at byte " << offset + bytes
        << ", past constants_bytes " << m->constants_bytes_;
    constant_ranges.push_back({offset, bytes});
  }
  const int64_t num_constants = static_cast<int64_t>(constant_ranges.size());

  std::vector<BufferSlot> slots;
  const json &slot_list = f.array(root, "", "slots");
  for (size_t i = 0; i < slot_list.size(); ++i) {
    std::string at = JsonFields::item("slots", i);
    BufferSlot s;
    std::string kind = f.string(slot_list[i], at, "kind");
    s.bytes = f.integer(slot_list[i], at, "bytes");
    int64_t expected_bytes = -1;
    if (kind == "arena") {
      s.kind = BufferSlot::Kind::Arena;
      s.arena_offset = f.integer(slot_list[i], at, "offset");
      user_check(s.arena_offset % kConstantAlign == 0 && s.arena_offset + s.bytes <= arena_bytes)
          << "'" << json_path << "': " << at << " (offset " << s.arena_offset << ", " << s.bytes
          << " bytes) is misaligned or past arena_bytes " << arena_bytes;
    } else if (kind == "constant") {
      s.kind = BufferSlot::Kind::Constant;
      s.index = static_cast<int>(f.integer(slot_list[i], at, "index", 0, num_constants - 1));
      user_check(s.bytes <= constant_ranges[s.index].bytes)
          << "'" << json_path << "': " << at << " needs " << s.bytes << " bytes, constant "
          << s.index << " has " << constant_ranges[s.index].bytes;
    } else if (kind == "input") {
      s.kind = BufferSlot::Kind::Input;
      s.index = static_cast<int>(f.integer(slot_list[i], at, "index", 0, num_inputs - 1));
      expected_bytes = m->inputs_[s.index].bytes;
    } else if (kind == "output") {
      s.kind = BufferSlot::Kind::Output;
      s.index = static_cast<int>(f.integer(slot_list[i], at, "index", 0, num_outputs - 1));
      expected_bytes = m->outputs_[s.index].bytes;
    } else {
      user_error << "'" << json_path << "': field '" << at << ".kind' is '" << kind
                 << "', expected constant, input, output or arena";
    }
    user_check(expected_bytes < 0 || s.bytes == expected_bytes)
        << "'" << json_path << "': " << at << " has " << s.bytes << " bytes, its " << kind
        << " tensor has " << expected_bytes;
    slots.push_back(s);
  }
  const int64_t num_slots = static_cast<int64_t>(slots.size());

  // 4. Calls and output copies; every output must be written by one of them.
  std::vector<bool> written(m->outputs_.size(), false);
  std::vector<KernelCall> calls;
  std::set<std::string> kernel_names;
  const json &call_list = f.array(root, "", "calls");
  for (size_t i = 0; i < call_list.size(); ++i) {
    std::string at = JsonFields::item("calls", i);
    KernelCall c;
    c.name = f.string(call_list[i], at, "kernel");
    for (int64_t a : f.integers(call_list[i], at, "args", 0, num_slots - 1)) {
      c.args.push_back(static_cast<int>(a));
      if (slots[a].kind == BufferSlot::Kind::Output) written[slots[a].index] = true;
    }
    m->call_nodes_.push_back(f.has(call_list[i], "node") ? f.string(call_list[i], at, "node")
                                                         : std::string());
    kernel_names.insert(c.name);
    calls.push_back(std::move(c));
  }
  m->num_distinct_kernels_ = kernel_names.size();
  struct CopySpec {
    int output, from_input, constant;
  };
  std::vector<CopySpec> copy_specs;
  const json &copies = f.array(root, "", "output_copies");
  for (size_t i = 0; i < copies.size(); ++i) {
    std::string at = JsonFields::item("output_copies", i);
    CopySpec c{static_cast<int>(f.integer(copies[i], at, "output", 0, num_outputs - 1)), -1, -1};
    const TensorSpec &out = m->outputs_[c.output];
    if (f.has(copies[i], "from_input")) {
      c.from_input = static_cast<int>(f.integer(copies[i], at, "from_input", 0, num_inputs - 1));
      user_check(m->inputs_[c.from_input].bytes == out.bytes)
          << "'" << json_path << "': " << at << " copies input '" << m->inputs_[c.from_input].name
          << "' into output '" << out.name << "' of another size";
    } else {
      c.constant = static_cast<int>(f.integer(copies[i], at, "constant", 0, num_constants - 1));
      user_check(constant_ranges[c.constant].bytes == out.bytes)
          << "'" << json_path << "': " << at << " copies constant " << c.constant
          << " into output '" << out.name << "' of another size";
    }
    written[c.output] = true;
    copy_specs.push_back(c);
  }
  for (size_t o = 0; o < written.size(); ++o) {
    user_check(written[o]) << "'" << json_path << "': no kernel call or output copy writes output '"
                           << m->outputs_[o].name << "'";
  }

  // 5. constants.bin has exactly the promised size; map it.
  int64_t file_bytes = stat(constants_path.c_str(), &st) == 0 ? st.st_size : -1;
  user_check(file_bytes == m->constants_bytes_)
      << "'" << constants_path << "' is " << file_bytes << " bytes, but '" << json_path
      << "' expects " << m->constants_bytes_
      << (file_bytes < m->constants_bytes_ ? " (truncated?)" : " (from another build?)");
  m->constants_ = map_file(constants_path, m->constants_bytes_);
  const auto *base = static_cast<const uint8_t *>(m->constants_.get());
  std::vector<GraphExecutor::Constant> executor_constants;
  for (const ConstantRange &r : constant_ranges) {
    executor_constants.push_back({base + r.offset, m->constants_});
  }
  for (const CopySpec &c : copy_specs) {
    m->copies_.push_back({c.output, c.from_input,
                          c.constant >= 0 ? base + constant_ranges[c.constant].offset : nullptr});
  }

  // 6. kernels.so is for this machine's architecture and exports every kernel.
  std::string why;
  int so_machine = elf_machine(so_path, &why);
  user_check(so_machine >= 0) << "cannot load '" << so_path << "': " << why;
  int self_machine = elf_machine("/proc/self/exe", &why);
  user_check(self_machine < 0 || so_machine == self_machine)
      << "'" << so_path << "' holds " << machine_name(so_machine) << " code (target '" << m->target_
      << "'), but this machine runs " << machine_name(self_machine)
      << " (load the module on its target)";
  m->kernels_ = std::make_unique<LoadedModule>(so_path);
  for (KernelCall &c : calls) c.fn = m->kernels_->get_function(c.name);

  m->executor_ = std::make_unique<GraphExecutor>(
      std::move(slots), std::move(calls), std::move(executor_constants), arena_bytes,
      static_cast<int>(num_inputs), static_cast<int>(num_outputs));
  return m;
}

void DeployedModel::run(const std::vector<const void *> &inputs,
                        const std::vector<void *> &outputs) {
  executor_->run(inputs, outputs);
  for (const OutputCopy &c : copies_) {
    const void *src = c.from_input >= 0 ? inputs.at(c.from_input) : c.constant;
    std::memcpy(outputs.at(c.output), src, outputs_[c.output].bytes);
  }
}

}  // namespace autotune::runtime

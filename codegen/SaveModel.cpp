// The module writer: kernels.so through the cross-compiling backend, constants.bin as aligned
// blobs, and model.json describing the plan (runtime::DeployedModel reads it back).
#include "codegen/SaveModel.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "codegen/Compile.h"
#include "codegen/runtime/DeployedModel.h"
#include "ir/support/Error.h"

namespace autotune::codegen {

// Insertion order: model.json reads format, version and target first.
using json = nlohmann::ordered_json;
using runtime::BufferSlot;

namespace {

const char *slot_kind_name(BufferSlot::Kind kind) {
  switch (kind) {
    case BufferSlot::Kind::Constant:
      return "constant";
    case BufferSlot::Kind::Input:
      return "input";
    case BufferSlot::Kind::Output:
      return "output";
    case BufferSlot::Kind::Arena:
      return "arena";
  }
  internal_error << "unknown buffer slot kind";
  return "";
}

json tensor_specs(const std::vector<TensorInfo> &tensors) {
  json list = json::array();
  for (const TensorInfo &t : tensors) {
    list.push_back({{"name", t.name}, {"dtype", t.dtype.str()}, {"shape", t.shape}});
  }
  return list;
}

/// model.json's text: one top-level field per line, and one element per line in lists of
/// objects, so that a diff of two builds reads slot by slot and call by call.
std::string format_json(const json &root) {
  std::string out = "{\n";
  size_t i = 0;
  for (auto it = root.begin(); it != root.end(); ++it, ++i) {
    out += "  " + json(it.key()).dump() + ": ";
    const json &v = it.value();
    if (v.is_array() && !v.empty() && v.front().is_object()) {
      out += "[\n";
      for (size_t k = 0; k < v.size(); ++k) {
        out += "    " + v[k].dump() + (k + 1 < v.size() ? ",\n" : "\n");
      }
      out += "  ]";
    } else {
      out += v.dump();
    }
    out += i + 1 < root.size() ? ",\n" : "\n";
  }
  return out + "}\n";
}

/// Writes `bytes` to `path` through a temporary in the same directory, renamed into place.
void write_file(const std::string &path, const std::string &bytes) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    user_check(out.good()) << "cannot write '" << tmp << "': " << std::strerror(errno);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    user_check(out.good()) << "cannot write '" << tmp << "': " << std::strerror(errno);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  user_check(!ec) << "cannot rename '" << tmp << "' to '" << path << "': " << ec.message();
}

}  // namespace

SavedModelSizes save_model(const ModelPlan &plan, const std::string &dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  user_check(!ec && fs::is_directory(dir)) << "cannot create module directory '" << dir
                                           << "': " << (ec ? ec.message() : "not a directory");
  const std::string json_path = (fs::path(dir) / runtime::kModelJsonFile).string();
  const std::string so_path = (fs::path(dir) / runtime::kKernelsFile).string();
  const std::string constants_path = (fs::path(dir) / runtime::kConstantsFile).string();
  // An old model.json must not describe new, half-written files.
  fs::remove(json_path, ec);

  // 1. Kernels: one object for the target, linked into one shared object.
  build_shared_library(plan.kernels, plan.target, so_path);

  // 2. Constants back to back, each aligned for the widest vector loads.
  std::string blob;
  json constants = json::array();
  for (const graph::ConstantPtr &c : plan.constants) {
    blob.resize((blob.size() + runtime::kConstantAlign - 1) / runtime::kConstantAlign *
                runtime::kConstantAlign);
    constants.push_back({{"offset", blob.size()}, {"bytes", c->bytes.size()}});
    blob.append(reinterpret_cast<const char *>(c->bytes.data()), c->bytes.size());
  }
  write_file(constants_path, blob);

  // 3. The plan.
  json slots = json::array();
  for (const BufferSlot &s : plan.slots) {
    json j = {{"kind", slot_kind_name(s.kind)}, {"bytes", s.bytes}};
    if (s.kind == BufferSlot::Kind::Arena) {
      j["offset"] = s.arena_offset;
    } else {
      j["index"] = s.index;
    }
    slots.push_back(j);
  }
  json calls = json::array();
  for (size_t i = 0; i < plan.calls.size(); ++i) {
    calls.push_back({{"kernel", plan.calls[i].name},
                     {"node", plan.call_nodes[i]},
                     {"args", plan.calls[i].args}});
  }
  json copies = json::array();
  for (const ModelPlan::OutputCopy &c : plan.output_copies) {
    json j = {{"output", c.output}};
    if (c.from_input >= 0) {
      j["from_input"] = c.from_input;
    } else {
      j["constant"] = c.constant;
    }
    copies.push_back(j);
  }
  json root = {
      {"format", runtime::kModuleFormat},
      {"version", runtime::kModuleFormatVersion},
      {"target", plan.target.str()},
      {"inputs", tensor_specs(plan.inputs)},
      {"outputs", tensor_specs(plan.outputs)},
      {"arena_bytes", plan.arena_bytes},
      {"constants_bytes", blob.size()},
      {"constants", constants},
      {"slots", slots},
      {"calls", calls},
      {"output_copies", copies},
      {"stats",
       {{"distinct_kernels", plan.kernels.size()},
        {"tuned_calls", plan.num_tuned_calls},
        {"untuned_kernels", plan.untuned_kernels}}},
  };
  std::string text = format_json(root);
  write_file(json_path, text);

  SavedModelSizes sizes;
  sizes.kernels = static_cast<int64_t>(fs::file_size(so_path));
  sizes.constants = static_cast<int64_t>(blob.size());
  sizes.model_json = static_cast<int64_t>(text.size());
  return sizes;
}

}  // namespace autotune::codegen

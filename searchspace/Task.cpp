// Tasks of a fused model: the canonical workload text of a fused body, its stable key, and the
// extraction of one task per distinct tunable kernel.
#include "searchspace/Task.h"

#include <cctype>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "searchspace/Conv2dNchwcTemplate.h"
#include "searchspace/DenseTemplate.h"
#include "searchspace/KernelAnchor.h"

namespace autotune::searchspace {

using graph::Attribute;
using graph::Graph;
using graph::Node;
using graph::ValueId;

namespace {

std::string shape_text(const graph::Value &v) {
  std::string s = v.dtype.str() + "[";
  for (size_t i = 0; i < v.shape.size(); ++i) s += (i ? "," : "") + std::to_string(v.shape[i]);
  return s + "]";
}

std::string double_text(double d) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%.17g", d);
  return buf;
}

/// An attribute's value; tensors show their type and shape only (never their contents).
std::string attribute_text(const Attribute &a) {
  std::ostringstream os;
  if (const auto *i = std::get_if<int64_t>(&a)) {
    os << *i;
  } else if (const auto *d = std::get_if<double>(&a)) {
    os << double_text(*d);
  } else if (const auto *s = std::get_if<std::string>(&a)) {
    os << '"' << *s << '"';
  } else if (const auto *is = std::get_if<std::vector<int64_t>>(&a)) {
    os << "[";
    for (size_t k = 0; k < is->size(); ++k) os << (k ? "," : "") << (*is)[k];
    os << "]";
  } else if (const auto *ds = std::get_if<std::vector<double>>(&a)) {
    os << "[";
    for (size_t k = 0; k < ds->size(); ++k) os << (k ? "," : "") << double_text((*ds)[k]);
    os << "]";
  } else if (const auto *ss = std::get_if<std::vector<std::string>>(&a)) {
    os << "[";
    for (size_t k = 0; k < ss->size(); ++k) os << (k ? "," : "") << '"' << (*ss)[k] << '"';
    os << "]";
  } else if (const auto *t = std::get_if<graph::ConstantPtr>(&a)) {
    os << "tensor ";
    if (*t) {
      graph::Value v;
      v.dtype = (*t)->dtype;
      v.shape = (*t)->shape;
      os << shape_text(v);
    }
  }
  return os.str();
}

std::string lowercase(std::string s) {
  for (char &c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// " +add+relu": the body's operators other than the anchor, in order.
std::string epilogue_suffix(const Graph &body, const std::string &anchor_op) {
  std::string s;
  bool anchor_seen = false;
  for (const Node &n : body.nodes) {
    if (!anchor_seen && n.op_type == anchor_op) {
      anchor_seen = true;
      continue;
    }
    s += "+" + lowercase(n.op_type);
  }
  return s.empty() ? s : " " + s;
}

}  // namespace

std::string workload_text(const Graph &body) {
  std::ostringstream os;
  // Canonical ids: inputs in order, then constants read without being inputs, then node
  // results in order.
  std::map<ValueId, std::string> id;
  for (size_t i = 0; i < body.inputs.size(); ++i) {
    ValueId v = body.inputs[i];
    id[v] = "%i" + std::to_string(i);
    os << "input " << id[v] << (body.value(v).constant ? " const " : " ")
       << shape_text(body.value(v)) << "\n";
  }
  int constants = 0, results = 0;
  for (const Node &n : body.nodes) {
    for (ValueId v : n.inputs) {
      if (v == graph::kNone || id.count(v) || body.value(v).producer != graph::kNone) continue;
      id[v] = "%c" + std::to_string(constants++);
      os << "constant " << id[v] << " " << shape_text(body.value(v)) << "\n";
    }
  }
  for (const Node &n : body.nodes) {
    os << "node " << (n.domain.empty() ? "" : n.domain + ".") << n.op_type << "(";
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      os << (k ? ", " : "") << (n.inputs[k] == graph::kNone ? "_" : id.at(n.inputs[k]));
    }
    os << ") ->";
    for (size_t k = 0; k < n.outputs.size(); ++k) {
      ValueId v = n.outputs[k];
      id[v] = "%t" + std::to_string(results++);
      os << (k ? ", " : " ") << id[v] << " " << shape_text(body.value(v));
    }
    // std::map keeps attributes sorted by name.
    os << " {";
    bool first = true;
    for (const auto &[name, value] : n.attrs.all()) {
      os << (first ? "" : ", ") << name << "=" << attribute_text(value);
      first = false;
    }
    os << "}\n";
  }
  for (ValueId v : body.outputs) os << "output " << id.at(v) << "\n";
  return os.str();
}

std::string workload_key(const std::string &workload, const std::string &target) {
  uint64_t h = 14695981039346656037ull;  // FNV-1a 64 offset basis
  auto mix = [&h](const std::string &s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;  // FNV-1a 64 prime
    }
  };
  mix(workload);
  mix("|");
  mix(target);
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

const ScheduleTemplate *find_template(const graph::FusedCompute &fc) {
  static const ScheduleTemplate *const kTemplates[] = {&conv2d_nchwc_template(),
                                                       &depthwise_conv2d_nchwc_template(),
                                                       &dense_template(), &matmul_template()};
  for (const ScheduleTemplate *t : kTemplates) {
    if (t->matches(fc)) return t;
  }
  return nullptr;
}

std::vector<Task> extract_tasks(const Graph &fused, const std::string &target, int float_lanes) {
  std::vector<Task> tasks;
  std::map<std::string, size_t> task_of_key;
  std::set<std::string> names, untunable;
  for (const Node &node : fused.nodes) {
    user_check(node.domain == "autotune" && node.op_type == "fused" && node.body)
        << node.describe() << " is not a fused kernel; run fuse_operators before extract_tasks";
    std::string workload = workload_text(*node.body);
    std::string key = workload_key(workload, target);
    auto seen = task_of_key.find(key);
    if (seen != task_of_key.end()) {
      ++tasks[seen->second].count;
      continue;
    }
    if (untunable.count(key)) continue;
    graph::FusedCompute fc = graph::lower_fused(*node.body);
    const ScheduleTemplate *tmpl = find_template(fc);
    if (!tmpl) {
      untunable.insert(key);
      continue;
    }
    Task t;
    t.op_kind = tmpl->op_kind();
    t.workload = std::move(workload);
    t.target = target;
    t.key = key;
    t.flops = anchor_flops(fc.outputs);
    t.count = 1;
    t.body = node.body;
    t.tmpl = tmpl;
    t.name = t.op_kind + " " + tmpl->describe(fc) +
             epilogue_suffix(*node.body, node.attrs.get_string("anchor", ""));
    // Kernels that differ only in what the name leaves out (padding, constants' shapes).
    std::string base = t.name;
    for (int k = 2; !names.insert(t.name).second; ++k) t.name = base + " #" + std::to_string(k);
    t.space = tmpl->space(fc, float_lanes);
    t.space.set_name(t.name);
    task_of_key[key] = tasks.size();
    tasks.push_back(std::move(t));
  }
  return tasks;
}

}  // namespace autotune::searchspace

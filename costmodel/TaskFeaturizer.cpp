// Per-task feature rows: template -> schedule -> loop nest -> features, cached by index.
#include "costmodel/TaskFeaturizer.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "ir/graph/LowerFused.h"

namespace autotune::costmodel {

/// One thread's copy of the task's compute definition (schedules are built from it).
struct TaskFeaturizer::Worker {
  graph::FusedCompute fc;
  std::vector<te::Tensor> args;
  bool ready = false;
};

TaskFeaturizer::TaskFeaturizer(const searchspace::Task &task, FeaturizerOptions opt)
    : task_(task), opt_(opt) {
  nest_length_ = feature_length(opt_.nest);
  length_ = nest_length_ + (opt_.knob_features ? knob_feature_length(task_.space) : 0);
  workers_.resize(static_cast<size_t>(std::max(1, opt_.threads)));
  for (auto &w : workers_) w = std::make_unique<Worker>();
}

TaskFeaturizer::~TaskFeaturizer() = default;

void TaskFeaturizer::compute_into(Worker &w, const searchspace::Config &cfg, float *out) {
  bool ok = false;
  try {
    if (!w.ready && task_.body && task_.tmpl) {
      w.fc = graph::lower_fused(*task_.body);
      for (size_t u : w.fc.used_inputs) w.args.push_back(w.fc.inputs[u]);
      w.args.insert(w.args.end(), w.fc.outputs.begin(), w.fc.outputs.end());
      w.ready = true;
    }
    if (w.ready && task_.space.is_valid(cfg)) {
      te::Schedule sch = task_.tmpl->apply(w.fc, cfg, opt_.float_lanes, opt_.parallel);
      extract_features(lower_for_features(sch, w.args), opt_.nest, out);
      ok = true;
    }
  } catch (const std::exception &) {
    // An invalid or unlowerable config is a valid answer here: it gets the "failed" row.
  }
  if (!ok) failed_features(opt_.nest, out);
  if (opt_.knob_features) knob_features(cfg, out + nest_length_);
}

std::vector<float> TaskFeaturizer::compute(const searchspace::Config &cfg) {
  std::vector<float> out(length_);
  auto start = std::chrono::steady_clock::now();
  compute_into(*workers_[0], cfg, out.data());
  seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ++computed_;
  return out;
}

const float *TaskFeaturizer::row(int64_t index) {
  auto it = cache_.find(index);
  if (it != cache_.end()) return it->second.get();
  std::unique_ptr<float[]> values(new float[length_]);
  auto start = std::chrono::steady_clock::now();
  compute_into(*workers_[0], task_.space.get(index), values.get());
  seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ++computed_;
  const float *p = values.get();
  cache_.emplace(index, std::move(values));
  return p;
}

FeatureMatrix TaskFeaturizer::rows(const std::vector<int64_t> &indices) {
  // Missing rows first, spread over the workers.
  std::vector<int64_t> missing;
  for (int64_t i : indices) {
    if (!cache_.count(i) && std::find(missing.begin(), missing.end(), i) == missing.end()) {
      missing.push_back(i);
    }
  }
  if (!missing.empty()) {
    auto start = std::chrono::steady_clock::now();
    std::vector<std::unique_ptr<float[]>> fresh(missing.size());
    size_t n_threads = std::min(workers_.size(), (missing.size() + 7) / 8);
    auto work = [&](size_t t) {
      for (size_t k = t; k < missing.size(); k += n_threads) {
        fresh[k].reset(new float[length_]);
        compute_into(*workers_[t], task_.space.get(missing[k]), fresh[k].get());
      }
    };
    if (n_threads <= 1) {
      work(0);
    } else {
      std::vector<std::thread> threads;
      for (size_t t = 1; t < n_threads; ++t) threads.emplace_back(work, t);
      work(0);
      for (std::thread &th : threads) th.join();
    }
    for (size_t k = 0; k < missing.size(); ++k) cache_.emplace(missing[k], std::move(fresh[k]));
    computed_ += static_cast<int64_t>(missing.size());
    seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  FeatureMatrix m(indices.size(), length_);
  for (size_t r = 0; r < indices.size(); ++r) {
    const float *src = cache_.at(indices[r]).get();
    std::copy(src, src + length_, m.row(r));
  }
  return m;
}

}  // namespace autotune::costmodel

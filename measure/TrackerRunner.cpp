// The tracker runner: a pool of leased servers, a shared queue of trials per batch, one thread
// per server, and re-queueing of the trials that a failing machine leaves behind.
#include "measure/TrackerRunner.h"

#include <algorithm>
#include <deque>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>

#include "measure/RemoteModel.h"
#include "measure/Session.h"
#include "measure/worker/TrackerClient.h"

namespace autotune::measure {

using detail::SessionRunner;
using detail::TcpTransport;

struct TrackerRunner::Impl {
  struct Server {
    ServerRecord rec;
    std::unique_ptr<TcpTransport> transport;
    std::unique_ptr<SessionRunner> session;
    bool failed = false;
    std::string failure;
    std::string name() const {
      return "server #" + std::to_string(rec.id) + " (" + rec.host + ":" +
             std::to_string(rec.port) + ")";
    }
  };

  TrackerRunnerOptions opt;
  std::unique_ptr<TrackerClient> tracker;
  std::vector<std::unique_ptr<Server>> pool;
  int64_t retries = 0;
  std::set<int64_t> warned_arch;  ///< servers already reported as the wrong architecture

  std::string tracker_address() const {
    return opt.tracker_host + ":" + std::to_string(opt.tracker_port);
  }

  void log(const std::string &msg) const {
    if (opt.log) {
      opt.log(msg);
    } else {
      std::cerr << "autotune: " << msg << std::endl;
    }
  }

  void add_server(const ServerRecord &rec) {
    auto s = std::make_unique<Server>();
    s->rec = rec;
    s->transport = std::make_unique<TcpTransport>(rec.host, rec.port, opt.connect_timeout_s);
    s->session = std::make_unique<SessionRunner>(*s->transport, "autotune TrackerRunner",
                                                 opt.token, opt.upload_timeout_s);
    pool.push_back(std::move(s));
  }

  /// Leases more free servers; with `need_one`, waits (with messages and back-off) until the
  /// pool has at least one server. Never throws for an unreachable tracker, except after
  /// opt.max_wait_s (UserError).
  void top_up(bool need_one) {
    auto start = Clock::now();
    double backoff = 1, last_report = -1e9;
    bool first_try = true;
    while (true) {
      int want = opt.max_servers > 0 ? opt.max_servers - static_cast<int>(pool.size()) : 1 << 16;
      if (want <= 0) return;
      bool waiting = need_one && pool.empty();
      std::string problem;
      bool tracker_failed = false;
      if (!tracker) {
        try {
          tracker = std::make_unique<TrackerClient>(opt.tracker_host, opt.tracker_port, opt.token,
                                                    "autotune TrackerRunner",
                                                    opt.connect_timeout_s);
        } catch (const std::exception &e) {
          problem = e.what();
          tracker_failed = true;
        }
      }
      if (tracker) {
        try {
          KeyState st;
          std::vector<ServerRecord> got =
              tracker->request(opt.key, want, waiting && !first_try ? 5.0 : 0.0, opt.priority, &st);
          std::vector<int64_t> wrong_arch;
          for (const ServerRecord &r : got) {
            if (opt.arch.empty() || triple_arch(r.info.triple) == opt.arch) {
              add_server(r);
              continue;
            }
            wrong_arch.push_back(r.id);
            if (warned_arch.insert(r.id).second) {
              log("server #" + std::to_string(r.id) + " (" + r.host + ":" +
                  std::to_string(r.port) + ") of key '" + opt.key + "' runs " + r.info.triple +
                  ", but the kernels are built for " + opt.arch + ": not using it");
            }
          }
          if (!wrong_arch.empty()) tracker->release(wrong_arch);
          if (!got.empty() && waiting && Clock::now() - start > std::chrono::seconds(5)) {
            log("got " + std::to_string(got.size()) + " '" + opt.key + "' server(s); measuring");
          }
          if (!pool.empty() || !need_one) return;
          problem = "no free '" + opt.key + "' server at the tracker " + tracker_address() + " (" +
                    std::to_string(st.free) + " free, " + std::to_string(st.busy) + " busy, " +
                    std::to_string(st.queued) + " requests waiting)";
          if (!wrong_arch.empty()) {
            problem = "the free '" + opt.key + "' servers run another architecture than " +
                      opt.arch;
            tracker_failed = true;  // back off: asking again at once would get them again
          }
        } catch (const std::exception &e) {
          tracker.reset();
          tracker_failed = true;
          problem = "lost the connection to the tracker " + tracker_address() + ": " + e.what();
        }
      }
      if (!need_one) return;
      first_try = false;
      double waited = detail::seconds_since(start);
      if (opt.max_wait_s > 0 && waited > opt.max_wait_s) {
        user_error << "gave up after waiting " << static_cast<int>(waited) << " s for a '"
                   << opt.key << "' server: " << problem;
      }
      if (waited - last_report >= opt.report_every_s) {
        log("waiting for a '" + opt.key + "' server: " + problem + "; retrying");
        last_report = waited;
      }
      if (tracker_failed) {
        std::this_thread::sleep_for(std::chrono::duration<double>(backoff));
        backoff = std::min(backoff * 2, 10.0);
      }
    }
  }

  /// Gives failed servers' leases back (so that the tracker can offer them again once they
  /// work) and drops them from the pool.
  void drop_failed() {
    std::vector<int64_t> ids;
    for (auto it = pool.begin(); it != pool.end();) {
      if (!(*it)->failed) {
        ++it;
        continue;
      }
      log((*it)->name() + " failed (" + (*it)->failure +
          "); its trials go to the other servers, and it is used again once it is back");
      ids.push_back((*it)->rec.id);
      it = pool.erase(it);
    }
    if (ids.empty() || !tracker) return;
    try {
      tracker->release(ids);
    } catch (const std::exception &) {
      tracker.reset();
    }
  }

  std::vector<RunResult> run(const std::vector<RunInput> &inputs) {
    std::vector<RunResult> results(inputs.size());
    std::vector<int> attempts(inputs.size(), 0);
    std::deque<size_t> queue;
    for (size_t i = 0; i < inputs.size(); ++i) queue.push_back(i);
    top_up(false);  // servers that became free since the last batch join in
    std::mutex mu;
    while (!queue.empty()) {
      top_up(true);
      std::vector<std::thread> threads;
      for (auto &server : pool) {
        Server *s = server.get();
        threads.emplace_back([&, s] {
          while (true) {
            size_t i;
            {
              std::lock_guard<std::mutex> lk(mu);
              if (queue.empty()) return;
              i = queue.front();
              queue.pop_front();
            }
            bool lost = false;
            RunResult r = s->session->run_one(inputs[i], &lost);
            std::lock_guard<std::mutex> lk(mu);
            if (!lost) {
              results[i] = std::move(r);
              continue;
            }
            s->failed = true;
            s->failure = r.error;
            if (++attempts[i] >= opt.max_attempts) {
              results[i] = std::move(r);
              results[i].status = MeasureStatus::RuntimeDevice;
              results[i].error = "failed on " + std::to_string(attempts[i]) +
                                 " attempts because the measuring machine failed; last: " +
                                 results[i].error;
            } else {
              ++retries;
              queue.push_back(i);
            }
            return;  // this server is done for this batch
          }
        });
      }
      for (std::thread &t : threads) t.join();
      for (auto &server : pool) {
        if (!server->failed) server->session->forget_candidates(inputs);
      }
      drop_failed();
    }
    return results;
  }
};

TrackerRunner::TrackerRunner(TrackerRunnerOptions opt) : impl_(std::make_unique<Impl>()) {
  user_check(is_valid_key(opt.key)) << "invalid tracker key '" << opt.key << "'";
  user_check(opt.max_attempts >= 1) << "max_attempts must be at least 1";
  impl_->opt = std::move(opt);
}

TrackerRunner::~TrackerRunner() {
  impl_->pool.clear();  // end the sessions before the leases
  impl_->tracker.reset();
}

std::vector<RunResult> TrackerRunner::run(const std::vector<RunInput> &inputs) {
  return impl_->run(inputs);
}

InfoMessage TrackerRunner::device_info() {
  while (true) {
    impl_->top_up(true);
    for (auto &s : impl_->pool) {
      try {
        return s->session->device_info();
      } catch (const std::exception &e) {
        s->failed = true;
        s->failure = e.what();
      }
    }
    impl_->drop_failed();
  }
}

int TrackerRunner::servers() const { return static_cast<int>(impl_->pool.size()); }
int64_t TrackerRunner::retries() const { return impl_->retries; }

}  // namespace autotune::measure

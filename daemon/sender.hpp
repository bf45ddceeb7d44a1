#pragma once
// The daemon's sending half (docs/daemon.md "Delivery rules"): posts the
// tick decided to send go into the send queue; the queue starts them as
// the rate and the in-flight limits allow; each start records the attempt
// in the journal first, then hands the post to its channel; the outcomes
// that came in one turn of the loop are recorded together, in one journal
// transaction (sent, a retry, or failed), through the journal guard, which
// keeps them for later when the journal cannot take them.
//
// It asks the loop for a new tick (`want_tick`) when what it learnt may
// change what is due, and tells it when a stop has drained the last post
// (`drained`). Used from the io_context's thread only. Not copyable.

#include <cstddef>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "daemon/env.hpp"
#include "daemon/journal_guard.hpp"
#include "daemon/loaded_sources.hpp"
#include "daemon/logger.hpp"
#include "messaging/console_text.hpp"
#include "messaging/curl_transport.hpp"
#include "scheduling/scheduler.hpp"
#include "scheduling/send_queue.hpp"

namespace herald {

class sender {
 public:
  struct settings {
    double rate_per_second = 1;
    bool dry_run = false;             ///< log what would be sent; contact no channel
    std::ostream* console = nullptr;  ///< where console channels print
    int burst = 1;                    ///< delivery.burst
    console_style console_format{};   ///< JSON lines, or lines for a person at a terminal
  };
  /// What became of an attempt, once the journal has it: for health and metrics.
  struct recorded_attempt {
    const attempt& what;
    const delivery_outcome& outcome;
    bool retry;  ///< a failure to be tried again
    date::sys_seconds at;
  };
  struct hooks {
    std::function<void()> want_tick;                        ///< something that may change what is due
    std::function<void()> drained;                          ///< stopping, and nothing is in flight any more
    std::function<void(const recorded_attempt&)> recorded;  ///< may be empty
  };

  sender(boost::asio::io_context& io, env& environment, logger& log, journal_guard& guard, curl_transport& transport,
         settings how, hooks to_loop);
  sender(const sender&) = delete;
  sender& operator=(const sender&) = delete;

  /// The load and policy posts are sent with from now on (start, reload).
  void use(std::shared_ptr<const loaded_sources> sources, const schedule_policy& policy);

  /// Queues `job` unless its key is waiting or in flight already.
  void enqueue(send_queue::job job);
  /// Starts what the queue lets start now, and paces the rest.
  void dispatch();
  /// Drops the posts waiting (a reload decides them again).
  void drop_waiting();
  /// A stop: nothing more starts; `drained` is called when the last post in
  /// flight is recorded. Returns how many are in flight.
  std::size_t stop();
  std::size_t in_flight() const;

  /// Writes the outcomes the journal guard kept, as they came.
  void record_unrecorded();

 private:
  void request_dispatch();
  /// A post whose attempt is recorded (begin) and not yet handed to its channel (deliver).
  struct begun {
    send_queue::job job;
    attempt a;
    date::sys_seconds now;
  };
  std::vector<begun> begin(std::vector<send_queue::job> jobs);
  void deliver(begun post);
  bool lease_lapsed(std::chrono::steady_clock::time_point claimed_from, const begun& post);
  void renew_leases_later();
  void finished(const attempt& a, const delivery_outcome& outcome);
  bool may_defer_outcomes() const;
  void record_outcomes_soon();
  void record_outcomes();
  void once_recorded(std::function<void()> effect);
  bool record_sent(const attempt& a, const delivery_outcome& outcome, const result<journal_change>& recorded,
                   date::sys_seconds now);
  bool record_failure(const attempt& a, const delivery_outcome& outcome, date::sys_seconds now);
  bool record_unanswered(const attempt& a, const delivery_outcome& outcome, const failure_decision& decision,
                         bool first, date::sys_seconds now);
  void tell_recorded(const attempt& a, const delivery_outcome& outcome, bool retry, date::sys_seconds now);

  boost::asio::io_context& io_;
  env& env_;
  logger& log_;
  journal_guard& guard_;
  curl_transport& transport_;
  settings settings_;
  hooks hooks_;
  send_queue queue_;
  std::unique_ptr<steady_timer> pacing_;
  std::unique_ptr<steady_timer> renewal_;  // a shared journal's claims of the posts in flight
  bool renewing_ = false;
  std::shared_ptr<const loaded_sources> sources_;
  schedule_policy policy_;
  std::mt19937_64 random_;
  bool dispatch_posted_ = false;
  bool stopping_ = false;
  std::vector<journal_guard::unrecorded_outcome> outcomes_;  // answers not yet recorded, oldest first
  bool flush_posted_ = false;
  boost::asio::steady_timer flush_deadline_;  // the latest an outcome waits while others are in flight
  bool flush_deadline_armed_ = false;
  bool batching_ = false;                            // recording outcomes in one transaction
  std::vector<std::function<void()>> after_commit_;  // what is said once they are on disk
};

}  // namespace herald

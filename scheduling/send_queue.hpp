#pragma once
// The send loop's bookkeeping (docs/daemon.md "Delivery rules"): the posts waiting to go out, per
// channel; at most `max_in_flight` of one channel's posts in flight at once
// (docs/decisions.md "Channels and secrets"); and at most `delivery.rate` starts per
// second per channel (a rate_limiter each). A post is known by its key and
// is never queued twice. Pure: the caller passes the time; nothing is sent
// here. One per daemon; not thread-safe (the io_context's thread owns it).

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <date/date.h>

#include "messaging/post_content.hpp"
#include "scheduling/delivery_defaults.hpp"
#include "scheduling/rate_limiter.hpp"

namespace herald {

class send_queue {
 public:
  using clock = rate_limiter::clock;

  struct job {
    post_content content;  ///< content.key and content.channel identify it
    date::sys_seconds due;
  };

  /// REQUIRES: rate_per_second > 0, max_in_flight >= 1; burst < 1 counts as 1.
  explicit send_queue(double rate_per_second, int max_in_flight = delivery_defaults::in_flight_per_channel,
                      int burst = delivery_defaults::burst);

  /// Queues `j` behind its channel's waiting posts; false (and nothing
  /// changes) when its key is already waiting or in flight.
  bool push(job j);
  /// True while `key` is waiting or in flight.
  bool contains(std::string_view key) const;

  struct ready {
    std::vector<job> start;  ///< to begin now, in queue order; counted in flight from here
    /// When more could start for the rate; nullopt when nothing waits, or
    /// what waits is held back only by in-flight limits (finished() frees those).
    std::optional<clock::time_point> next;
  };
  /// Takes every post that may start at `now`.
  ready take_ready(clock::time_point now);

  /// A post that take_ready returned has ended (whatever the outcome).
  void finished(std::string_view key);

  /// Drops every waiting post (a reload re-decides them); in-flight ones stay.
  void drop_waiting();

  /// True when some channel has posts waiting that only its in-flight
  /// limit holds back: they start once finished() frees a place.
  bool held_by_in_flight() const;

  std::size_t waiting() const;
  std::size_t in_flight() const;
  /// The keys in flight, in no particular order.
  std::vector<std::string> in_flight_keys() const;

 private:
  struct channel_state {
    std::deque<job> waiting;
    std::set<std::string, std::less<>> flying;  ///< keys in flight
    rate_limiter limiter;
  };
  /// Moves `channel`'s waiting posts that may start at `now` to `start`.
  void start_ready(channel_state& channel, clock::time_point now, std::vector<job>& start) const;
  bool has_room(const channel_state& channel) const;
  static bool forgettable(const channel_state& channel, clock::time_point now);

  double rate_per_second_;
  int max_in_flight_;
  int burst_;
  std::map<std::string, channel_state, std::less<>> channels_;
  /// The channel of every key waiting or in flight: push() refuses a key
  /// found here, finished() finds its channel here.
  std::map<std::string, std::string, std::less<>> channel_of_;
};

}  // namespace herald

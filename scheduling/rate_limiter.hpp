#pragma once
// At most `delivery.rate` posts per second per channel (docs/daemon.md, "Delivery rules"; Slack asks
// for 1/s, Teams throttles above 4/s). A token bucket holding `burst`
// tokens: reserve() takes one and says when that post may go. Pure: the
// caller passes the time, so tests need no clock. One per channel; not
// thread-safe (the daemon's loop owns it).

#include <chrono>

namespace herald {

class rate_limiter {
 public:
  using clock = std::chrono::steady_clock;

  /// REQUIRES: per_second > 0, burst >= 1.
  explicit rate_limiter(double per_second, int burst = 1);

  /// Takes the next slot: the earliest time >= now the post may be sent.
  clock::time_point reserve(clock::time_point now);
  /// When the next slot would be, without taking it.
  clock::time_point next_slot(clock::time_point now) const;

 private:
  clock::duration interval_;
  int burst_;
  clock::time_point full_at_{};  // when the bucket is full again; the past means full now
};

}  // namespace herald

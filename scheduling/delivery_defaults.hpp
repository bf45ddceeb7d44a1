#pragma once
// How posts go out when herald.yaml does not say otherwise (docs/daemon.md),
// in one place: the config starts from these, and so do the scheduler's
// policy and the send queue.

#include <chrono>

namespace herald::delivery_defaults {

/// `catch_up`: how long after its due instant a post may still go out.
inline constexpr std::chrono::seconds catch_up{12 * 3600};
/// `delivery.attempts`: attempts per post, the first included.
inline constexpr int attempts = 8;
/// `delivery.timeout`: how long one attempt may take.
inline constexpr std::chrono::seconds timeout{10};
/// `delivery.rate`: posts per second to one channel.
inline constexpr double rate_per_second = 1.0;
/// `delivery.burst`: posts one channel may start at once before the rate
/// spaces them (the token bucket's size).
inline constexpr int burst = 1;
/// Posts of one channel in flight at once: a `burst: 10` starts in one round
/// (docs/decisions.md "Channels and secrets").
inline constexpr int in_flight_per_channel = 10;
/// How long a stop waits for posts in flight; no timeout may be longer, or a
/// stop would cut posts off mid-flight.
inline constexpr std::chrono::seconds drain_limit{10};

}  // namespace herald::delivery_defaults

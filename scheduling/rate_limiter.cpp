#include "scheduling/rate_limiter.hpp"

#include <algorithm>

namespace herald {

rate_limiter::rate_limiter(double per_second, int burst)
    : interval_(std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(1.0 / per_second))),
      burst_(std::max(1, burst)) {}

// The bucket is tracked by the time it will be full again (GCRA): a slot is
// free once that time is at most burst - 1 intervals ahead of now.
rate_limiter::clock::time_point rate_limiter::next_slot(clock::time_point now) const {
  auto full = std::max(full_at_, now);
  auto earliest = full - interval_ * (burst_ - 1);
  return std::max(now, earliest);
}

rate_limiter::clock::time_point rate_limiter::reserve(clock::time_point now) {
  auto slot = next_slot(now);
  full_at_ = std::max(full_at_, slot) + interval_;
  return slot;
}

}  // namespace herald

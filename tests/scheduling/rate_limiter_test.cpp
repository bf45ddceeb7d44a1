#include <catch2/catch.hpp>

#include "scheduling/rate_limiter.hpp"

using namespace herald;
using std::chrono::milliseconds;

namespace {
const rate_limiter::clock::time_point t0{std::chrono::seconds{1000}};
}

TEST_CASE("rate: 1/s spaces posts due at once one second apart", "[rate]") {
  rate_limiter slack(1.0);
  CHECK(slack.reserve(t0) == t0);
  CHECK(slack.reserve(t0) == t0 + milliseconds{1000});
  CHECK(slack.reserve(t0) == t0 + milliseconds{2000});
  // A post asked for later than its slot goes at once.
  CHECK(slack.reserve(t0 + milliseconds{10000}) == t0 + milliseconds{10000});
}

TEST_CASE("rate: 4/s allows a post every 250 ms", "[rate]") {
  rate_limiter teams(4.0);
  for (int i = 0; i < 8; ++i) CHECK(teams.reserve(t0) == t0 + milliseconds{250 * i});
}

TEST_CASE("rate: a burst lets that many go at once, then the rate holds", "[rate]") {
  rate_limiter limiter(2.0, 3);
  CHECK(limiter.reserve(t0) == t0);
  CHECK(limiter.reserve(t0) == t0);
  CHECK(limiter.reserve(t0) == t0);
  CHECK(limiter.reserve(t0) == t0 + milliseconds{500});
  CHECK(limiter.reserve(t0) == t0 + milliseconds{1000});
  // After a quiet spell the bucket is full again.
  CHECK(limiter.next_slot(t0 + milliseconds{10000}) == t0 + milliseconds{10000});
}

TEST_CASE("rate: next_slot does not take the slot", "[rate]") {
  rate_limiter limiter(1.0);
  CHECK(limiter.next_slot(t0) == t0);
  CHECK(limiter.next_slot(t0) == t0);
  limiter.reserve(t0);
  CHECK(limiter.next_slot(t0) == t0 + milliseconds{1000});
}

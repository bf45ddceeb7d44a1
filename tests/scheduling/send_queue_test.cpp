#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "scheduling/send_queue.hpp"

using namespace herald;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

using time_point = send_queue::clock::time_point;
const time_point t0{seconds{1000}};

send_queue::job post(std::string key, std::string channel) {
  send_queue::job j;
  j.content.key = std::move(key);
  j.content.channel = std::move(channel);
  return j;
}

std::vector<std::string> keys(const send_queue::ready& r) {
  std::vector<std::string> out;
  for (const auto& j : r.start) out.push_back(j.content.key);
  return out;
}

// Milliseconds after t0, so that a failure reads as a number.
long long after_t0(std::optional<time_point> t) { return t ? (*t - t0) / milliseconds{1} : -1; }

using strings = std::vector<std::string>;

}  // namespace

TEST_CASE("send_queue: at 1/s one post per channel starts each second, channels independently", "[send_queue]") {
  send_queue queue(1.0);
  for (auto key : {"a1", "a2", "a3"}) REQUIRE(queue.push(post(key, "slack")));
  REQUIRE(queue.push(post("b1", "teams")));

  auto first = queue.take_ready(t0);
  CHECK(keys(first) == strings{"a1", "b1"});
  CHECK(after_t0(first.next) == 1000);
  CHECK(keys(queue.take_ready(t0 + milliseconds{999})).empty());
  auto second = queue.take_ready(t0 + seconds{1});
  CHECK(keys(second) == strings{"a2"});
  CHECK(after_t0(second.next) == 2000);
  // Late to the slot: the post goes at once, and the next a second after it.
  auto third = queue.take_ready(t0 + milliseconds{2500});
  CHECK(keys(third) == strings{"a3"});
  CHECK_FALSE(third.next);  // nothing waits
  CHECK(queue.in_flight() == 4);
  CHECK(queue.waiting() == 0);
}

TEST_CASE("send_queue: a burst of 3 starts three posts of a channel at once, then the rate holds", "[send_queue]") {
  // Given delivery.burst 3 at 1/s and 4 in flight at most, when five posts
  // are due together, then three start at once and the fourth a second later.
  send_queue queue(1.0, 4, 3);
  for (auto key : {"a1", "a2", "a3", "a4", "a5"}) REQUIRE(queue.push(post(key, "slack")));
  auto first = queue.take_ready(t0);
  CHECK(keys(first) == strings{"a1", "a2", "a3"});
  CHECK(after_t0(first.next) == 1000);
  CHECK(keys(queue.take_ready(t0 + seconds{1})) == strings{"a4"});
}

TEST_CASE("send_queue: a post pushed to a quiet channel starts at once", "[send_queue]") {
  send_queue queue(1.0);
  queue.push(post("a1", "slack"));
  queue.take_ready(t0);
  queue.push(post("b1", "teams"));
  CHECK(keys(queue.take_ready(t0 + milliseconds{10})) == strings{"b1"});
}

TEST_CASE("send_queue: the fifth post of a channel waits for one of four in flight to finish", "[send_queue]") {
  send_queue queue(1.0, 4);
  for (auto key : {"p1", "p2", "p3", "p4", "p5"}) REQUIRE(queue.push(post(key, "webhook")));
  REQUIRE(queue.push(post("other", "slack")));
  strings started;
  std::optional<time_point> next;
  for (int s = 0; s < 8; ++s) {
    auto r = queue.take_ready(t0 + seconds{s});
    for (auto& k : keys(r)) started.push_back(k);
    next = r.next;
  }
  CHECK(started == strings{"other", "p1", "p2", "p3", "p4"});
  CHECK(queue.in_flight() == 5);
  CHECK(queue.waiting() == 1);
  // Held by the in-flight limit only: no time would free it.
  CHECK_FALSE(next);

  queue.finished("other");  // another channel's end frees nothing here
  CHECK(keys(queue.take_ready(t0 + seconds{9})).empty());
  queue.finished("p2");
  CHECK(keys(queue.take_ready(t0 + seconds{9})) == strings{"p5"});
  CHECK(queue.in_flight() == 4);
}

TEST_CASE("send_queue: a key waiting or in flight is refused", "[send_queue]") {
  send_queue queue(1.0);
  CHECK(queue.push(post("k", "slack")));
  CHECK_FALSE(queue.push(post("k", "slack")));
  CHECK(queue.contains("k"));
  CHECK(queue.waiting() == 1);
  queue.take_ready(t0);
  CHECK_FALSE(queue.push(post("k", "slack")));
  CHECK(queue.contains("k"));
  CHECK(queue.waiting() == 0);
  // Once finished, the queue forgets it: the journal says whether it was sent.
  queue.finished("k");
  CHECK_FALSE(queue.contains("k"));
  CHECK(queue.in_flight() == 0);
}

TEST_CASE("send_queue: finished() of a post still waiting changes nothing", "[send_queue]") {
  send_queue queue(1.0);
  queue.push(post("k", "slack"));
  queue.finished("k");
  queue.finished("never-pushed");
  CHECK(queue.contains("k"));
  CHECK(keys(queue.take_ready(t0)) == strings{"k"});
}

TEST_CASE("send_queue: drop_waiting drops what waits and keeps what flies", "[send_queue]") {
  send_queue queue(1.0);
  for (auto key : {"a1", "a2", "a3"}) queue.push(post(key, "slack"));
  queue.push(post("b1", "teams"));
  queue.take_ready(t0);  // a1 and b1
  queue.drop_waiting();
  CHECK(queue.waiting() == 0);
  CHECK(queue.in_flight() == 2);
  CHECK(queue.contains("a1"));
  CHECK_FALSE(queue.contains("a2"));
  CHECK_FALSE(queue.take_ready(t0 + seconds{1}).next);
  // A reload pushes them again; the rate still counts a1's start.
  CHECK(queue.push(post("a2", "slack")));
  CHECK_FALSE(queue.push(post("a1", "slack")));
  auto r = queue.take_ready(t0 + milliseconds{500});
  CHECK(keys(r).empty());
  CHECK(after_t0(r.next) == 1000);
}

TEST_CASE("send_queue: next is the earliest slot of a channel that could start a post", "[send_queue]") {
  send_queue queue(2.0, 1);  // one slot each 500 ms, one in flight
  queue.push(post("a1", "slack"));
  queue.push(post("a2", "slack"));
  queue.push(post("b1", "teams"));
  queue.push(post("b2", "teams"));
  queue.take_ready(t0);  // a1, b1: both channels now at their limit
  CHECK_FALSE(queue.take_ready(t0 + milliseconds{100}).next);
  queue.finished("b1");
  auto r = queue.take_ready(t0 + milliseconds{100});
  CHECK(keys(r).empty());
  CHECK(after_t0(r.next) == 500);  // teams' slot; slack waits for finished()
  CHECK(keys(queue.take_ready(t0 + milliseconds{500})) == strings{"b2"});
}

TEST_CASE("send_queue: a channel gone quiet still counts its last start against the rate", "[send_queue]") {
  // Given a post started and finished, and nothing else on its channel, then
  // a post pushed half a second later still waits for the second to pass.
  send_queue queue(1.0);
  queue.push(post("a1", "slack"));
  queue.take_ready(t0);
  queue.finished("a1");
  CHECK_FALSE(queue.take_ready(t0 + milliseconds{100}).next);  // nothing waits
  queue.push(post("a2", "slack"));
  auto r = queue.take_ready(t0 + milliseconds{500});
  CHECK(keys(r).empty());
  CHECK(after_t0(r.next) == 1000);
  CHECK(keys(queue.take_ready(t0 + seconds{1})) == strings{"a2"});
}

#include "messaging/host_queue.hpp"

#include <catch2/catch.hpp>

namespace herald {

TEST_CASE("host_of: scheme and authority, lowercased, without the userinfo", "[host_queue]") {
  CHECK(host_of("https://hooks.slack.com/services/T0/B0/secret") == "https://hooks.slack.com");
  CHECK(host_of("HTTP://Example.ORG:8080?x=1") == "http://example.org:8080");
  CHECK(host_of("https://user:pass@example.org/hook") == "https://example.org");
  CHECK(host_of("smtp://mail.example.org:587") == "smtp://mail.example.org:587");
  CHECK(host_of("no-scheme") == "no-scheme");
}

TEST_CASE("host_queue: a host's items beyond its limit wait, in order, for one to end", "[host_queue]") {
  host_queue<int> queue(2);
  CHECK(queue.admit("a", 1) == 1);
  CHECK(queue.admit("a", 2) == 2);
  CHECK_FALSE(queue.admit("a", 3));
  CHECK_FALSE(queue.admit("a", 4));
  CHECK(queue.admit("b", 5) == 5);  // another host has its own places
  CHECK(queue.waiting() == 2);
  CHECK(queue.release("a") == 3);
  CHECK(queue.release("a") == 4);
  CHECK(queue.waiting() == 0);
  CHECK_FALSE(queue.release("a"));
  CHECK_FALSE(queue.release("a"));
  CHECK(queue.admit("a", 6) == 6);  // both places were given back
  CHECK(queue.admit("a", 7) == 7);
  CHECK_FALSE(queue.admit("a", 8));
  CHECK_FALSE(queue.release("b"));
  CHECK_FALSE(queue.release("unknown"));
}

}  // namespace herald

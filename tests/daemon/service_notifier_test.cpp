// The notifier against a real datagram socket standing in for systemd's:
// sd_notify sends synchronously, so each datagram is queued by the time the
// call returns, and history() reads them without waiting.

#include "daemon/service_notifier.hpp"

#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "support/notify_socket.hpp"
#include "support/temp_dir.hpp"

namespace herald {
namespace {

using namespace std::chrono_literals;
using datagrams = std::vector<std::string>;

// Sets (or unsets) an environment variable for one test, restoring it after.
class env_var {
 public:
  env_var(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    value ? ::setenv(name, value, 1) : ::unsetenv(name);
  }
  ~env_var() { old_ ? ::setenv(name_, old_->c_str(), 1) : ::unsetenv(name_); }
  env_var(const env_var&) = delete;
  env_var& operator=(const env_var&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

std::uint64_t monotonic_usec() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000u + static_cast<std::uint64_t>(now.tv_nsec) / 1'000u;
}

}  // namespace

TEST_CASE("service_notifier: given NOTIFY_SOCKET, then each call sends its message", "[service_notifier]") {
  test::temp_dir dir("herald-notify");
  test::notify_socket systemd(dir / "notify");
  env_var socket("NOTIFY_SOCKET", systemd.path().c_str());
  service_notifier notifier;
  REQUIRE(notifier.enabled());

  notifier.ready("next: inwed/2027-06-23/-28d/staff-slack at 2027-05-26T08:30:00Z");
  notifier.status("two\nlines\r\n");
  notifier.stopping();
  notifier.watchdog();
  CHECK(systemd.history() ==
        datagrams{"READY=1\nSTATUS=next: inwed/2027-06-23/-28d/staff-slack at 2027-05-26T08:30:00Z",
                  "STATUS=two lines  ", "STOPPING=1", "WATCHDOG=1"});
}

TEST_CASE("service_notifier: given a reload, then RELOADING=1 with CLOCK_MONOTONIC now", "[service_notifier]") {
  test::temp_dir dir("herald-notify");
  test::notify_socket systemd(dir / "notify");
  env_var socket("NOTIFY_SOCKET", systemd.path().c_str());
  service_notifier notifier;

  const std::uint64_t before = monotonic_usec();
  notifier.reloading();
  const std::uint64_t after = monotonic_usec();

  const datagrams sent = systemd.history();
  REQUIRE(sent.size() == 1);
  const std::string& message = sent[0];
  const std::string prefix = "RELOADING=1\nMONOTONIC_USEC=";
  REQUIRE(message.starts_with(prefix));
  const std::string number = message.substr(prefix.size());
  REQUIRE(!number.empty());
  REQUIRE(number.find_first_not_of("0123456789") == std::string::npos);
  const std::uint64_t usec = std::stoull(number);
  CHECK(usec >= before);
  CHECK(usec <= after);
}

TEST_CASE("service_notifier: given no NOTIFY_SOCKET, then disabled and every call harmless", "[service_notifier]") {
  env_var socket("NOTIFY_SOCKET", nullptr);
  service_notifier notifier;
  CHECK_FALSE(notifier.enabled());
  CHECK_NOTHROW(notifier.ready("ready"));
  CHECK_NOTHROW(notifier.reloading());
  CHECK_NOTHROW(notifier.status("status"));
  CHECK_NOTHROW(notifier.watchdog());
  CHECK_NOTHROW(notifier.stopping());
}

TEST_CASE("service_notifier: given WATCHDOG_USEC, then the interval is half of it, for this process only",
          "[service_notifier]") {
  const std::string self = std::to_string(::getpid());
  env_var usec("WATCHDOG_USEC", "2000000");

  SECTION("WATCHDOG_PID is this process") {
    env_var pid("WATCHDOG_PID", self.c_str());
    CHECK(service_notifier().watchdog_interval() == std::chrono::microseconds{1s});
  }
  SECTION("no WATCHDOG_PID") {
    env_var pid("WATCHDOG_PID", nullptr);
    CHECK(service_notifier().watchdog_interval() == std::chrono::microseconds{1s});
  }
  SECTION("WATCHDOG_PID is another process") {
    env_var pid("WATCHDOG_PID", std::to_string(::getpid() + 1).c_str());
    CHECK(service_notifier().watchdog_interval() == std::nullopt);
  }
}

TEST_CASE("service_notifier: given no WATCHDOG_USEC, then no watchdog", "[service_notifier]") {
  env_var usec("WATCHDOG_USEC", nullptr);
  env_var pid("WATCHDOG_PID", nullptr);
  CHECK(service_notifier().watchdog_interval() == std::nullopt);
}

}  // namespace herald

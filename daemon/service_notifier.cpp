// The notify protocol through libsystemd's sd_notify, which finds the
// socket in NOTIFY_SOCKET itself (a path or an abstract "@name") and returns
// 0 without sending when it is unset. Results are ignored on purpose: a
// status line systemd did not get is no reason to stop posting.

#include "daemon/service_notifier.hpp"

#include <time.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include <systemd/sd-daemon.h>

#include "text/one_line.hpp"

namespace herald {
namespace {

std::uint64_t monotonic_usec() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000u + static_cast<std::uint64_t>(now.tv_nsec) / 1'000u;
}

void send(bool enabled, const std::string& message) {
  if (enabled) ::sd_notify(0, message.c_str());
}

}  // namespace

service_notifier::service_notifier() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  enabled_ = socket != nullptr && *socket != '\0';
  // sd_watchdog_enabled checks WATCHDOG_PID too: a watchdog meant for a
  // parent that started herald is not ours to feed.
  std::uint64_t usec = 0;
  if (::sd_watchdog_enabled(0, &usec) > 0 && usec > 0) watchdog_interval_ = std::chrono::microseconds{usec / 2};
}

void service_notifier::ready(std::string_view status) { send(enabled_, "READY=1\nSTATUS=" + one_line(status)); }

// MONOTONIC_USEC lets systemd tell this reload from an earlier one
// (sd_notify(3)); systemd 252 ignores it, later ones need it.
void service_notifier::reloading() {
  send(enabled_, "RELOADING=1\nMONOTONIC_USEC=" + std::to_string(monotonic_usec()));
}

void service_notifier::stopping() { send(enabled_, "STOPPING=1"); }

void service_notifier::status(std::string_view text) { send(enabled_, "STATUS=" + one_line(text)); }

void service_notifier::watchdog() { send(enabled_, "WATCHDOG=1"); }

}  // namespace herald

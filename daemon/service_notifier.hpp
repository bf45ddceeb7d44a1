#pragma once
// The systemd notify protocol (sd_notify(3), docs/daemon.md) through libsystemd:
// it sends to whatever socket NOTIFY_SOCKET names, and does nothing when
// that is unset, so herald runs the same in a terminal. Messages:
// READY=1 after the first load; RELOADING=1 with MONOTONIC_USEC= first
// thing on a reload, then READY=1; STOPPING=1; STATUS= naming the next
// post; WATCHDOG=1 at half of WATCHDOG_USEC when systemd asks for it.
//
// Used from one thread. Failures to send are ignored (systemd may be gone
// while herald stops); nothing here throws.

#include <chrono>
#include <optional>
#include <string_view>

namespace herald {

class service_notifier {
 public:
  service_notifier();

  /// True when NOTIFY_SOCKET is set.
  bool enabled() const { return enabled_; }

  void ready(std::string_view status);  ///< READY=1 and STATUS=
  void reloading();                     ///< RELOADING=1, MONOTONIC_USEC=<CLOCK_MONOTONIC now in µs>
  void stopping();                      ///< STOPPING=1
  void status(std::string_view text);   ///< STATUS=<text> (newlines become spaces)
  void watchdog();                      ///< WATCHDOG=1

  /// How often to call watchdog(): half of WATCHDOG_USEC when systemd set a
  /// watchdog for this process (sd_watchdog_enabled), else nullopt.
  std::optional<std::chrono::microseconds> watchdog_interval() const { return watchdog_interval_; }

 private:
  bool enabled_ = false;
  std::optional<std::chrono::microseconds> watchdog_interval_;
};

}  // namespace herald

#pragma once
// A journal that fails on cue, for the daemon's journal-pause paths
// (docs/daemon.md "When the journal itself fails"). It wraps a real
// sqlite_journal (in the test's temporary directory): every call goes to
// it unless a switch says the call fails, and then the call returns the
// failure a failing SQLite journal would, and changes nothing.
//
// Switches:
// - fail_next(call, n): the next n calls of that kind fail ("database is locked");
// - lock_for(d): every call fails until the env's monotonic clock has moved
//   d past now, as when another process holds the write lock that long;
// - lock(): every call fails until clear();
// - disappear(): every call fails with "disk I/O error" until clear(), as
//   when the file's disk went away;
// - share(lease): it says it is shared, with that lease (docs/service.md
//   "Replicas"), and counts the renewals of its claims (none fails).
//
// It counts the calls of each kind that reached the real journal, so a
// test can say "record_sent was written exactly once". One thread.

#include <array>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/env.hpp"
#include "journal/sqlite_journal.hpp"

namespace herald::test {

class faulty_journal final : public journal {
 public:
  enum class call {
    find,
    begin_attempt,
    record_sent,
    record_failed,
    record_retry,
    record_unanswered,
    record_missed,
    take_in_flight,
    entries_in,
    recent,
    count_by_state,
    due_retries,
    paused_channels,
    actions,
    last_action_id,
  };
  static constexpr std::size_t call_kinds = static_cast<std::size_t>(call::last_action_id) + 1;

  /// Opens (creates) the real journal at `path`; `clock` is what lock_for counts on.
  static result<std::unique_ptr<faulty_journal>> open(const std::filesystem::path& path, env& clock);

  void fail_next(call which, int times = 1) { fail_next_[index(which)] += times; }
  void lock_for(std::chrono::seconds how_long) { locked_until_ = clock_.steady_now() + how_long; }
  void lock() { locked_until_ = std::chrono::steady_clock::time_point::max(); }
  void disappear() { gone_ = true; }
  void share(std::chrono::milliseconds lease) { lease_ = lease; }
  void clear();

  /// Calls of `which` that reached the real journal.
  int applied(call which) const { return applied_[index(which)]; }
  /// Calls that failed on a switch.
  int failures() const { return failures_; }
  /// The real journal, to read rows back without a switch in the way.
  sqlite_journal& real() { return *real_; }

  result<std::optional<journal_entry>> find(std::string_view key) override;
  result<journal_change> begin_attempt(std::string_view key, date::sys_seconds due, std::string_view channel,
                                       std::string_view event, date::sys_seconds now) override;
  result<journal_change> record_sent(std::string_view key, date::sys_seconds now) override;
  result<journal_change> record_failed(std::string_view key, date::sys_seconds now, std::string_view error) override;
  result<journal_change> record_retry(std::string_view key, date::sys_seconds now, date::sys_seconds next_try,
                                      std::string_view error) override;
  result<journal_change> record_unanswered(std::string_view key, date::sys_seconds now,
                                           std::optional<date::sys_seconds> next_try, std::string_view error) override;
  result<journal_change> record_missed(std::string_view key, date::sys_seconds due, std::string_view channel,
                                       std::string_view event, date::sys_seconds now) override;
  // Straight to the real journal: the changes between them still pass the switches.
  result<void> begin_changes() override { return real_->begin_changes(); }
  result<void> commit_changes() override {
    ++commits_;
    return real_->commit_changes();
  }
  /// Transactions of several changes committed (begin_changes … commit_changes).
  int commits() const { return commits_; }
  std::chrono::milliseconds lease() const override { return lease_; }
  result<void> renew_leases(const std::vector<std::string>& keys) override {
    ++renewals_;
    renewed_ = keys;
    return {};
  }
  /// How many times renew_leases was called, and the keys of the last call.
  int renewals() const { return renewals_; }
  const std::vector<std::string>& renewed() const { return renewed_; }
  result<std::vector<journal_entry>> take_in_flight(date::sys_seconds now) override;
  result<std::vector<journal_entry>> entries_in(post_state state) override;
  result<std::vector<journal_entry>> recent(std::size_t limit) override;
  result<std::map<post_state, std::size_t>> count_by_state() override;
  result<std::vector<journal_entry>> due_retries(date::sys_seconds until) override;
  result<std::vector<channel_pause>> paused_channels() override;
  result<std::vector<operator_action>> actions(std::size_t limit) override;
  result<std::int64_t> last_action_id() override;

 private:
  faulty_journal(std::unique_ptr<sqlite_journal> real, std::string path, env& clock);
  static std::size_t index(call which) { return static_cast<std::size_t>(which); }
  /// The error `which` fails with now, or nullopt when it goes through.
  std::optional<failure> fault(call which);
  template <class F>
  auto pass(call which, F&& forward) -> decltype(forward());

  std::unique_ptr<sqlite_journal> real_;
  std::string path_;
  env& clock_;
  std::array<int, call_kinds> fail_next_{};
  std::array<int, call_kinds> applied_{};
  std::optional<std::chrono::steady_clock::time_point> locked_until_;
  bool gone_ = false;
  int failures_ = 0;
  int commits_ = 0;
  std::chrono::milliseconds lease_{0};
  int renewals_ = 0;
  std::vector<std::string> renewed_;
};

}  // namespace herald::test

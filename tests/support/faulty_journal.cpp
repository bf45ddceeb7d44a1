// Each call asks fault() first; a call that goes through is counted and
// forwarded to the real SQLite journal unchanged.
#include "support/faulty_journal.hpp"

#include <utility>

namespace herald::test {

result<std::unique_ptr<faulty_journal>> faulty_journal::open(const std::filesystem::path& path, env& clock) {
  auto real = sqlite_journal::open(path);
  if (!real.ok()) return failure{real.error()};
  return std::unique_ptr<faulty_journal>(new faulty_journal(std::move(real.value()), path.string(), clock));
}

faulty_journal::faulty_journal(std::unique_ptr<sqlite_journal> real, std::string path, env& clock)
    : real_(std::move(real)), path_(std::move(path)), clock_(clock) {}

void faulty_journal::clear() {
  fail_next_ = {};
  locked_until_.reset();
  gone_ = false;
}

std::optional<failure> faulty_journal::fault(call which) {
  if (gone_) return failure{"journal " + path_ + ": disk I/O error"};
  if (locked_until_ && clock_.steady_now() < *locked_until_)
    return failure{"journal " + path_ + ": database is locked"};
  if (auto& next = fail_next_[index(which)]; next > 0) {
    --next;
    return failure{"journal " + path_ + ": database is locked"};
  }
  return std::nullopt;
}

template <class F>
auto faulty_journal::pass(call which, F&& forward) -> decltype(forward()) {
  if (auto error = fault(which)) {
    ++failures_;
    return *error;
  }
  ++applied_[index(which)];
  return forward();
}

result<std::optional<journal_entry>> faulty_journal::find(std::string_view key) {
  return pass(call::find, [&] { return real_->find(key); });
}

result<journal_change> faulty_journal::begin_attempt(std::string_view key, date::sys_seconds due,
                                                     std::string_view channel, std::string_view event,
                                                     date::sys_seconds now) {
  return pass(call::begin_attempt, [&] { return real_->begin_attempt(key, due, channel, event, now); });
}

result<journal_change> faulty_journal::record_sent(std::string_view key, date::sys_seconds now) {
  return pass(call::record_sent, [&] { return real_->record_sent(key, now); });
}

result<journal_change> faulty_journal::record_failed(std::string_view key, date::sys_seconds now,
                                                     std::string_view error) {
  return pass(call::record_failed, [&] { return real_->record_failed(key, now, error); });
}

result<journal_change> faulty_journal::record_retry(std::string_view key, date::sys_seconds now,
                                                    date::sys_seconds next_try, std::string_view error) {
  return pass(call::record_retry, [&] { return real_->record_retry(key, now, next_try, error); });
}

result<journal_change> faulty_journal::record_unanswered(std::string_view key, date::sys_seconds now,
                                                         std::optional<date::sys_seconds> next_try,
                                                         std::string_view error) {
  return pass(call::record_unanswered, [&] { return real_->record_unanswered(key, now, next_try, error); });
}

result<journal_change> faulty_journal::record_missed(std::string_view key, date::sys_seconds due,
                                                     std::string_view channel, std::string_view event,
                                                     date::sys_seconds now) {
  return pass(call::record_missed, [&] { return real_->record_missed(key, due, channel, event, now); });
}

result<std::vector<journal_entry>> faulty_journal::take_in_flight(date::sys_seconds now) {
  return pass(call::take_in_flight, [&] { return real_->take_in_flight(now); });
}

result<std::vector<journal_entry>> faulty_journal::entries_in(post_state state) {
  return pass(call::entries_in, [&] { return real_->entries_in(state); });
}

result<std::vector<journal_entry>> faulty_journal::recent(std::size_t limit) {
  return pass(call::recent, [&] { return real_->recent(limit); });
}

result<std::map<post_state, std::size_t>> faulty_journal::count_by_state() {
  return pass(call::count_by_state, [&] { return real_->count_by_state(); });
}

result<std::vector<journal_entry>> faulty_journal::due_retries(date::sys_seconds until) {
  return pass(call::due_retries, [&] { return real_->due_retries(until); });
}

result<std::vector<channel_pause>> faulty_journal::paused_channels() {
  return pass(call::paused_channels, [&] { return real_->paused_channels(); });
}

result<std::vector<operator_action>> faulty_journal::actions(std::size_t limit) {
  return pass(call::actions, [&] { return real_->actions(limit); });
}

result<std::int64_t> faulty_journal::last_action_id() {
  return pass(call::last_action_id, [&] { return real_->last_action_id(); });
}

}  // namespace herald::test

// The journal pause and the outcomes kept through it (docs/daemon.md "When
// the journal itself fails").
#include "daemon/journal_guard.hpp"

#include <sys/stat.h>

#include <fmt/format.h>

namespace herald {

journal_guard::journal_guard(journal& store, env& environment, boost::asio::io_context& io, logger& log,
                             std::function<void()> resumed)
    : store_(store),
      env_(environment),
      log_(log),
      resumed_(std::move(resumed)),
      timer_(environment.make_steady_timer(io)) {}

// A journal that fails (locked by another process, disk full) is tried
// again after the pause: then the outcomes it could not take are written,
// and the loop decides again what it could not read.
void journal_guard::failed(std::string_view what, const std::string& error) {
  log_.error(fmt::format("{}: {}; trying again in {} s", what, error, pause.count()));
  last_problem_ = fmt::format("{}: {}", what, error);
  ++failures_;
  if (paused()) return;
  paused_ = true;
  timer_->wait_until(env_.steady_now() + pause, [this] {
    paused_ = false;
    if (!lost_) resumed_();
  });
  if (paused_handler_) paused_handler_();
}

namespace {

std::optional<std::pair<std::uint64_t, std::uint64_t>> identity_of(const std::filesystem::path& file) {
  struct ::stat st {};
  if (::stat(file.c_str(), &st) != 0) return std::nullopt;
  return std::pair<std::uint64_t, std::uint64_t>{st.st_dev, st.st_ino};
}

}  // namespace

void journal_guard::watch_file(std::filesystem::path file, std::function<void()> lost) {
  file_ = std::move(file);
  identity_ = identity_of(file_);
  lost_handler_ = std::move(lost);
}

// One stat() per batch of writes: cheap next to the SQLite transaction it
// guards. A stat() that fails for another reason than a missing file (an
// unreadable directory) also counts as lost: herald cannot tell.
bool journal_guard::file_intact() {
  if (lost_) return false;
  if (!identity_ || identity_of(file_) == identity_) return true;
  lost_ = true;
  log_.error(fmt::format(
      "the journal file {} was deleted or replaced while herald runs: nothing is sent until herald restarts; "
      "restore it from a backup before restarting, or every post within catch_up is sent again "
      "(docs/daemon.md \"A deleted journal\")",
      file_.string()));
  last_problem_ = "the journal file was deleted or replaced";
  if (lost_handler_) lost_handler_();
  return false;
}

void journal_guard::resume_now() {
  paused_ = false;
  timer_->cancel();
}

// A journal that cannot be read answers "in flight": nothing is sent that
// might have been sent already; the loop looks again after the pause.
const journal_entry* journal_guard::lookup(std::string_view key) {
  if (auto ahead = read_ahead_.find(key); ahead != read_ahead_.end() && !paused())
    return ahead->second ? &*ahead->second : nullptr;
  // Each failing call may wait out SQLite's busy timeout: after one failure
  // the rest of the pass answers at once (and the watchdog stays fed).
  if (!paused()) {
    auto found = store_.find(key);
    if (found.ok()) {
      looked_up_ = std::move(found.value());
      return looked_up_ ? &*looked_up_ : nullptr;
    }
    failed("reading a post", found.error());
  }
  looked_up_.emplace();
  looked_up_->key = key;
  looked_up_->state = post_state::in_flight;
  return &*looked_up_;
}

// A shared journal's round trip a row would be one a post due
// (docs/PERFORMANCE.md "2026-12-03, evening: replicas claim round").
void journal_guard::read_ahead(const std::vector<std::string>& keys) {
  read_ahead_.clear();
  if (paused() || keys.empty()) return;
  auto rows = store_.find_all(keys);
  if (!rows.ok()) return failed("reading posts", rows.error());
  for (const auto& key : keys) read_ahead_.emplace(key, std::nullopt);
  for (auto& row : rows.value()) read_ahead_[row.key] = std::move(row);
}

void journal_guard::keep(attempt a, delivery_outcome outcome) { unrecorded_.emplace_back(std::move(a), outcome); }

std::vector<journal_guard::unrecorded_outcome> journal_guard::take_unrecorded() {
  auto waiting = std::move(unrecorded_);
  unrecorded_.clear();
  return waiting;
}

}  // namespace herald

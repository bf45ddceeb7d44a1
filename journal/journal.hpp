#pragma once
// The journal: what herald has done with each post, by post key
// (`<event id>/<occurrence start>/<at>/<channel>`, docs/calendar.md "Post keys"). It is how
// herald knows a post was sent, so that a sent post is never sent again —
// not after a restart, a reload, an edit of its wording, or kill -9 (docs/daemon.md "Delivery rules").
//
// A row moves through these states:
//
//   (absent), pending ─── begin_attempt ──► in_flight
//   in_flight ─────────── record_sent ────► sent     (final)
//   pending ───────────── record_sent ────► sent     (shared journal only: a late success of this
//                                                     replica's lapsed claim, no claim since)
//   in_flight, pending ── record_failed ──► failed   (final)
//   in_flight, pending ── record_retry ───► pending  (with a next_try)
//   in_flight ─────────── record_unanswered(next_try) ► pending (interrupted + 1)
//   in_flight, pending ── record_unanswered ► unconfirmed (final)
//   in_flight ─────────── take_in_flight ─► pending  (on start: it may have been sent)
//   (absent), pending ─── record_missed ──► missed   (final)
//   (absent), pending ─── skip ───────────► skipped  (final; an operator's, `herald skip`)
//   failed, missed, skipped, unconfirmed ── resend ──► pending  (resent_at = now; `herald resend`)
//
// Final rows never change again: every change refuses them, which is the
// exactly-once guard. The one way back is an operator's resend, and it
// refuses a sent row: resending a sent post is what `herald send-test` is
// for (docs/service.md "Operating herald"). skip and resend are the
// operator's commands, writing the journal directly (operated_journal below);
// the daemon reads what they did: the rows, the paused channels and the
// actions log, whose last id tells it that something changed. An in_flight row may have reached its channel, so
// begin_attempt refuses it too; only take_in_flight (on start) and, in a
// shared journal, take_lapsed (its claim lapsed) reopen it.
//
// The journal records; it does not decide. Which posts are due, whether an
// interrupted post is sent once more, when to retry: the caller decides
// (the scheduler), from the rows it reads here.
//
// Durability: when a change returns, it is on disk (it survives kill -9 and
// a power cut). The daemon relies on this: it calls begin_attempt and waits
// for it to return before it contacts the channel.
//
// Thread-safety: none. One journal object is used from one thread (the
// daemon's io_context thread); other processes (`herald status`) open their
// own.
//
// Errors are values: a failure of the store (disk full, a corrupt file, a
// newer schema) comes back as a failed result<T> (text/result.hpp), whose
// error() reads "journal /var/lib/herald/journal.db: database disk image is
// malformed"; nothing throws past this interface. A refusal is not an error but a journal_change::refused.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <date/date.h>

#include "text/result.hpp"

namespace herald {

enum class post_state {
  pending,    ///< known, not sent yet: waiting for its due instant or next_try
  in_flight,  ///< an attempt began and has not been recorded: it may have reached the channel
  sent,       ///< the channel accepted it (final)
  failed,     ///< a permanent failure, or the caller gave up (final)
  missed,     ///< its window closed before it could go out (final)
  skipped,    ///< an operator said it is never sent (final, unless resent)
  /// its request went out whole and no answer came, twice: it may have
  /// reached the channel, or not (final, unless resent; docs/daemon.md "Delivery rules")
  unconfirmed,
};

/// Every state, in the order status and metrics list them.
inline constexpr post_state all_post_states[] = {post_state::pending,    post_state::in_flight, post_state::sent,
                                                 post_state::failed,     post_state::missed,    post_state::skipped,
                                                 post_state::unconfirmed};

/// "pending", "in_flight", "sent", "failed", "missed", "skipped", "unconfirmed": the words the store
/// and `herald status` use.
constexpr std::string_view to_string(post_state state) {
  switch (state) {
    case post_state::pending:
      return "pending";
    case post_state::in_flight:
      return "in_flight";
    case post_state::sent:
      return "sent";
    case post_state::failed:
      return "failed";
    case post_state::missed:
      return "missed";
    case post_state::skipped:
      return "skipped";
    case post_state::unconfirmed:
      return "unconfirmed";
  }
  return "?";
}

/// The state named by `text` (as to_string writes it), or nullopt.
constexpr std::optional<post_state> parse_post_state(std::string_view text) {
  for (auto state : all_post_states) {
    if (to_string(state) == text) return state;
  }
  return std::nullopt;
}

/// True for sent, failed, missed, skipped and unconfirmed: rows no change of the daemon
/// touches again.
constexpr bool is_final(post_state state) {
  return state == post_state::sent || state == post_state::failed || state == post_state::missed ||
         state == post_state::skipped || state == post_state::unconfirmed;
}

/// One row of the journal.
struct journal_entry {
  std::string key;      ///< `<event id>/<occurrence start>/<at>/<channel>`
  std::string event;    ///< the event id
  std::string channel;  ///< the channel name
  date::sys_seconds due;
  post_state state = post_state::pending;
  int attempts = 0;     ///< attempts begun (begin_attempt calls applied)
  int interrupted = 0;  ///< times take_in_flight found this row in flight: each may have reached the channel
  std::optional<date::sys_seconds> next_try;  ///< when a retry is due (pending rows after record_retry)
  std::optional<std::string> last_error;      ///< why the latest attempt did not succeed
  date::sys_seconds created_at;
  date::sys_seconds updated_at;
  std::optional<date::sys_seconds> sent_at;
  /// When an operator resent it: its catch_up window counts from here, not from `due`.
  std::optional<date::sys_seconds> resent_at;
  /// The replica that claimed it last (so, for a sent row, the one that sent
  /// it) in a journal replicas share; "" in a journal of one host.
  std::string replica{};

  friend bool operator==(const journal_entry&, const journal_entry&) = default;
};

/// One line of the operators' log (docs/service.md "Operating herald").
struct operator_action {
  std::int64_t id = 0;  ///< assigned by the journal, increasing
  date::sys_seconds at;
  std::string user;    ///< who ran the command: $SUDO_USER, else the login name of its uid
  std::string action;  ///< "skip", "resend", "pause", "resume"
  std::string target;  ///< the post key or the channel name

  friend bool operator==(const operator_action&, const operator_action&) = default;
};

/// A channel an operator paused: its posts wait until it is resumed.
struct channel_pause {
  std::string channel;
  date::sys_seconds since;
  std::string user;

  friend bool operator==(const channel_pause&, const channel_pause&) = default;
};

/// What a state change did.
enum class journal_change {
  applied,
  refused,  ///< the row was not in a state the change starts from (see the diagram); it was left as it was
};

/// One post of a dispatch round's claim (journal::begin_attempts): begin_attempt's arguments but `now`.
struct attempt_claim {
  std::string_view key;
  date::sys_seconds due;
  std::string_view channel;
  std::string_view event;
};

class journal {
 public:
  virtual ~journal() = default;

  /// The row for `key`, or nullopt when herald has never seen that post.
  virtual result<std::optional<journal_entry>> find(std::string_view key) = 0;

  /// The rows of those of `keys` herald has seen, in no particular order:
  /// find for many posts at once (a shared journal reads them in one statement).
  virtual result<std::vector<journal_entry>> find_all(const std::vector<std::string>& keys) {
    std::vector<journal_entry> rows;
    for (const auto& key : keys) {
      auto row = find(key);
      if (!row.ok()) return failure{row.error()};
      if (row.value()) rows.push_back(std::move(*row.value()));
    }
    return rows;
  }

  /// Marks the post in flight before its channel is contacted: inserts it
  /// (attempts = 1) or moves a pending row there (attempts + 1, next_try
  /// cleared; due, channel and event updated to the given ones, but a resent
  /// row keeps its due). Refused
  /// for an in_flight or final row: then the channel must not be contacted.
  virtual result<journal_change> begin_attempt(std::string_view key, date::sys_seconds due, std::string_view channel,
                                               std::string_view event, date::sys_seconds now) = 0;

  /// begin_attempt for each of `posts`, in order, all at `now`: one result
  /// a post, as begin_attempt gives it, up to the first error (the posts
  /// after it are not tried: the vector is shorter). A key given twice is
  /// refused the second time, as two calls would be. A shared journal
  /// claims them in one statement, one round trip for a dispatch round
  /// (docs/PERFORMANCE.md "2026-12-03, evening: replicas claim round"):
  /// it fails as a whole, its one result the error, none of them applied.
  virtual std::vector<result<journal_change>> begin_attempts(const std::vector<attempt_claim>& posts,
                                                             date::sys_seconds now) {
    std::vector<result<journal_change>> changes;
    for (const auto& post : posts) {
      changes.push_back(begin_attempt(post.key, post.due, post.channel, post.event, now));
      if (!changes.back().ok()) break;
    }
    return changes;
  }

  /// The channel accepted the post. From in_flight; in a shared journal
  /// also from pending when this replica claimed it last and no replica
  /// claimed it since (its claim lapsed and take_lapsed handed it back:
  /// the success came late). Refused once another replica holds a claim:
  /// the post may then go out twice, and the holder's outcome stands.
  virtual result<journal_change> record_sent(std::string_view key, date::sys_seconds now) = 0;

  /// record_sent for each of `keys`, in order, all at `now`: one result a
  /// key, up to the first error, as begin_attempts. A shared journal
  /// records them in one statement and fails as a whole.
  virtual std::vector<result<journal_change>> record_sent_all(const std::vector<std::string_view>& keys,
                                                              date::sys_seconds now) {
    std::vector<result<journal_change>> changes;
    for (auto key : keys) {
      changes.push_back(record_sent(key, now));
      if (!changes.back().ok()) break;
    }
    return changes;
  }

  /// A permanent failure, or the caller gives up. From in_flight or pending.
  virtual result<journal_change> record_failed(std::string_view key, date::sys_seconds now, std::string_view error) = 0;

  /// A transient failure: back to pending, to be tried at `next_try`. From
  /// in_flight or pending (to move a pending row's next try).
  virtual result<journal_change> record_retry(std::string_view key, date::sys_seconds now, date::sys_seconds next_try,
                                              std::string_view error) = 0;

  /// The request went out whole and no answer came (a timeout after it
  /// was sent): it may have reached the channel. With `next_try`: back to
  /// pending from in_flight, with interrupted + 1 (the one more copy
  /// docs/daemon.md "Delivery rules" allows); without: unconfirmed, from
  /// in_flight or pending.
  virtual result<journal_change> record_unanswered(std::string_view key, date::sys_seconds now,
                                                   std::optional<date::sys_seconds> next_try,
                                                   std::string_view error) = 0;
  /// The post's window closed before it went out: inserts it as missed, or
  /// moves a pending row there. Refused for in_flight and final rows, so it
  /// never overwrites sent.
  virtual result<journal_change> record_missed(std::string_view key, date::sys_seconds due, std::string_view channel,
                                               std::string_view event, date::sys_seconds now) = 0;

  /// Makes the changes from here to commit_changes() one transaction: one
  /// sync to disk for many rows (the missed posts a first start records,
  /// docs/PERFORMANCE.md "2026-12-03"). Not nested; nothing but the daemon's
  /// own changes may come between the two. Each change keeps its own
  /// refusal; commit_changes() keeps the ones that were applied even after
  /// one failed. A journal without transactions does nothing here.
  virtual result<void> begin_changes() { return {}; }
  virtual result<void> commit_changes() { return {}; }

  /// Call once on start, before any begin_attempt. Rows still in flight
  /// were being sent when herald last stopped, and may have reached their
  /// channel. In one transaction, moves each back to pending with
  /// `interrupted` + 1 and a last_error saying so, and returns them as they
  /// are now. The caller decides each: begin_attempt to send it once more
  /// (docs/daemon.md "Delivery rules" allows one more, so a row with interrupted > 1 should not be),
  /// record_failed, or record_missed.
  virtual result<std::vector<journal_entry>> take_in_flight(date::sys_seconds now) = 0;

  /// The rows in `state`, by due instant then key.
  virtual result<std::vector<journal_entry>> entries_in(post_state state) = 0;

  /// The `limit` most recently changed rows, newest first (then by key).
  virtual result<std::vector<journal_entry>> recent(std::size_t limit) = 0;

  /// How many rows are in each state (states with none are left out), for
  /// `herald status` and the daemon's GET /status.
  virtual result<std::map<post_state, std::size_t>> count_by_state() = 0;

  /// Pending rows whose next_try is at or before `until`, by next_try then key.
  virtual result<std::vector<journal_entry>> due_retries(date::sys_seconds until) = 0;

  /// The channels paused now, by name.
  virtual result<std::vector<channel_pause>> paused_channels() = 0;

  /// The `limit` latest operator actions, newest first.
  virtual result<std::vector<operator_action>> actions(std::size_t limit) = 0;

  /// The id of the latest operator action (0 before any): it changes with
  /// every skip, resend, pause and resume, so the daemon checks this one
  /// number to learn that it must look again (docs/service.md "Operating herald").
  virtual result<std::int64_t> last_action_id() = 0;

  // Sharing (docs/service.md "Replicas"): a journal several daemons write
  // at once (PostgreSQL). There begin_attempt is a claim that holds the
  // post for this replica for lease(), and renew_leases() extends the
  // claims of the posts still in flight; begin_attempt refuses a post
  // another replica holds, as it refuses any in-flight row. A journal only
  // one process writes (SQLite) has no leases: these do nothing there.

  /// How long a claim holds unless renewed; zero: not shared, no leases.
  virtual std::chrono::milliseconds lease() const { return std::chrono::milliseconds{0}; }
  /// Extends the lease of this replica's in-flight rows among `keys` (the
  /// posts it still has in flight); its other rows (a claim whose commit
  /// answer was lost) are left to lapse.
  virtual result<void> renew_leases(const std::vector<std::string>& keys) {
    (void)keys;
    return {};
  }
  /// Rows in flight whose lease lapsed (their replica died, lost the
  /// database, or no longer knows it holds them; this replica's own too):
  /// like take_in_flight, each goes back to pending with interrupted + 1
  /// and is returned; the caller decides.
  virtual result<std::vector<journal_entry>> take_lapsed(date::sys_seconds now) {
    (void)now;
    return std::vector<journal_entry>{};
  }
  /// How long until the first lease of an in-flight row
  /// lapses (zero when one has), by the database's clock; nullopt: none.
  virtual result<std::optional<std::chrono::milliseconds>> next_lapse() {
    return std::optional<std::chrono::milliseconds>{};
  }
  /// A descriptor that turns readable when another process changed the
  /// journal (an operator's command, another replica's post), or -1 when
  /// there is none (SQLite: its file is watched instead). It may change
  /// after a failure of take_changes(): ask again then.
  virtual int change_descriptor() { return -1; }
  /// Reads what the descriptor announced: true when someone else changed the journal.
  virtual result<bool> take_changes() { return false; }
  /// Frees what the journal caches in memory and can read again (SQLite's
  /// page cache): the daemon calls it where it gives memory back to the system.
  virtual void release_memory() {}
};

/// A journal the operators' commands can change too (`herald skip`,
/// `resend`, `pause`, `resume`; docs/service.md "Operating herald"). Each
/// change is one transaction with its line in the actions log, which `who`
/// is (its id is ignored); a refused change writes nothing, not even the line.
class operated_journal : public journal {
 public:
  /// Inserts the post as skipped, or moves a pending row there. Refused for
  /// in_flight and final rows.
  virtual result<journal_change> skip(std::string_view key, date::sys_seconds due, std::string_view channel,
                                      std::string_view event, const operator_action& who) = 0;
  /// A failed, missed, skipped or unconfirmed row becomes pending, with no
  /// attempts or interruptions counted and resent_at = who.at. Refused for
  /// the others, sent included.
  virtual result<journal_change> resend(std::string_view key, const operator_action& who) = 0;
  /// Pauses the channel who.target since who.at; refused when it is paused already.
  virtual result<journal_change> pause_channel(const operator_action& who) = 0;
  /// Resumes the channel who.target; refused when it is not paused.
  virtual result<journal_change> resume_channel(const operator_action& who) = 0;
};

}  // namespace herald

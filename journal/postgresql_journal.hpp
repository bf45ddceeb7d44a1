#pragma once
// The journal in a PostgreSQL database that several daemons share, each a
// replica on its own host (docs/service.md "Replicas"). Same tables as the
// SQLite journal (`posts`, `operator_actions`, `paused_channels`), plus
// who claimed each post (`replica`) and until when (`lease_until`, by the
// database's clock, so the replicas' clocks never matter).
//
// begin_attempt is the claim: one INSERT … ON CONFLICT DO UPDATE … WHERE
// state = 'pending' (docs/decisions.md "Replicas"); begin_attempts makes a
// dispatch round's claims that one statement, over arrays of the posts. PostgreSQL locks the
// row and checks the WHERE again against the row as the winner left it,
// so of two replicas racing for a post exactly one is applied, the other
// refused. The other changes of an in-flight row are applied for the
// replica that holds it only.
//
// A lease lapses when its replica stops renewing it (it died, cannot reach
// the database, or lost the answer to the claim's commit, so it does not
// know it holds the post; it renews only the posts it has in flight):
// take_lapsed(), on any replica, this one's own lapsed rows included, hands such rows back to pending with
// interrupted + 1, the one more copy docs/daemon.md "Delivery rules"
// allows; take_in_flight() on start takes this replica's own rows and
// lapsed ones, never a live replica's. When the lapsed replica's send
// succeeds after all before any replica claims the post again, its
// record_sent is still applied (the row names it as the last claimer), so
// no second copy goes out; once another replica holds a claim, it is refused.
//
// Connections: one for the journal's calls, made again by the next call
// after it broke (connect_timeout bounds each try; TCP keepalives and
// tcp_user_timeout bound a call on a dead link), and one that LISTENs for
// the operators' commands (`herald_operator`) and the other replicas'
// records (`herald_posts`): change_descriptor() is its socket.
//
// The URL is a secret (it may hold a password): no error, log or status
// shows it; libpq's messages are scrubbed of it and of its password, and
// the journal is named by host and port ("journal postgresql 10.0.0.5:5432").
//
// A daemon's journal holds its replica's name: a session-level advisory
// lock (pg_try_advisory_lock(hashtext('herald replica ' || name))) on the
// journal's connection, taken by open() (refused while another session
// holds it) and taken again, as it can, by each reconnection.
//
// The schema's version is in table herald_schema; open() creates or
// migrates it under an advisory lock (replicas may start together) and
// refuses a newer one. Thread-safety: one thread, as journal.hpp says.

#include <chrono>
#include <memory>
#include <string>

#include "journal/journal.hpp"

struct pg_conn;

namespace herald {

class postgresql_journal final : public operated_journal {
 public:
  static constexpr int schema_version = 1;
  static constexpr std::chrono::milliseconds default_lease{30'000};

  struct options {
    std::string url;      ///< a libpq connection URI or key=value string; a secret
    std::string replica;  ///< this replica's name: who claims and sends
    std::chrono::milliseconds lease = default_lease;
    bool read_only = false;  ///< `herald status`: no schema change; a missing schema is an error
    /// The daemon's: open() fails while another session holds this
    /// replica's name (a second replica of one name would take the
    /// first's claims for its own), and holds it while connected.
    bool hold_name = false;
  };

  /// Connects and creates or migrates the schema (unless read_only). The
  /// error never holds the URL.
  static result<std::unique_ptr<postgresql_journal>> open(options how);

  ~postgresql_journal() override;
  postgresql_journal(const postgresql_journal&) = delete;
  postgresql_journal& operator=(const postgresql_journal&) = delete;

  const std::string& replica() const { return how_.replica; }

  result<std::optional<journal_entry>> find(std::string_view key) override;
  result<std::vector<journal_entry>> find_all(const std::vector<std::string>& keys) override;
  result<journal_change> begin_attempt(std::string_view key, date::sys_seconds due, std::string_view channel,
                                       std::string_view event, date::sys_seconds now) override;
  std::vector<result<journal_change>> begin_attempts(const std::vector<attempt_claim>& posts,
                                                     date::sys_seconds now) override;
  result<journal_change> record_sent(std::string_view key, date::sys_seconds now) override;
  std::vector<result<journal_change>> record_sent_all(const std::vector<std::string_view>& keys,
                                                      date::sys_seconds now) override;
  result<journal_change> record_failed(std::string_view key, date::sys_seconds now, std::string_view error) override;
  result<journal_change> record_retry(std::string_view key, date::sys_seconds now, date::sys_seconds next_try,
                                      std::string_view error) override;
  result<journal_change> record_unanswered(std::string_view key, date::sys_seconds now,
                                           std::optional<date::sys_seconds> next_try, std::string_view error) override;
  result<journal_change> record_missed(std::string_view key, date::sys_seconds due, std::string_view channel,
                                       std::string_view event, date::sys_seconds now) override;
  result<void> begin_changes() override;
  result<void> commit_changes() override;
  result<std::vector<journal_entry>> take_in_flight(date::sys_seconds now) override;
  result<std::vector<journal_entry>> entries_in(post_state state) override;
  result<std::vector<journal_entry>> recent(std::size_t limit) override;
  result<std::map<post_state, std::size_t>> count_by_state() override;
  result<std::vector<journal_entry>> due_retries(date::sys_seconds until) override;
  result<std::vector<channel_pause>> paused_channels() override;
  result<std::vector<operator_action>> actions(std::size_t limit) override;
  result<std::int64_t> last_action_id() override;

  std::chrono::milliseconds lease() const override { return how_.lease; }
  result<void> renew_leases(const std::vector<std::string>& keys) override;
  result<std::vector<journal_entry>> take_lapsed(date::sys_seconds now) override;
  result<std::optional<std::chrono::milliseconds>> next_lapse() override;
  int change_descriptor() override;
  result<bool> take_changes() override;

  result<journal_change> skip(std::string_view key, date::sys_seconds due, std::string_view channel,
                              std::string_view event, const operator_action& who) override;
  result<journal_change> resend(std::string_view key, const operator_action& who) override;
  result<journal_change> pause_channel(const operator_action& who) override;
  result<journal_change> resume_channel(const operator_action& who) override;

  /// Writes `entries` and `log` as they are (an SQLite journal's history,
  /// `herald journal copy`), in one transaction, into an empty journal;
  /// refused (an error) when it holds posts already.
  result<void> import_history(const std::vector<journal_entry>& entries, const std::vector<operator_action>& log,
                              const std::vector<channel_pause>& paused);

 private:
  class connection;  // one libpq connection, made again after it broke
  struct params;     // the text parameters of one statement

  explicit postgresql_journal(options how);
  result<journal_change> change(const std::string& sql, const params& values);
  result<std::vector<journal_entry>> entries(const std::string& sql, const params& values);
  result<journal_change> operate(const std::string& sql, const params& values, const operator_action& who);

  options how_;
  std::unique_ptr<connection> main_;
  std::unique_ptr<connection> listener_;
};

}  // namespace herald

#include "journal/postgresql_journal.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <libpq-fe.h>

#include "text/one_line.hpp"
#include "text/strings.hpp"

namespace herald {
namespace {

// Migration i takes the schema from version i to version i + 1. Append new
// ones; never edit one that has shipped. Times are Unix seconds, as in the
// SQLite journal, except lease_until: the database's own clock.
constexpr std::array<const char*, postgresql_journal::schema_version> migrations = {
    R"sql(
      CREATE TABLE posts (
        key         text PRIMARY KEY,
        event       text NOT NULL,
        channel     text NOT NULL,
        due         bigint NOT NULL,
        state       text NOT NULL
          CHECK (state IN ('pending', 'in_flight', 'sent', 'failed', 'missed', 'skipped', 'unconfirmed')),
        attempts    integer NOT NULL DEFAULT 0,
        interrupted integer NOT NULL DEFAULT 0,
        next_try    bigint,
        last_error  text,
        created_at  bigint NOT NULL,
        updated_at  bigint NOT NULL,
        sent_at     bigint,
        resent_at   bigint,
        replica     text NOT NULL DEFAULT '',
        lease_until timestamptz
      );
      CREATE INDEX posts_by_state ON posts (state, due);
      CREATE INDEX posts_by_next_try ON posts (state, next_try);
      CREATE INDEX posts_by_updated ON posts (updated_at);
      CREATE TABLE operator_actions (
        id     bigserial PRIMARY KEY,
        at     bigint NOT NULL,
        "user" text NOT NULL,
        action text NOT NULL,
        target text NOT NULL
      );
      CREATE TABLE paused_channels (
        channel text PRIMARY KEY,
        since   bigint NOT NULL,
        "user"  text NOT NULL
      );
    )sql",
};

// Any fixed number: the lock replicas starting together take to create the schema once.
constexpr std::int64_t schema_lock = 0x6865'7261'6c64;  // "herald"

constexpr const char* interrupted_note =
    "herald stopped while this post was in flight; it may have reached the channel";
constexpr const char* lapsed_note =
    "its replica stopped renewing its claim while it was in flight; it may have reached the channel";

constexpr const char* entry_columns =
    "key, event, channel, due, state, attempts, interrupted, next_try, last_error, created_at, updated_at, sent_at, "
    "resent_at, replica";

// A change of posts that other replicas hear of (herald_posts, with this
// replica's name): each row changed, then one notification at commit.
std::string notifying(std::string_view change, int replica_param) {
  return fmt::format(
      "WITH changed AS ({} RETURNING 1) SELECT count(*) FROM changed, LATERAL (SELECT pg_notify('herald_posts', ${})) "
      "n",
      change, replica_param);
}

// $1 keys, $2 events, $3 channels, $4 dues (arrays, one element a post),
// $5 now, $6 replica, $7 lease in ms; returns the keys claimed.
// The claim (docs/decisions.md "Replicas"): one statement for a dispatch
// round; the WHERE of the update is checked again on each row as a
// competing claim left it.
constexpr const char* begin_attempts_sql = R"sql(
  INSERT INTO posts AS p (key, event, channel, due, state, attempts, created_at, updated_at, replica, lease_until)
  SELECT claim.key, claim.event, claim.channel, claim.due, 'in_flight', 1, $5::bigint, $5::bigint, $6::text,
    now() + $7::bigint * interval '1 millisecond'
  FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS claim(key, event, channel, due)
  ON CONFLICT (key) DO UPDATE SET state = 'in_flight', attempts = p.attempts + 1, next_try = NULL,
    event = excluded.event, channel = excluded.channel, updated_at = excluded.updated_at,
    due = CASE WHEN p.resent_at IS NULL THEN excluded.due ELSE p.due END,
    replica = excluded.replica, lease_until = excluded.lease_until
  WHERE p.state = 'pending'
  RETURNING p.key)sql";
// $1 key, $2 now, $3 replica. Only the claim's holder records its outcome;
// and a late success of a claim that lapsed (a slow channel, a short
// partition) while no replica has claimed the post since: take_lapsed
// leaves `replica` as it was, and every claim sets it, so a pending row
// still naming this replica was claimed by no other since. Recording it
// spares the taker the one more copy it would send.
constexpr const char* record_sent_sql = R"sql(
  UPDATE posts SET state = 'sent', sent_at = $2, updated_at = $2, next_try = NULL, last_error = NULL,
    lease_until = NULL
  WHERE key = $1 AND state IN ('in_flight', 'pending') AND replica = $3)sql";
// $1 keys (an array), $2 now, $3 replica; returns the keys recorded. As
// record_sent_sql, for the answers of a burst at once.
constexpr const char* record_sent_all_sql = R"sql(
  WITH changed AS (
    UPDATE posts SET state = 'sent', sent_at = $2, updated_at = $2, next_try = NULL, last_error = NULL,
      lease_until = NULL
    WHERE key = ANY($1::text[]) AND state IN ('in_flight', 'pending') AND replica = $3
    RETURNING key)
  SELECT key FROM changed, LATERAL (SELECT pg_notify('herald_posts', $3)) n)sql";
// $1 key, $2 now, $3 error, $4 replica.
constexpr const char* record_failed_sql = R"sql(
  UPDATE posts SET state = 'failed', updated_at = $2, last_error = $3, next_try = NULL, lease_until = NULL
  WHERE key = $1 AND (state = 'pending' OR (state = 'in_flight' AND replica = $4)))sql";
// $1 key, $2 now, $3 next_try, $4 error, $5 replica.
constexpr const char* record_retry_sql = R"sql(
  UPDATE posts SET state = 'pending', updated_at = $2, next_try = $3, last_error = $4, lease_until = NULL
  WHERE key = $1 AND (state = 'pending' OR (state = 'in_flight' AND replica = $5)))sql";
constexpr const char* record_unanswered_sql = R"sql(
  UPDATE posts SET updated_at = $2, last_error = $4, next_try = $3::bigint, lease_until = NULL,
    state = CASE WHEN $3::bigint IS NULL THEN 'unconfirmed' ELSE 'pending' END,
    interrupted = interrupted + CASE WHEN $3::bigint IS NULL THEN 0 ELSE 1 END
  WHERE key = $1 AND ((state = 'in_flight' AND replica = $5) OR (state = 'pending' AND $3::bigint IS NULL)))sql";
// $1 key, $2 event, $3 channel, $4 due, $5 now, $6 replica.
constexpr const char* record_missed_sql = R"sql(
  INSERT INTO posts AS p (key, event, channel, due, state, created_at, updated_at)
  VALUES ($1, $2, $3, $4, 'missed', $5, $5)
  ON CONFLICT (key) DO UPDATE SET state = 'missed', next_try = NULL, updated_at = excluded.updated_at
  WHERE p.state = 'pending')sql";
constexpr const char* skip_sql = R"sql(
  INSERT INTO posts AS p (key, event, channel, due, state, created_at, updated_at)
  VALUES ($1, $2, $3, $4, 'skipped', $5, $5)
  ON CONFLICT (key) DO UPDATE SET state = 'skipped', next_try = NULL, updated_at = excluded.updated_at
  WHERE p.state = 'pending')sql";
constexpr const char* resend_sql = R"sql(
  UPDATE posts SET state = 'pending', attempts = 0, interrupted = 0, next_try = NULL, last_error = NULL,
    resent_at = $2, updated_at = $2
  WHERE key = $1 AND state IN ('failed', 'missed', 'skipped', 'unconfirmed'))sql";
// $1 now, $2 note, $3 the condition's parameter (replica), if any. {} is which rows.
constexpr const char* take_sql = R"sql(
  UPDATE posts SET state = 'pending', interrupted = interrupted + 1, next_try = NULL, last_error = $2,
    updated_at = $1, lease_until = NULL
  WHERE state = 'in_flight' AND {} RETURNING {})sql";

using pg_result = std::unique_ptr<PGresult, decltype(&PQclear)>;

// A statement of many posts failed: nothing of it was applied.
std::vector<result<journal_change>> failed_whole(const std::string& error) {
  std::vector<result<journal_change>> changes;
  changes.emplace_back(failure{error});
  return changes;
}

// Each of `asked`'s change, from the keys a statement returned (the rows
// it changed): applied for a key returned, refused for the others and for
// a key's second time, as a second call would be.
std::vector<result<journal_change>> changes_of(PGresult* rows, const std::vector<std::string_view>& asked) {
  std::set<std::string_view> changed;
  for (int row = 0; row < PQntuples(rows); ++row) changed.insert(PQgetvalue(rows, row, 0));
  std::vector<result<journal_change>> changes;
  for (auto key : asked)
    changes.emplace_back(changed.erase(key) > 0 ? journal_change::applied : journal_change::refused);
  return changes;
}

// A text[] literal: each element quoted, \ and " escaped.
template <class Strings>
std::string text_array(const Strings& elements) {
  std::string array = "{";
  for (std::string_view element : elements) {
    if (array.size() > 1) array += ',';
    array += '"';
    for (char c : element) {
      if (c == '"' || c == '\\') array += '\\';
      array += c;
    }
    array += '"';
  }
  return array += '}';
}

// The keywords herald adds before the user's URL (which may override
// them): each connect and each call on a dead link ends within seconds.
// application_name is each connection's own: "herald REPLICA" for the
// journal's calls, "herald-listen REPLICA" for the listening one.
constexpr std::array<std::pair<const char*, const char*>, 6> connect_defaults = {{
    {"connect_timeout", "5"},
    {"keepalives", "1"},
    {"keepalives_idle", "5"},
    {"keepalives_interval", "2"},
    {"keepalives_count", "3"},
    {"tcp_user_timeout", "10000"},
}};

// What of the connection string may be shown: host and port.
std::string label_of(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &error);
  if (error) PQfreemem(error);
  if (!parsed) return "journal postgresql (its URL does not parse)";
  std::string host = "localhost", port = "5432";
  for (auto* option = parsed; option->keyword; ++option) {
    if (!option->val || !*option->val) continue;
    std::string_view keyword = option->keyword;
    if (keyword == "host") host = option->val;
    if (keyword == "hostaddr" && host == "localhost") host = option->val;
    if (keyword == "port") port = option->val;
  }
  PQconninfoFree(parsed);
  return fmt::format("journal postgresql {}:{}", host, port);
}

// A plain database name is no connection string, but libpq takes it as one.
bool url_parses(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &error);
  if (error) PQfreemem(error);
  if (!parsed) return false;
  PQconninfoFree(parsed);
  return true;
}

std::string password_of(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &error);
  if (error) PQfreemem(error);
  std::string password;
  for (auto* option = parsed; option && option->keyword; ++option)
    if (std::string_view(option->keyword) == "password" && option->val) password = option->val;
  if (parsed) PQconninfoFree(parsed);
  return password;
}

void replace_all(std::string& text, const std::string& secret, std::string_view with) {
  if (secret.empty()) return;
  for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + with.size()))
    text.replace(at, secret.size(), with);
}

std::optional<std::int64_t> int_at(PGresult* rows, int row, int column) {
  if (PQgetisnull(rows, row, column)) return std::nullopt;
  return parse_integer<std::int64_t>(PQgetvalue(rows, row, column));
}

std::string text_at(PGresult* rows, int row, int column) {
  return std::string(PQgetvalue(rows, row, column), static_cast<std::size_t>(PQgetlength(rows, row, column)));
}

std::optional<date::sys_seconds> time_at(PGresult* rows, int row, int column) {
  auto value = int_at(rows, row, column);
  if (!value) return std::nullopt;
  return date::sys_seconds{std::chrono::seconds{*value}};
}

std::optional<journal_entry> read_entry(PGresult* rows, int row) {
  auto state = parse_post_state(text_at(rows, row, 4));
  if (!state) return std::nullopt;
  journal_entry entry;
  entry.key = text_at(rows, row, 0);
  entry.event = text_at(rows, row, 1);
  entry.channel = text_at(rows, row, 2);
  entry.due = time_at(rows, row, 3).value_or(date::sys_seconds{});
  entry.state = *state;
  entry.attempts = static_cast<int>(int_at(rows, row, 5).value_or(0));
  entry.interrupted = static_cast<int>(int_at(rows, row, 6).value_or(0));
  entry.next_try = time_at(rows, row, 7);
  if (!PQgetisnull(rows, row, 8)) entry.last_error = text_at(rows, row, 8);
  entry.created_at = time_at(rows, row, 9).value_or(date::sys_seconds{});
  entry.updated_at = time_at(rows, row, 10).value_or(date::sys_seconds{});
  entry.sent_at = time_at(rows, row, 11);
  entry.resent_at = time_at(rows, row, 12);
  entry.replica = text_at(rows, row, 13);
  return entry;
}

void by_due_then_key(std::vector<journal_entry>& rows) {
  std::sort(rows.begin(), rows.end(), [](const journal_entry& a, const journal_entry& b) {
    return std::tie(a.due, a.key) < std::tie(b.due, b.key);
  });
}

}  // namespace

struct postgresql_journal::params {
  std::vector<std::optional<std::string>> values;

  params& add(std::string_view text) { return values.emplace_back(std::string(text)), *this; }
  params& add(std::int64_t number) { return values.emplace_back(std::to_string(number)), *this; }
  params& add(date::sys_seconds time) { return add(std::int64_t{time.time_since_epoch().count()}); }
  params& add(std::optional<date::sys_seconds> time) {
    if (time) return add(*time);
    return values.emplace_back(std::nullopt), *this;
  }
};

// One libpq connection. A call that finds it broken (or never made) makes
// it first; a call that breaks it drops it, so the next call connects
// again. Inside a transaction a broken connection is not made again: the
// transaction's changes are gone, so every call fails until the
// transaction ends (commit fails; end_transaction() after a rollback).
class postgresql_journal::connection {
 public:
  connection(const options& how, std::string label, std::string application_name, std::vector<std::string> on_connect)
      : how_(how),
        label_(std::move(label)),
        password_(password_of(how.url)),
        application_name_(std::move(application_name)),
        on_connect_(std::move(on_connect)) {}
  ~connection() { drop(); }
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  /// The connection, made when needed; nullptr with `problem` set when it cannot be.
  PGconn* get(std::string& problem) {
    if (conn_ && PQstatus(conn_) == CONNECTION_OK) return conn_;
    if (in_transaction_) {
      problem = "the connection broke during a transaction";
      return nullptr;
    }
    drop();
    std::vector<const char*> keywords, values;
    for (const auto& [keyword, value] : connect_defaults) keywords.push_back(keyword), values.push_back(value);
    keywords.push_back("application_name");
    values.push_back(application_name_.c_str());
    keywords.push_back("dbname");
    values.push_back(how_.url.c_str());
    keywords.push_back(nullptr);
    values.push_back(nullptr);
    conn_ = PQconnectdbParams(keywords.data(), values.data(), 1);
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
      // libpq's message about a URL that does not parse may quote a piece
      // of it (a query parameter, a host): a fixed text instead.
      problem =
          "cannot connect: " + (url_parses(how_.url) ? message() : std::string("the journal's URL does not parse"));
      drop();
      return nullptr;
    }
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);  // "already exists, skipping" is no news
    // The replica's name again (a reconnection): as it can; the old
    // session may not have ended yet, and open() made the check that counts.
    if (holds_name_) (void)take_name();
    for (const auto& sql : on_connect_) {
      pg_result done(PQexec(conn_, sql.c_str()), &PQclear);
      if (!done || PQresultStatus(done.get()) != PGRES_COMMAND_OK) {
        problem = message(done.get());
        drop();
        return nullptr;
      }
    }
    return conn_;
  }

  result<pg_result> exec(const std::string& sql, const params& values) {
    std::string problem;
    auto* conn = get(problem);
    if (!conn) return error(problem);
    std::vector<const char*> raw;
    for (const auto& value : values.values) raw.push_back(value ? value->c_str() : nullptr);
    // Without parameters, the simple protocol: a migration is many statements.
    pg_result done(raw.empty() ? PQexec(conn, sql.c_str())
                               : PQexecParams(conn, sql.c_str(), static_cast<int>(raw.size()), nullptr, raw.data(),
                                              nullptr, nullptr, 0),
                   &PQclear);
    auto status = done ? PQresultStatus(done.get()) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return done;
    auto failed = error(message(done.get()));
    if (PQstatus(conn) != CONNECTION_OK) drop();
    return failed;
  }

  /// Takes the lock on the replica's name (options::hold_name): true when
  /// this session holds it, false when another does; an error otherwise.
  result<bool> take_name() {
    const char* name = how_.replica.c_str();
    pg_result done(PQexecParams(conn_, "SELECT pg_try_advisory_lock(hashtext('herald replica ' || $1))", 1, nullptr,
                                &name, nullptr, nullptr, 0),
                   &PQclear);
    if (!done || PQresultStatus(done.get()) != PGRES_TUPLES_OK) return error(message(done.get()));
    holds_name_ = true;
    return std::string_view(PQgetvalue(done.get(), 0, 0)) == "t";
  }
  bool in_transaction() const { return in_transaction_; }
  void set_transaction(bool on) { in_transaction_ = on; }
  /// Whether the session that began the transaction is still the one
  /// connected and inside it: a COMMIT on any other session would answer
  /// COMMIT (with a warning) for changes that are gone.
  bool transaction_intact() const {
    return in_transaction_ && conn_ && PQstatus(conn_) == CONNECTION_OK &&
           PQtransactionStatus(conn_) == PQTRANS_INTRANS;
  }
  PGconn* raw() const { return conn_; }
  /// Closes the connection; a transaction it was in stays marked until it
  /// ends (set_transaction(false)), so no call runs on a new session meanwhile.
  void drop() {
    if (conn_) PQfinish(conn_);
    conn_ = nullptr;
  }

  /// "journal postgresql HOST:PORT: what", scrubbed of the URL and its password, on one line.
  failure error(std::string_view what) const { return failure{scrub(fmt::format("{}: {}", label_, what))}; }

 private:
  std::string message(PGresult* done = nullptr) const {
    const char* text = done ? PQresultErrorMessage(done) : nullptr;
    if (!text || !*text) text = conn_ ? PQerrorMessage(conn_) : "out of memory";
    std::string line = one_line(trim(text));
    return line.empty() ? std::string("unknown error") : line;
  }
  std::string scrub(std::string text) const {
    replace_all(text, how_.url, "(the journal URL)");
    replace_all(text, password_, "(password)");
    return text;
  }

  const options& how_;
  std::string label_;
  std::string password_;
  std::string application_name_;
  std::vector<std::string> on_connect_;
  PGconn* conn_ = nullptr;
  bool in_transaction_ = false;
  bool holds_name_ = false;  // take the replica's name again on each reconnection
};

postgresql_journal::postgresql_journal(options how) : how_(std::move(how)) {
  auto label = label_of(how_.url);
  // A replica cut off inside a transaction must not hold its rows' locks
  // for long (the others' claims would wait on them): the server ends such
  // a session after a third of the lease. No call blocks the loop for more
  // than a third of the lease either (a claim waiting for a lock, a slow
  // statement): it fails like any journal error, and the claims in flight
  // are renewed in time (docs/service.md "Replicas").
  auto lease_ms = std::max<std::int64_t>(how_.lease.count(), 3000);
  main_ = std::make_unique<connection>(
      how_, label, "herald " + how_.replica,
      std::vector<std::string>{"SET TIME ZONE 'UTC'", "SET default_transaction_isolation = 'read committed'",
                               fmt::format("SET idle_in_transaction_session_timeout = {}", lease_ms / 3),
                               fmt::format("SET lock_timeout = {}", lease_ms / 3),
                               fmt::format("SET statement_timeout = {}", lease_ms / 3)});
  listener_ = std::make_unique<connection>(how_, label, "herald-listen " + how_.replica,
                                           std::vector<std::string>{"LISTEN herald_operator", "LISTEN herald_posts"});
}

postgresql_journal::~postgresql_journal() = default;

result<std::unique_ptr<postgresql_journal>> postgresql_journal::open(options how) {
  std::unique_ptr<postgresql_journal> made(new postgresql_journal(std::move(how)));
  auto& db = *made->main_;
  auto exec = [&](const std::string& sql) { return db.exec(sql, params{}); };
  if (made->how_.hold_name) {
    std::string problem;
    if (!db.get(problem)) return db.error(problem);
    auto held = db.take_name();
    if (!held.ok()) return failure{held.error()};
    if (!held.value())
      return db.error(
          fmt::format("another herald runs as replica '{}' on this journal: give each replica its own name "
                      "(journal: {{replica: NAME}})",
                      one_line(made->how_.replica)));
  }
  // The version check and the migrations in one transaction, one replica at a time.
  if (!made->how_.read_only) {
    if (auto begun = exec("BEGIN"); !begun.ok()) return failure{begun.error()};
    db.set_transaction(true);  // a break partway fails the rest, never runs it on a new session
    if (auto locked = exec(fmt::format("SELECT pg_advisory_xact_lock({})", schema_lock)); !locked.ok())
      return failure{locked.error()};
    if (auto made_table = exec("CREATE TABLE IF NOT EXISTS herald_schema (version integer NOT NULL)"); !made_table.ok())
      return failure{made_table.error()};
  }
  auto read = exec("SELECT max(version) FROM herald_schema");
  if (!read.ok()) {
    if (made->how_.read_only) return db.error("no herald journal there yet (`herald run` creates it)");
    return failure{read.error()};
  }
  int version = static_cast<int>(int_at(read.value().get(), 0, 0).value_or(0));
  if (version > schema_version)
    return db.error(fmt::format("the journal's schema is version {}, newer than this herald's {}: run a newer herald",
                                version, schema_version));
  if (made->how_.read_only) {
    if (version < schema_version)
      return db.error(fmt::format("the journal's schema is version {}; `herald run` migrates it first", version));
    return made;
  }
  for (int step = version; step < schema_version; ++step)
    if (auto migrated = exec(migrations[static_cast<std::size_t>(step)]); !migrated.ok())
      return failure{migrated.error()};
  if (version < schema_version) {
    auto recorded =
        exec(fmt::format("DELETE FROM herald_schema; INSERT INTO herald_schema VALUES ({})", schema_version));
    if (!recorded.ok()) return failure{recorded.error()};
  }
  if (auto committed = made->commit_changes(); !committed.ok()) return failure{committed.error()};
  return made;
}

result<journal_change> postgresql_journal::change(const std::string& sql, const params& values) {
  auto done = main_->exec(sql, values);
  if (!done.ok()) return failure{done.error()};
  auto* rows = done.value().get();
  std::int64_t changed = 0;
  if (PQresultStatus(rows) == PGRES_TUPLES_OK && PQntuples(rows) > 0)
    changed = int_at(rows, 0, 0).value_or(0);
  else if (auto count = parse_integer<std::int64_t>(PQcmdTuples(rows)))
    changed = *count;
  return changed > 0 ? journal_change::applied : journal_change::refused;
}

result<std::vector<journal_entry>> postgresql_journal::entries(const std::string& sql, const params& values) {
  auto done = main_->exec(sql, values);
  if (!done.ok()) return failure{done.error()};
  auto* rows = done.value().get();
  std::vector<journal_entry> found;
  for (int row = 0; row < PQntuples(rows); ++row) {
    auto entry = read_entry(rows, row);
    if (!entry) return main_->error("a row has a state this herald does not know");
    found.push_back(std::move(*entry));
  }
  return found;
}

result<std::optional<journal_entry>> postgresql_journal::find(std::string_view key) {
  auto found = entries(fmt::format("SELECT {} FROM posts WHERE key = $1", entry_columns), params{}.add(key));
  if (!found.ok()) return failure{found.error()};
  if (found.value().empty()) return std::optional<journal_entry>();
  return std::optional<journal_entry>(std::move(found.value().front()));
}

result<std::vector<journal_entry>> postgresql_journal::find_all(const std::vector<std::string>& keys) {
  if (keys.empty()) return std::vector<journal_entry>{};
  return entries(fmt::format("SELECT {} FROM posts WHERE key = ANY($1::text[])", entry_columns),
                 params{}.add(text_array(keys)));
}

result<journal_change> postgresql_journal::begin_attempt(std::string_view key, date::sys_seconds due,
                                                         std::string_view channel, std::string_view event,
                                                         date::sys_seconds now) {
  return std::move(begin_attempts({{key, due, channel, event}}, now).front());
}

// The keys go in sorted, so two replicas claiming overlapping rounds lock
// the rows in one order and never deadlock; a key given twice goes in once.
std::vector<result<journal_change>> postgresql_journal::begin_attempts(const std::vector<attempt_claim>& posts,
                                                                       date::sys_seconds now) {
  if (posts.empty()) return {};
  std::vector<const attempt_claim*> sorted;
  for (const auto& post : posts) sorted.push_back(&post);
  std::stable_sort(sorted.begin(), sorted.end(), [](auto* x, auto* y) { return x->key < y->key; });
  sorted.erase(std::unique(sorted.begin(), sorted.end(), [](auto* x, auto* y) { return x->key == y->key; }),
               sorted.end());
  std::vector<std::string_view> keys, events, channels;
  std::string dues = "{";
  for (const auto* post : sorted) {
    keys.push_back(post->key);
    events.push_back(post->event);
    channels.push_back(post->channel);
    if (dues.size() > 1) dues += ',';
    dues += std::to_string(post->due.time_since_epoch().count());
  }
  dues += '}';
  auto done = main_->exec(begin_attempts_sql, params{}
                                                  .add(text_array(keys))
                                                  .add(text_array(events))
                                                  .add(text_array(channels))
                                                  .add(dues)
                                                  .add(now)
                                                  .add(how_.replica)
                                                  .add(std::int64_t{how_.lease.count()}));
  if (!done.ok()) return failed_whole(done.error());
  std::vector<std::string_view> asked;
  for (const auto& post : posts) asked.push_back(post.key);
  return changes_of(done.value().get(), asked);
}

result<journal_change> postgresql_journal::record_sent(std::string_view key, date::sys_seconds now) {
  return change(notifying(record_sent_sql, 3), params{}.add(key).add(now).add(how_.replica));
}

std::vector<result<journal_change>> postgresql_journal::record_sent_all(const std::vector<std::string_view>& keys,
                                                                        date::sys_seconds now) {
  if (keys.empty()) return {};
  auto done = main_->exec(record_sent_all_sql, params{}.add(text_array(keys)).add(now).add(how_.replica));
  if (!done.ok()) return failed_whole(done.error());
  return changes_of(done.value().get(), keys);
}

result<journal_change> postgresql_journal::record_failed(std::string_view key, date::sys_seconds now,
                                                         std::string_view error) {
  return change(notifying(record_failed_sql, 4), params{}.add(key).add(now).add(error).add(how_.replica));
}

result<journal_change> postgresql_journal::record_retry(std::string_view key, date::sys_seconds now,
                                                        date::sys_seconds next_try, std::string_view error) {
  return change(notifying(record_retry_sql, 5), params{}.add(key).add(now).add(next_try).add(error).add(how_.replica));
}

result<journal_change> postgresql_journal::record_unanswered(std::string_view key, date::sys_seconds now,
                                                             std::optional<date::sys_seconds> next_try,
                                                             std::string_view error) {
  return change(notifying(record_unanswered_sql, 5),
                params{}.add(key).add(now).add(next_try).add(error).add(how_.replica));
}

result<journal_change> postgresql_journal::record_missed(std::string_view key, date::sys_seconds due,
                                                         std::string_view channel, std::string_view event,
                                                         date::sys_seconds now) {
  return change(notifying(record_missed_sql, 6),
                params{}.add(key).add(event).add(channel).add(due).add(now).add(how_.replica));
}

result<void> postgresql_journal::begin_changes() {
  auto begun = main_->exec("BEGIN", params{});
  if (!begun.ok()) return failure{begun.error()};
  main_->set_transaction(true);
  return {};
}

// A transaction that failed inside answers COMMIT with ROLLBACK: that is a
// failure too. So is one whose connection broke partway: its changes are
// gone, and COMMIT is sent only on the session that began it.
result<void> postgresql_journal::commit_changes() {
  if (!main_->transaction_intact()) {
    bool broke = main_->in_transaction();
    main_->set_transaction(false);
    if (broke && main_->raw() && PQstatus(main_->raw()) == CONNECTION_OK)
      (void)main_->exec("ROLLBACK", params{});  // a transaction in error: end it
    return main_->error(broke ? "the transaction broke partway; none of its changes was recorded"
                              : "no transaction to commit");
  }
  auto committed = main_->exec("COMMIT", params{});
  main_->set_transaction(false);
  if (!committed.ok()) return failure{committed.error()};
  if (std::string_view(PQcmdStatus(committed.value().get())) != "COMMIT")
    return main_->error("the transaction failed and was rolled back");
  return {};
}

result<std::vector<journal_entry>> postgresql_journal::take_in_flight(date::sys_seconds now) {
  auto taken =
      entries(fmt::format(take_sql, "(replica = $3 OR lease_until IS NULL OR lease_until < now())", entry_columns),
              params{}.add(now).add(interrupted_note).add(how_.replica));
  if (taken.ok()) by_due_then_key(taken.value());
  return taken;
}

// The taken rows are announced (herald_posts): the other replicas decide them again too.
result<std::vector<journal_entry>> postgresql_journal::take_lapsed(date::sys_seconds now) {
  auto rows = entries(fmt::format(take_sql, "(lease_until IS NULL OR lease_until < now())", entry_columns),
                      params{}.add(now).add(lapsed_note));
  if (rows.ok()) by_due_then_key(rows.value());
  if (rows.ok() && !rows.value().empty())
    (void)main_->exec("SELECT pg_notify('herald_posts', $1)", params{}.add(how_.replica));
  return rows;
}

// Only the keys this replica still has in flight: a claim it does not know
// it holds (the commit's answer was lost) lapses and is taken over.
result<void> postgresql_journal::renew_leases(const std::vector<std::string>& keys) {
  if (keys.empty()) return {};
  auto renewed = main_->exec(
      "UPDATE posts SET lease_until = now() + $2::bigint * interval '1 millisecond' "
      "WHERE state = 'in_flight' AND replica = $1 AND key = ANY($3::text[])",
      params{}.add(how_.replica).add(std::int64_t{how_.lease.count()}).add(text_array(keys)));
  if (!renewed.ok()) return failure{renewed.error()};
  return {};
}

result<std::optional<std::chrono::milliseconds>> postgresql_journal::next_lapse() {
  auto done = main_->exec(
      "SELECT floor(extract(epoch FROM min(lease_until) - now()) * 1000)::bigint FROM posts "
      "WHERE state = 'in_flight'",
      params{});
  if (!done.ok()) return failure{done.error()};
  auto ms = int_at(done.value().get(), 0, 0);
  if (!ms) return std::optional<std::chrono::milliseconds>{};
  return std::optional<std::chrono::milliseconds>{std::chrono::milliseconds{std::max<std::int64_t>(*ms, 0)}};
}

result<std::vector<journal_entry>> postgresql_journal::entries_in(post_state state) {
  return entries(fmt::format("SELECT {} FROM posts WHERE state = $1 ORDER BY due, key", entry_columns),
                 params{}.add(to_string(state)));
}

result<std::vector<journal_entry>> postgresql_journal::recent(std::size_t limit) {
  auto capped = std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max());
  return entries(fmt::format("SELECT {} FROM posts ORDER BY updated_at DESC, key LIMIT $1", entry_columns),
                 params{}.add(static_cast<std::int64_t>(capped)));
}

result<std::vector<journal_entry>> postgresql_journal::due_retries(date::sys_seconds until) {
  return entries(fmt::format("SELECT {} FROM posts WHERE state = 'pending' AND next_try <= $1 ORDER BY next_try, key",
                             entry_columns),
                 params{}.add(until));
}

result<std::map<post_state, std::size_t>> postgresql_journal::count_by_state() {
  auto done = main_->exec("SELECT state, count(*) FROM posts GROUP BY state", params{});
  if (!done.ok()) return failure{done.error()};
  auto* rows = done.value().get();
  std::map<post_state, std::size_t> counts;
  for (int row = 0; row < PQntuples(rows); ++row) {
    auto state = parse_post_state(text_at(rows, row, 0));
    if (!state) return main_->error("a row has a state this herald does not know");
    counts[*state] = static_cast<std::size_t>(int_at(rows, row, 1).value_or(0));
  }
  return counts;
}

result<std::vector<channel_pause>> postgresql_journal::paused_channels() {
  auto done = main_->exec("SELECT channel, since, \"user\" FROM paused_channels ORDER BY channel", params{});
  if (!done.ok()) return failure{done.error()};
  auto* rows = done.value().get();
  std::vector<channel_pause> paused;
  for (int row = 0; row < PQntuples(rows); ++row)
    paused.push_back({text_at(rows, row, 0), *time_at(rows, row, 1), text_at(rows, row, 2)});
  return paused;
}

result<std::vector<operator_action>> postgresql_journal::actions(std::size_t limit) {
  auto capped = std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max());
  auto done = main_->exec("SELECT id, at, \"user\", action, target FROM operator_actions ORDER BY id DESC LIMIT $1",
                          params{}.add(static_cast<std::int64_t>(capped)));
  if (!done.ok()) return failure{done.error()};
  auto* rows = done.value().get();
  std::vector<operator_action> found;
  for (int row = 0; row < PQntuples(rows); ++row)
    found.push_back({int_at(rows, row, 0).value_or(0), *time_at(rows, row, 1), text_at(rows, row, 2),
                     text_at(rows, row, 3), text_at(rows, row, 4)});
  return found;
}

result<std::int64_t> postgresql_journal::last_action_id() {
  auto done = main_->exec("SELECT coalesce(max(id), 0) FROM operator_actions", params{});
  if (!done.ok()) return failure{done.error()};
  return int_at(done.value().get(), 0, 0).value_or(0);
}

// The listening connection's socket; -1 while it cannot be made (the
// caller asks again after the journal's next failure pause).
int postgresql_journal::change_descriptor() {
  std::string problem;
  auto* conn = listener_->get(problem);
  return conn ? PQsocket(conn) : -1;
}

// Notifications of this replica's own changes are not news.
result<bool> postgresql_journal::take_changes() {
  auto* conn = listener_->raw();
  if (!conn) return listener_->error("not listening");
  if (PQconsumeInput(conn) == 0 || PQstatus(conn) != CONNECTION_OK) {
    auto failed = listener_->error(std::string("listening: ") + PQerrorMessage(conn));
    listener_->drop();
    return failed;
  }
  bool news = false;
  while (PGnotify* note = PQnotifies(conn)) {
    if (std::string_view(note->relname) == "herald_operator" || how_.replica != note->extra) news = true;
    PQfreemem(note);
  }
  return news;
}

// The change, its log line and the news for every replica (herald_operator), in one transaction.
result<journal_change> postgresql_journal::operate(const std::string& sql, const params& values,
                                                   const operator_action& who) {
  if (auto begun = begin_changes(); !begun.ok()) return failure{begun.error()};
  auto changed = change(sql, values);
  if (changed.ok() && changed.value() == journal_change::applied) {
    auto logged = main_->exec("INSERT INTO operator_actions (at, \"user\", action, target) VALUES ($1, $2, $3, $4)",
                              params{}.add(who.at).add(who.user).add(who.action).add(who.target));
    if (logged.ok()) logged = main_->exec("SELECT pg_notify('herald_operator', $1)", params{}.add(who.action));
    if (!logged.ok()) changed = failure{logged.error()};
  }
  if (!changed.ok() || changed.value() == journal_change::refused) {
    (void)main_->exec("ROLLBACK", params{});
    main_->set_transaction(false);
    return changed;
  }
  if (auto committed = commit_changes(); !committed.ok()) return failure{committed.error()};
  return changed;
}

result<journal_change> postgresql_journal::skip(std::string_view key, date::sys_seconds due, std::string_view channel,
                                                std::string_view event, const operator_action& who) {
  return operate(skip_sql, params{}.add(key).add(event).add(channel).add(due).add(who.at), who);
}

result<journal_change> postgresql_journal::resend(std::string_view key, const operator_action& who) {
  return operate(resend_sql, params{}.add(key).add(who.at), who);
}

result<journal_change> postgresql_journal::pause_channel(const operator_action& who) {
  return operate("INSERT INTO paused_channels (channel, since, \"user\") VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                 params{}.add(who.target).add(who.at).add(who.user), who);
}

result<journal_change> postgresql_journal::resume_channel(const operator_action& who) {
  return operate("DELETE FROM paused_channels WHERE channel = $1", params{}.add(who.target), who);
}

result<void> postgresql_journal::import_history(const std::vector<journal_entry>& rows,
                                                const std::vector<operator_action>& log,
                                                const std::vector<channel_pause>& paused) {
  if (auto begun = begin_changes(); !begun.ok()) return begun;
  auto fail = [&](const std::string& why) -> result<void> {
    (void)main_->exec("ROLLBACK", params{});
    main_->set_transaction(false);
    return failure{why};
  };
  auto any = main_->exec("SELECT count(*) FROM posts", params{});
  if (!any.ok()) return fail(any.error());
  if (int_at(any.value().get(), 0, 0).value_or(0) > 0)
    return fail(main_->error("it holds posts already; copy into an empty journal").message);
  for (const auto& e : rows) {
    params values;
    values.add(e.key).add(e.event).add(e.channel).add(e.due).add(to_string(e.state)).add(std::int64_t{e.attempts});
    values.add(std::int64_t{e.interrupted}).add(e.next_try);
    if (e.last_error)
      values.add(*e.last_error);
    else
      values.values.emplace_back(std::nullopt);
    values.add(e.created_at).add(e.updated_at).add(e.sent_at).add(e.resent_at).add(e.replica);
    auto put = main_->exec(fmt::format("INSERT INTO posts ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
                                       "$12, $13, $14)",
                                       entry_columns),
                           values);
    if (!put.ok()) return fail(put.error());
  }
  for (auto it = log.rbegin(); it != log.rend(); ++it) {
    auto put =
        main_->exec("INSERT INTO operator_actions (id, at, \"user\", action, target) VALUES ($1, $2, $3, $4, $5)",
                    params{}.add(it->id).add(it->at).add(it->user).add(it->action).add(it->target));
    if (!put.ok()) return fail(put.error());
  }
  if (!log.empty()) {
    auto moved = main_->exec(
        "SELECT setval(pg_get_serial_sequence('operator_actions', 'id'), (SELECT max(id) FROM operator_actions))",
        params{});
    if (!moved.ok()) return fail(moved.error());
  }
  for (const auto& pause : paused) {
    auto put = main_->exec("INSERT INTO paused_channels (channel, since, \"user\") VALUES ($1, $2, $3)",
                           params{}.add(pause.channel).add(pause.since).add(pause.user));
    if (!put.ok()) return fail(put.error());
  }
  return commit_changes();
}

}  // namespace herald

#pragma once
// herald.yaml (docs/channels.md): where the calendar is, where state lives, how posts
// are delivered, and the channels with their secrets.
//
// Loading checks the shape of every field (unknown keys are errors) but
// resolves no secret: a secret is kept as where to find it, so nothing here
// can print one.

#include <chrono>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "calendar/diagnostic.hpp"
#include "scheduling/delivery_defaults.hpp"

namespace herald {

/// Where a secret comes from; `value` is the literal for plain strings.
struct secret_ref {
  enum class source { literal, env, file, credential };
  source from = source::literal;
  std::string value;  ///< the literal, or the variable / path / credential name
};

/// `type: slack` and `type: teams`: a post to an incoming-webhook URL.
struct slack_channel {
  secret_ref url;
};
struct teams_channel {
  secret_ref url;
};

/// `type: email`: one message per post, submitted over SMTP.
struct email_channel {
  enum class tls_mode { starttls, tls, none };
  std::string server;  ///< smtp://host:port or smtps://host
  tls_mode tls = tls_mode::starttls;
  std::string username;
  std::optional<secret_ref> password;
  std::string from;
  std::vector<std::string> to;
};

/// `type: webhook`: the post as JSON to a URL, with headers of its own.
struct webhook_channel {
  secret_ref url;
  std::vector<std::pair<std::string, secret_ref>> headers;
};

/// `type: console`: the post as a JSON line on standard output.
struct console_channel {};

/// `type: file`: the post as a JSON line appended to a file.
struct file_channel {
  std::string path;  ///< resolved against the config's folder
};

/// What a channel is, with the fields of that kind only.
using channel_kind =
    std::variant<slack_channel, teams_channel, email_channel, webhook_channel, console_channel, file_channel>;

struct channel_config {
  std::string name;
  source_mark mark;
  channel_kind kind;
};

struct delivery_config {
  std::chrono::seconds timeout{delivery_defaults::timeout};
  int attempts = delivery_defaults::attempts;
  double rate_per_second = delivery_defaults::rate_per_second;
  int burst = delivery_defaults::burst;
};

/// `journal:` where the journal lives (docs/channels.md "The journal"):
/// SQLite in state_dir, or a PostgreSQL database replicas share.
struct journal_config {
  std::optional<secret_ref> postgresql;  ///< its URL; nullopt: SQLite in state_dir
  std::string replica;             ///< this replica's name; "" until the daemon applies its default (the hostname)
  std::chrono::seconds lease{30};  ///< how long a claim holds a post unless renewed
};

struct config {
  std::string file;
  std::vector<std::string> calendars;  ///< paths, resolved against the config's folder
  std::string state_dir;               ///< "" until the daemon applies its default
  std::chrono::seconds catch_up{delivery_defaults::catch_up};
  delivery_config delivery;
  std::vector<channel_config> channels;
  std::optional<std::string> http_listen;
  journal_config journal;

  std::vector<std::string> channel_names() const;
};

struct config_load_result {
  std::optional<config> value;
  std::vector<diagnostic> errors;
  std::vector<diagnostic> warnings{};  ///< things that load but are likely wrong (http.listen on every interface)
};

config_load_result load_config(std::string_view text, std::string file);
config_load_result load_config_file(const std::string& path);

/// `10s`, `5m`, `12h`, `1d` (a number and a unit).
std::variant<std::chrono::seconds, parse_error> parse_duration(std::string_view text);

}  // namespace herald

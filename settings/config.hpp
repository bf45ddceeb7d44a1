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

namespace herald {

/// Where a secret comes from; `value` is the literal for plain strings.
struct secret_ref {
  enum class source { literal, env, file, credential };
  source from = source::literal;
  std::string value;  ///< the literal, or the variable / path / credential name
};

struct channel_config {
  std::string name;
  std::string type;  ///< slack, teams, email, webhook, console, file
  source_mark mark;
  std::optional<secret_ref> url;                            ///< slack, teams, webhook
  std::vector<std::pair<std::string, secret_ref>> headers;  ///< webhook
  std::string server;                                       ///< email: smtp://host:port or smtps://
  std::string tls = "starttls";                             ///< email: starttls | tls | none
  std::string username;                                     ///< email
  std::optional<secret_ref> password;                       ///< email
  std::string from;                                         ///< email
  std::vector<std::string> to;                              ///< email
  std::string path;                                         ///< file
};

struct delivery_config {
  std::chrono::seconds timeout{10};
  int attempts = 8;
  double rate_per_second = 1.0;
};

struct config {
  std::string file;
  std::vector<std::string> calendars;  ///< paths, resolved against the config's folder
  std::string state_dir;               ///< "" until the daemon applies its default
  std::chrono::seconds catch_up{12 * 3600};
  delivery_config delivery;
  std::vector<channel_config> channels;
  std::optional<std::string> http_listen;

  std::vector<std::string> channel_names() const;
};

struct config_load_result {
  std::optional<config> value;
  std::vector<diagnostic> errors;
};

config_load_result load_config(std::string_view text, std::string file);
config_load_result load_config_file(const std::string& path);

/// `10s`, `5m`, `12h`, `1d` (a number and a unit).
std::variant<std::chrono::seconds, parse_error> parse_duration(std::string_view text);

}  // namespace herald

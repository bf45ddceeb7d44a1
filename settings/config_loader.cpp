#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <filesystem>

#include <fmt/format.h>

#include "calendar/yaml_fields.hpp"
#include "settings/config.hpp"
#include "settings/config_quoting.hpp"
#include "settings/listen_address.hpp"
#include "settings/secrets.hpp"
#include "text/civil.hpp"
#include "text/file.hpp"
#include "text/mailbox.hpp"
#include "text/one_line.hpp"
#include "text/strings.hpp"

namespace herald {
namespace {

constexpr std::array<std::string_view, 8> config_keys = {"version",  "calendar", "state_dir", "catch_up",
                                                         "delivery", "channels", "http",      "journal"};
constexpr std::array<std::string_view, 3> journal_keys = {"postgresql", "replica", "lease"};
constexpr std::array<std::string_view, 4> delivery_keys = {"timeout", "attempts", "rate", "burst"};
constexpr std::array<std::string_view, 6> channel_types = {"slack", "teams", "email", "webhook", "console", "file"};
constexpr std::string_view channel_type_hint = "use slack, teams, email, webhook, console or file";
// The keys of every channel type: one of them is named in an error even
// where it does not belong, anything else may be a secret.
constexpr std::array<std::string_view, 10> channel_keys = {"type",     "url",      "headers", "server", "tls",
                                                           "username", "password", "from",    "to",     "path"};
constexpr std::array<std::string_view, 3> secret_sources = {"env", "file", "credential"};

std::span<const std::string_view> keys_of(std::string_view type) {
  static constexpr std::array<std::string_view, 2> url_keys = {"type", "url"};
  static constexpr std::array<std::string_view, 3> webhook_keys = {"type", "url", "headers"};
  static constexpr std::array<std::string_view, 7> email_keys = {"type",     "server", "tls", "username",
                                                                 "password", "from",   "to"};
  static constexpr std::array<std::string_view, 1> console_keys = {"type"};
  static constexpr std::array<std::string_view, 2> file_keys = {"type", "path"};
  if (type == "slack" || type == "teams") return url_keys;
  if (type == "webhook") return webhook_keys;
  if (type == "email") return email_keys;
  if (type == "file") return file_keys;
  return console_keys;
}

std::optional<secret_ref> read_secret(yaml_ref node, std::string_view what, diagnostics_collector& out) {
  if (node.is_scalar()) return secret_ref{secret_ref::source::literal, std::string(node.scalar())};
  if (!node.is_mapping() || node.size() != 1) {
    out.error(node.mark(),
              fmt::format("{} must be a string or one of {{env: NAME}}, {{file: PATH}}, {{credential: NAME}}", what));
    return std::nullopt;
  }
  auto [key, value] = node.entries().front();
  auto source = key.scalar();
  if (std::find(secret_sources.begin(), secret_sources.end(), source) == secret_sources.end()) {
    // The key is named only when it is a misspelt source: {hunter2} is a
    // secret written as a mapping by mistake.
    std::vector<std::string_view> names(secret_sources.begin(), secret_sources.end());
    auto suggestion = did_you_mean(source, names);
    out.error(key.mark(),
              suggestion.empty() ? std::string("unknown secret source")
                                 : fmt::format("unknown secret source '{}'{}", source, suggestion),
              "use env, file or credential");
    return std::nullopt;
  }
  auto name = read_scalar(value, fmt::format("'{}'", source), out);
  if (!name) return std::nullopt;
  if (source == "env") return secret_ref{secret_ref::source::env, std::string(*name)};
  if (source == "file") return secret_ref{secret_ref::source::file, std::string(*name)};
  return secret_ref{secret_ref::source::credential, std::string(*name)};
}

// An address the email channel would refuse at send time (text/mailbox.hpp).
void check_mailbox(yaml_ref node, std::string_view text, std::string_view key, diagnostics_collector& out) {
  auto parsed = parse_mailbox(text, key);
  if (parsed.ok()) return;
  bool broken = has_line_break(text);
  out.error(node.mark(),
            broken ? fmt::format("'{}' holds a line break", key)
                   : fmt::format("'{}' is not an email address (not repeated here: it may be a secret)", key),
            broken ? "an address is one line of text" : "write name@example.org or Name <name@example.org>");
}

// The status server's own parser (settings/listen_address.hpp): what
// `validate` accepts, `run` can bind. Every interface is allowed, with a
// warning: the page and /status then reach whoever reaches the host.
void check_listen(yaml_ref node, std::string_view text, diagnostics_collector& out) {
  auto parsed = parse_listen(text);
  if (!parsed.ok()) {
    const auto& error = parsed.error();
    auto split = error.find("; ");
    out.error(node.mark(), error.substr(0, split), split == std::string::npos ? "" : error.substr(split + 2));
    return;
  }
  if (parsed.value().any)
    out.warning(node.mark(),
                fmt::format("http.listen '{}' listens on every interface: anyone who reaches this host can read the "
                            "status page, the plan and the calendar feed",
                            text),
                "listen on 127.0.0.1 (or [::1]) and put a reverse proxy with access control in front");
}

std::string read_string(yaml_ref channel, std::string_view key, diagnostics_collector& out) {
  if (auto node = channel.find(key))
    if (auto text = read_scalar(*node, fmt::format("'{}'", key), out)) return std::string(*text);
  return {};
}

// `smtp://host:port` or `smtps://host`; returns the host, or "" if malformed.
std::string smtp_host(std::string_view server) {
  auto scheme_end = server.find("://");
  if (scheme_end == std::string_view::npos) return {};
  auto scheme = ascii_lower(server.substr(0, scheme_end));  // RFC 3986 §3.1: any case
  if (scheme != "smtp" && scheme != "smtps") return {};
  auto rest = server.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find('/'));
  if (rest.starts_with('[')) return std::string(rest.substr(0, rest.find(']') + 1));
  return std::string(rest.substr(0, rest.find(':')));
}

// A user name or password belongs in `username` and `password` (a secret,
// read from {env:}, {file:} or {credential:}), never in `server`, which is
// printed (docs/decisions.md "Channels and secrets"). Any '@' counts: one
// after a '/' in the password still ends the userinfo for some readers.
bool server_has_userinfo(std::string_view server) { return server.find('@') != std::string_view::npos; }

email_channel read_email(yaml_ref node, std::string_view what, diagnostics_collector& out) {
  require_keys_unnamed(node, what,
                       std::array<required_key, 3>{{{"server", "e.g. server: smtp://mail.example.org:587"},
                                                    {"from", "e.g. from: \"EDI Network <edi@example.org>\""},
                                                    {"to", "e.g. to: [members@example.org]"}}},
                       out);
  email_channel c;
  c.server = read_string(node, "server", out);
  if (auto tls_node = node.find("tls")) {
    auto tls = read_string(node, "tls", out);
    if (tls == "tls")
      c.tls = email_channel::tls_mode::tls;
    else if (tls == "none")
      c.tls = email_channel::tls_mode::none;
    else if (tls != "starttls")
      out.error(tls_node->mark(), fmt::format("unknown tls '{}'", tls), "use starttls, tls or none");
  }
  auto host = smtp_host(c.server);
  if (auto server = node.find("server"); server && server_has_userinfo(c.server))
    out.error(server->mark(), "the SMTP server holds a user name or password (not repeated here: it may be a secret)",
              "write the server alone, e.g. smtp://mail.example.org:587, and the credentials as username: and "
              "password: (a secret, e.g. password: {credential: smtp-password})");
  else if (server && host.empty())
    // A webhook URL pasted here would carry its token: not repeated either.
    out.error(server->mark(), "invalid SMTP server (not repeated here: it may be a secret)",
              "write e.g. smtp://mail.example.org:587 or smtps://mail.example.org");
  else if (server && c.tls == email_channel::tls_mode::none && !is_loopback_host(host))
    out.error(node.find("tls")->mark(),
              "tls: none sends mail and passwords in the clear; it is allowed only to a loopback server",
              "use starttls (port 587) or tls (smtps://, port 465)");
  c.username = read_string(node, "username", out);
  if (auto password = node.find("password")) c.password = read_secret(*password, "'password'", out);
  c.from = read_string(node, "from", out);
  if (auto from = node.find("from"); from && from->is_scalar()) check_mailbox(*from, c.from, "from", out);
  if (auto to = node.find("to"))
    for (auto item : read_list(*to, "'to'", out))
      if (auto address = read_scalar(item, "an address", out)) {
        check_mailbox(item, *address, "to", out);
        c.to.emplace_back(*address);
      }
  return c;
}

// Relative paths in the config are relative to the config file's folder.
std::string resolve_path(const std::string& config_file, std::string_view path) {
  std::filesystem::path p(path);
  if (p.is_absolute()) return p.string();
  return (std::filesystem::path(config_file).parent_path() / p).lexically_normal().string();
}

// Errors must never quote a line holding a literal secret, whatever else is
// wrong with the channel, so these lines are hidden before anything is read.
void hide_secret_lines(yaml_ref channel, diagnostics_collector& out) {
  auto hide = [&](yaml_ref value) {
    if (!value.is_scalar()) return;
    auto lines = static_cast<int>(std::count(value.scalar().begin(), value.scalar().end(), '\n'));
    for (int line = value.mark().line; line <= value.mark().line + lines + 1; ++line) out.hide_line(line);
  };
  for (auto key : {"url", "password"})
    if (auto value = channel.find(key)) hide(*value);
  if (auto headers = channel.find("headers"))
    for (auto& [name, value] : headers->entries()) hide(value);
}

// The url of a slack, teams or webhook channel.
std::optional<secret_ref> read_url(yaml_ref node, std::string_view what, diagnostics_collector& out) {
  require_keys_unnamed(
      node, what,
      std::array<required_key, 1>{{{"url", "the webhook URL, or {env: NAME} / {credential: NAME} to keep it secret"}}},
      out);
  auto url_node = node.find("url");
  if (!url_node) return std::nullopt;
  auto url = read_secret(*url_node, "'url'", out);
  if (url && url->from == secret_ref::source::literal)
    if (auto checked = check_post_url(url->value); !checked.ok())
      out.error(url_node->mark(), fmt::format("the url of {} {}", what, checked.error()));
  return url;
}

// RFC 9110 §5.1: a field name is a token. curl drops a header line whose
// name holds a space or a colon without a word, so it is refused here.
bool is_header_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

// How an error names a header: by its name when that is a header name,
// else not at all, for `{Authorization Bearer SECRET}` (a header written
// without its colon) holds the secret in the name.
std::string header_label(std::string_view name) {
  if (!is_header_name(name)) return "a header whose name is not one";
  std::string label = "header '";
  label += name;
  label += '\'';
  return label;
}

std::vector<std::pair<std::string, secret_ref>> read_headers(yaml_ref node, diagnostics_collector& out) {
  std::vector<std::pair<std::string, secret_ref>> headers;
  auto found = node.find("headers");
  if (!found) return headers;
  if (!found->is_mapping()) out.error(found->mark(), "'headers' must map header names to values");
  for (auto& [name, value] : found->entries()) {
    auto label = header_label(name.scalar());
    if (!is_header_name(name.scalar()))
      out.error(name.mark(), "a header name that is not one (not repeated here: it may be a secret)",
                "write it as `Name: value`; a header name is letters, digits and !#$%&'*+-.^_`|~, without spaces, "
                "colons or line breaks");
    if (auto secret = read_secret(value, label, out)) {
      if (secret->from == secret_ref::source::literal && has_control_character(secret->value))
        out.error(value.mark(), fmt::format("{} holds a line break or control character", label),
                  "a header value is one line of text");
      headers.emplace_back(std::string(name.scalar()), *secret);
    }
  }
  return headers;
}

// The fields of a channel of type `type` (one of channel_types); nullopt
// when one it needs is missing or wrong (the error is out already).
std::optional<channel_kind> read_kind(std::string_view type, yaml_ref node, std::string_view what,
                                      diagnostics_collector& out) {
  std::optional<secret_ref> url;
  if (type == "slack" || type == "teams" || type == "webhook") url = read_url(node, what, out);
  // Headers are read whatever the type, so that their errors come beside
  // the one check_keys gave for the key itself.
  auto headers = read_headers(node, out);
  if (type == "email") return read_email(node, what, out);
  if (type == "file") {
    require_keys_unnamed(node, what, std::array<required_key, 1>{{{"path", "e.g. path: outbox.jsonl"}}}, out);
    auto path = read_string(node, "path", out);
    return file_channel{path.empty() ? path : resolve_path(out.file(), path)};
  }
  if (type == "console") return console_channel{};
  if (!url) return std::nullopt;
  if (type == "slack") return slack_channel{std::move(*url)};
  if (type == "teams") return teams_channel{std::move(*url)};
  return webhook_channel{std::move(*url), std::move(headers)};
}

std::optional<channel_config> read_channel(yaml_ref key, yaml_ref node, diagnostics_collector& out) {
  hide_secret_lines(node, out);
  channel_config c;
  c.name = key.scalar();
  c.mark = key.mark();
  // Channel names end post keys (<event>/<date>/<at>/<channel>) and logs.
  auto name_ok = !c.name.empty() && std::isalnum(static_cast<unsigned char>(c.name[0])) &&
                 std::all_of(c.name.begin(), c.name.end(), [](char ch) {
                   return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.';
                 });
  // A name that is not one may be a secret pasted as a key: the errors
  // point at its line instead of naming it.
  auto what = name_ok ? fmt::format("channel '{}'", c.name) : fmt::format("the channel of line {}", key.mark().line);
  if (!name_ok)
    out.error(key.mark(), "invalid channel name (not repeated here: it may be a secret)",
              "use letters, digits, '-', '_' and '.', starting with a letter or digit");
  if (!node.is_mapping()) {
    out.error(node.mark(), fmt::format("{} must be a mapping with a 'type', not {}", what, node.type_name()));
    return std::nullopt;
  }
  auto type = node.find("type");
  if (!type) {
    out.error(node.mark(), fmt::format("{} has no 'type'", what), std::string(channel_type_hint));
    return std::nullopt;
  }
  auto type_name = read_string(node, "type", out);
  std::vector<std::string_view> types(channel_types.begin(), channel_types.end());
  if (std::find(types.begin(), types.end(), type_name) == types.end()) {
    // Not repeated: a URL or a token pasted under the wrong key lands here.
    auto suggestion = closest_match(type_name, types);
    out.error(type->mark(), fmt::format("unknown type of {} (not repeated here: it may be a secret)", what),
              suggestion.empty() ? std::string(channel_type_hint)
                                 : fmt::format("did you mean '{}'? {}", suggestion, channel_type_hint));
    return std::nullopt;
  }
  check_keys_unnamed(node, what, keys_of(type_name), channel_keys, out);
  auto kind = read_kind(type_name, node, what, out);
  if (!kind) return std::nullopt;
  c.kind = std::move(*kind);
  return c;
}

std::variant<double, parse_error> parse_rate(std::string_view text) {
  auto slash = text.find('/');
  double count = 0;
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + (slash == std::string_view::npos ? text.size() : slash), count);
  auto unit = slash == std::string_view::npos ? std::string_view{} : text.substr(slash + 1);
  double per = unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : 0;
  if (ec != std::errc{} || end != text.data() + slash || per == 0 || count <= 0)
    return parse_error{fmt::format("invalid rate '{}'", text), 0, "write posts per unit of time, e.g. 1/s or 20/m"};
  return count / per;
}

std::variant<int, parse_error> parse_attempts(std::string_view text) {
  auto value = parse_integer<int>(text, 1, 100);
  if (!value) return parse_error{fmt::format("invalid attempts '{}'", text), 0, "a whole number from 1 to 100"};
  return *value;
}

std::variant<int, parse_error> parse_burst(std::string_view text) {
  auto value = parse_integer<int>(text, 1, 100);
  if (!value) return parse_error{fmt::format("invalid burst '{}'", text), 0, "a whole number from 1 to 100"};
  return *value;
}

// A timeout of 0 would mean "none" to curl: a peer that never answers
// would hold its post in flight for ever. Up to 60 s for a slow endpoint
// (docs/daemon.md "Delivery rules"); above the drain limit (10 s after
// SIGTERM) a stop may cut a post off mid-flight, and it goes out once more
// on start (docs/daemon.md "Stopping").
std::variant<std::chrono::seconds, parse_error> parse_timeout(std::string_view text) {
  constexpr std::chrono::seconds longest{60};
  auto parsed = parse_duration(text);
  if (auto* t = std::get_if<std::chrono::seconds>(&parsed); t && (*t < std::chrono::seconds{1} || *t > longest))
    return parse_error{fmt::format("timeout '{}' is out of range", text), 0, "from 1s to 60s"};
  return parsed;
}

// With catch_up 0 a post must go out in the second it is due, so a second
// post due at the same instant on a rate-limited channel is always missed.
std::variant<std::chrono::seconds, parse_error> parse_catch_up(std::string_view text) {
  auto parsed = parse_duration(text);
  if (auto* t = std::get_if<std::chrono::seconds>(&parsed); t && *t < std::chrono::minutes{1})
    return parse_error{fmt::format("catch_up '{}' is too short", text), 0,
                       "at least 1m, so that posts due together can go out one after another; the default is 12h"};
  return parsed;
}

void read_delivery(yaml_ref node, delivery_config& d, diagnostics_collector& out) {
  if (!check_keys(node, "'delivery'", delivery_keys, out)) return;
  if (auto v = node.find("timeout"))
    if (auto t = read_parsed(*v, "'timeout'", parse_timeout, out)) d.timeout = *t;
  if (auto v = node.find("attempts"))
    if (auto a = read_parsed(*v, "'attempts'", parse_attempts, out)) d.attempts = *a;
  if (auto v = node.find("rate"))
    if (auto r = read_parsed(*v, "'rate'", parse_rate, out)) d.rate_per_second = *r;
  if (auto v = node.find("burst"))
    if (auto b = read_parsed(*v, "'burst'", parse_burst, out)) d.burst = *b;
}

// A lease shorter than a few seconds would lapse between renewals on a
// busy database; a long one delays the takeover of a dead replica's posts.
std::variant<std::chrono::seconds, parse_error> parse_lease(std::string_view text) {
  auto parsed = parse_duration(text);
  if (auto* t = std::get_if<std::chrono::seconds>(&parsed);
      t && (*t < std::chrono::seconds{3} || *t > std::chrono::minutes{10}))
    return parse_error{fmt::format("lease '{}' is out of range", text), 0, "from 3s to 10m; the default is 30s"};
  return parsed;
}

// `journal:` (docs/channels.md "The journal"). The URL is a secret: its
// line is never quoted in an error.
void read_journal(yaml_ref node, journal_config& j, diagnostics_collector& out) {
  if (auto url = node.find("postgresql"); url && url->is_scalar())
    for (int line = url->mark().line; line <= url->mark().line + 1; ++line) out.hide_line(line);
  if (!check_keys_unnamed(node, "'journal'", journal_keys, journal_keys, out)) return;
  if (auto url = node.find("postgresql")) j.postgresql = read_secret(*url, "'postgresql'", out);
  if (auto name = node.find("replica"))
    if (auto text = read_scalar(*name, "'replica'", out)) {
      if (text->empty() || has_control_character(*text) || text->size() > 200)
        out.error(name->mark(), "'replica' must be a name of one line",
                  "e.g. replica: herald-1; the default is the hostname");
      else
        j.replica = std::string(*text);
    }
  if (auto v = node.find("lease"))
    if (auto t = read_parsed(*v, "'lease'", parse_lease, out)) j.lease = *t;
  if (!j.postgresql && (node.find("replica") || node.find("lease")))
    out.error(node.mark(), "'replica' and 'lease' are for a shared journal",
              "add postgresql: {env: HERALD_JOURNAL_URL}");
}

// A claim must outlast a send: a replica hands a post to its channel only
// while a third of the lease is left, and the request may then take up to
// delivery.timeout; with a lease of 3 × the timeout or more, the claim
// still holds when the channel answers (docs/service.md "Replicas").
void check_lease(yaml_ref node, const config& c, diagnostics_collector& out) {
  if (!c.journal.postgresql || c.journal.lease >= 3 * c.delivery.timeout) return;
  auto lease = node.find("lease");
  std::string hint =
      fmt::format("a claim must outlast a send: make 'lease' at least {}s", 3 * c.delivery.timeout.count());
  if (c.delivery.timeout > std::chrono::seconds{1})
    hint += fmt::format(", or 'delivery: {{timeout}}' at most {}s", std::max<long>(c.journal.lease.count() / 3, 1));
  out.error(lease ? lease->mark() : node.mark(),
            fmt::format("'lease' {}s is shorter than 3 times 'delivery: {{timeout}}' ({}s)", c.journal.lease.count(),
                        c.delivery.timeout.count()),
            hint);
}

void read_root(yaml_ref root, config& c, diagnostics_collector& out) {
  if (!check_keys(root, "the config", config_keys, out)) return;
  require_keys(
      root, "the config",
      std::array<required_key, 3>{{{"version", "start the file with 'version: 1'"},
                                   {"calendar", "e.g. calendar: calendar.yaml (relative to this file)"},
                                   {"channels", "define where posts go, e.g. channels: { log: { type: console } }"}}},
      out);
  if (auto v = root.find("version"))
    if (auto text = read_scalar(*v, "'version'", out); text && *text != "1")
      out.error(v->mark(), fmt::format("unsupported version '{}'", *text), "this herald reads version: 1");
  if (auto cal = root.find("calendar"))
    for (auto item : read_list(*cal, "'calendar'", out))
      if (auto path = read_scalar(item, "a calendar path", out)) c.calendars.push_back(resolve_path(c.file, *path));
  if (auto cal = root.find("calendar"); cal && c.calendars.empty())
    out.error(cal->mark(), "'calendar' must name at least one calendar file");
  if (auto dir = root.find("state_dir"))
    if (auto path = read_scalar(*dir, "'state_dir'", out)) c.state_dir = resolve_path(c.file, *path);
  if (auto v = root.find("catch_up"))
    if (auto t = read_parsed(*v, "'catch_up'", parse_catch_up, out)) c.catch_up = *t;
  if (auto d = root.find("delivery")) read_delivery(*d, c.delivery, out);
  if (auto j = root.find("journal")) {
    read_journal(*j, c.journal, out);
    check_lease(*j, c, out);
  }
  if (auto channels = root.find("channels")) {
    if (!channels->is_mapping())
      out.error(channels->mark(),
                channels->is_null() ? "'channels' has no value" : "'channels' must map channel names to their settings",
                "e.g. channels: { log: { type: console } }");
    for (auto& [key, value] : channels->entries())
      if (auto channel = read_channel(key, value, out)) c.channels.push_back(std::move(*channel));
  }
  if (auto http = root.find("http");
      http && check_keys(*http, "'http'", std::array<std::string_view, 1>{"listen"}, out))
    if (auto listen = http->find("listen"))
      if (auto text = read_scalar(*listen, "'listen'", out)) {
        c.http_listen = std::string(*text);
        check_listen(*listen, *text, out);
      }
}

}  // namespace

std::vector<std::string> config::channel_names() const {
  std::vector<std::string> names;
  for (const auto& c : channels) names.push_back(c.name);
  return names;
}

std::variant<std::chrono::seconds, parse_error> parse_duration(std::string_view text) {
  long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  auto unit = ascii_lower(text.substr(static_cast<std::size_t>(end - text.data())));
  long per = unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : unit == "d" ? 86400 : 0;
  if (ec != std::errc{} || end == text.data() || per == 0 || value < 0 || value > 366L * 86400 / per)
    return parse_error{fmt::format("invalid duration '{}'", text), 0, "write a number and a unit: 30s, 10m, 12h or 1d"};
  return std::chrono::seconds{value * per};
}

namespace {

// Messages and hints may name a value of the file; a URL of it is cut
// (docs/cli.md "The config file").
std::vector<diagnostic> redacted(std::vector<diagnostic> found, std::string_view text) {
  for (auto& d : found) {
    d.message = redact_source_urls(d.message, text);
    d.hint = redact_source_urls(d.hint, text);
  }
  return found;
}

// A duplicate key on a line that may hold a secret is named only when it is
// a word a key can be: `Authorization Bearer SECRET` written twice without
// its colon is a value, not a name (docs/cli.md "The config file").
void unname_secret_duplicates(std::vector<diagnostic>& found, const std::vector<int>& hidden_lines) {
  constexpr std::string_view prefix = "duplicate key '";
  for (auto& d : found) {
    if (!std::binary_search(hidden_lines.begin(), hidden_lines.end(), d.mark.line)) continue;
    if (!d.message.starts_with(prefix)) continue;
    auto end = d.message.find("' ", prefix.size());
    if (end == std::string::npos) continue;
    if (is_header_name(std::string_view(d.message).substr(prefix.size(), end - prefix.size()))) continue;
    std::string message = "duplicate key (not repeated here: it may be a secret)";
    message += d.message.substr(end + 1);
    d.message = std::move(message);
  }
}

}  // namespace

config_load_result load_config(std::string_view text, std::string file) {
  // Every duplicate key, in file order, as a calendar reports them
  // (docs/calendar.md "Errors").
  auto document = yaml_document::read_all(text, file);
  diagnostics_collector out(file);
  // Decided from the raw text: the YAML may not parse.
  const auto hidden_lines = config_lines_not_quoted(text);
  for (int line : hidden_lines) out.hide_line(line);
  if (auto* errors = std::get_if<std::vector<diagnostic>>(&document)) {
    unname_secret_duplicates(*errors, hidden_lines);
    for (auto& error : *errors) out.add(std::move(error));
    return {std::nullopt, redacted(out.take(), text)};
  }
  auto& doc = std::get<yaml_document>(document);
  config c;
  c.file = file;
  if (doc.root().is_null())
    out.error({1, 1}, "the config is empty", "start with 'version: 1'");
  else
    read_root(doc.root(), c, out);
  auto warnings = redacted(out.take_warnings(), text);
  if (!out.ok()) return {std::nullopt, redacted(out.take(), text), std::move(warnings)};
  return {std::move(c), {}, std::move(warnings)};
}

config_load_result load_config_file(const std::string& path) {
  auto text = read_text_file(path);
  if (!text.ok()) return {std::nullopt, {diagnostic{path, {0, 0}, text.error(), {}}}};
  return load_config(text.value(), path);
}

}  // namespace herald

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "settings/config.hpp"

using namespace herald;

namespace {

config load_ok(const std::string& channels) {
  auto result = load_config("version: 1\ncalendar: c.yaml\nchannels:\n" + channels, "/etc/herald/herald.yaml");
  for (const auto& error : result.errors) FAIL(error.message);
  REQUIRE(result.value);
  return std::move(*result.value);
}

std::vector<std::string> messages(const std::string& channels) {
  std::vector<std::string> out;
  for (const auto& error : load_config("version: 1\ncalendar: c.yaml\nchannels:\n" + channels, "herald.yaml").errors)
    out.push_back(error.message);
  return out;
}

}  // namespace

TEST_CASE("config: each channel type is its own kind, with its own fields", "[config]") {
  auto cfg = load_ok(
      "  s: { type: slack, url: \"https://hooks.slack.com/services/T/B/x\" }\n"
      "  t: { type: teams, url: {env: TEAMS_URL} }\n"
      "  e: { type: email, server: \"smtps://mail.example.org\", tls: tls, username: u, password: {credential: pw},"
      " from: \"a@example.org\", to: [b@example.org, c@example.org] }\n"
      "  w: { type: webhook, url: \"https://h.example.org/x\", headers: { X-Token: {file: /run/token}, X-A: b } }\n"
      "  c: { type: console }\n"
      "  f: { type: file, path: out/posts.jsonl }\n");
  REQUIRE(cfg.channels.size() == 6);
  CHECK(cfg.channel_names() == std::vector<std::string>{"s", "t", "e", "w", "c", "f"});

  auto& slack = std::get<slack_channel>(cfg.channels[0].kind);
  CHECK(slack.url.from == secret_ref::source::literal);
  CHECK(slack.url.value == "https://hooks.slack.com/services/T/B/x");

  auto& teams = std::get<teams_channel>(cfg.channels[1].kind);
  CHECK(teams.url.from == secret_ref::source::env);
  CHECK(teams.url.value == "TEAMS_URL");

  auto& email = std::get<email_channel>(cfg.channels[2].kind);
  CHECK(email.server == "smtps://mail.example.org");
  CHECK(email.tls == email_channel::tls_mode::tls);
  CHECK(email.username == "u");
  REQUIRE(email.password);
  CHECK(email.password->from == secret_ref::source::credential);
  CHECK(email.password->value == "pw");
  CHECK(email.from == "a@example.org");
  CHECK(email.to == std::vector<std::string>{"b@example.org", "c@example.org"});

  auto& webhook = std::get<webhook_channel>(cfg.channels[3].kind);
  CHECK(webhook.url.value == "https://h.example.org/x");
  REQUIRE(webhook.headers.size() == 2);
  CHECK(webhook.headers[0].first == "X-Token");
  CHECK(webhook.headers[0].second.from == secret_ref::source::file);
  CHECK(webhook.headers[0].second.value == "/run/token");
  CHECK(webhook.headers[1].first == "X-A");
  CHECK(webhook.headers[1].second.value == "b");

  CHECK(std::holds_alternative<console_channel>(cfg.channels[4].kind));
  CHECK(std::get<file_channel>(cfg.channels[5].kind).path == "/etc/herald/out/posts.jsonl");  // beside the config
}

TEST_CASE("config: email tls is starttls unless it says otherwise", "[config]") {
  auto email = [](const std::string& tls) {
    auto cfg =
        load_ok("  e: { type: email, server: \"smtp://127.0.0.1:2525\", from: a@example.org, to: [b@example.org]" +
                tls + " }\n");
    return std::get<email_channel>(cfg.channels.at(0).kind);
  };
  CHECK(email("").tls == email_channel::tls_mode::starttls);
  CHECK(email(", tls: starttls").tls == email_channel::tls_mode::starttls);
  CHECK(email(", tls: tls").tls == email_channel::tls_mode::tls);
  CHECK(email(", tls: none").tls == email_channel::tls_mode::none);  // allowed to a loopback server
  CHECK_FALSE(email("").password);
}

TEST_CASE("config: keys of another type are refused, and still checked", "[config]") {
  CHECK(messages("  s: { type: slack, url: \"https://hooks.slack.com/x\", headers: { X: \"a\\nb\" } }\n") ==
        std::vector<std::string>{"unknown key 'headers' in channel 's'",
                                 "header 'X' holds a line break or control character"});
  CHECK(messages("  s: { type: slack }\n") == std::vector<std::string>{"channel 's' has no 'url'"});
}

TEST_CASE("config: an unknown key of a channel is named only when it is a channel key or a misspelling of one",
          "[config][secrets]") {
  // A secret written without its key is not repeated (docs/cli.md "The config file").
  CHECK(messages("  s: { type: slack, hunter2 }\n") ==
        std::vector<std::string>{"channel 's' has no 'url'",
                                 "an unknown key in channel 's' (not repeated here: it may be a secret)"});
  // "url hunter2" begins with url but is no misspelling of it: the url is missing too.
  CHECK(messages("  s: { type: slack, url hunter2 }\n") ==
        std::vector<std::string>{"channel 's' has no 'url'",
                                 "an unknown key in channel 's' (not repeated here: it may be a secret)"});
  CHECK(messages("  f: { type: file, path outbox.jsonl }\n") ==
        std::vector<std::string>{"channel 'f' has no 'path'",
                                 "an unknown key in channel 'f' (not repeated here: it may be a secret)"});
  CHECK(messages("  s: { type: slack, ulr: x }\n") ==
        std::vector<std::string>{"unknown key 'ulr' in channel 's' (did you mean 'url'?)"});
  CHECK(messages("  e: { type: email, server: \"smtp://m.example.org\", from: a@example.org, to: [b@example.org],"
                 " password hunter2 }\n") ==
        std::vector<std::string>{"an unknown key in channel 'e' (not repeated here: it may be a secret)"});
  CHECK(messages("  s: { type: slack, url: \"https://hooks.slack.com/x\", urll: x }\n") ==
        std::vector<std::string>{"unknown key 'urll' in channel 's' (did you mean 'url'?)"});
  CHECK(messages("  s: { type: slack, url: \"https://hooks.slack.com/x\", pasword: x }\n") ==
        std::vector<std::string>{"unknown key 'pasword' in channel 's'"});
  auto journal = load_config(
      "version: 1\ncalendar: c.yaml\nchannels: { c: { type: console } }\n"
      "journal: { postgresql: {env: J}, hunter2, leese: 1m }\n",
      "herald.yaml");
  REQUIRE(journal.errors.size() == 2);
  CHECK(journal.errors[0].message == "an unknown key in 'journal' (not repeated here: it may be a secret)");
  CHECK(journal.errors[0].hint == "known keys: postgresql, replica, lease");
  CHECK(journal.errors[1].message == "unknown key 'leese' in 'journal' (did you mean 'lease'?)");
}

TEST_CASE("config: an SMTP server with a user name or password in it, or invalid, is refused and not repeated",
          "[config][secrets]") {
  auto email = [](const std::string& server) {
    return messages("  e: { type: email, server: \"" + server + "\", from: a@example.org, to: [b@example.org] }\n");
  };
  const std::vector<std::string> userinfo{
      "the SMTP server holds a user name or password (not repeated here: it may be a secret)"};
  // The credentials have their keys (username, password); a server with
  // them would be printed by describe(), the dry run and send-test.
  CHECK(email("smtp://user:hunter2@mail.example.org:587") == userinfo);
  CHECK(email("SMTPS://user@mail.example.org") == userinfo);
  CHECK(email("smtp://user:hunt/er2@mail.example.org") == userinfo);
  CHECK(email("user:hunter2@mail.example.org:587") == userinfo);
  CHECK(email("a@b:hunter2@mail.example.org") == userinfo);
  const std::vector<std::string> invalid{"invalid SMTP server (not repeated here: it may be a secret)"};
  CHECK(email("mail.example.org:587") == invalid);
  CHECK(email("https://hooks.slack.com/services/T000/B000/hunter2") == invalid);
  auto hint = load_config(
      "version: 1\ncalendar: c.yaml\nchannels:\n"
      "  e: { type: email, server: \"smtp://u:hunter2@m.example.org\", from: a@example.org, to: [b@example.org] }\n",
      "herald.yaml");
  REQUIRE(hint.errors.size() == 1);
  CHECK(hint.errors[0].hint.find("username:") != std::string::npos);
  CHECK(hint.errors[0].hint.find("password:") != std::string::npos);
  CHECK(hint.errors[0].hint.find("hunter2") == std::string::npos);
}

TEST_CASE("config: delivery defaults are scheduling's", "[config]") {
  auto cfg = load_ok("  c: { type: console }\n");
  CHECK(cfg.catch_up == delivery_defaults::catch_up);
  CHECK(cfg.catch_up == std::chrono::hours{12});
  CHECK(cfg.delivery.attempts == delivery_defaults::attempts);
  CHECK(cfg.delivery.attempts == 8);
  CHECK(cfg.delivery.timeout == delivery_defaults::timeout);
  CHECK(cfg.delivery.timeout == std::chrono::seconds{10});
  CHECK(cfg.delivery.rate_per_second == delivery_defaults::rate_per_second);
  CHECK(cfg.delivery.rate_per_second == 1.0);
}

TEST_CASE("config: delivery.burst is read, 1 by default, and a whole number from 1 to 100", "[config]") {
  CHECK(load_ok("  c: { type: console }\n").delivery.burst == delivery_defaults::burst);
  CHECK(delivery_defaults::burst == 1);
  auto with = [](std::string_view burst) {
    return load_config(fmt::format("version: 1\ncalendar: c.yaml\nchannels:\n  c: {{ type: console }}\n"
                                   "delivery: {{ burst: {} }}\n",
                                   burst),
                       "/etc/herald/herald.yaml");
  };
  auto ten = with("10");
  REQUIRE(ten.value);
  CHECK(ten.value->delivery.burst == 10);
  for (auto bad : {"0", "101", "many"}) {
    auto refused = with(bad);
    CHECK_FALSE(refused.value);
    REQUIRE(refused.errors.size() == 1);
    CHECK(refused.errors.front().message == fmt::format("invalid burst '{}'", bad));
  }
}

TEST_CASE("config: tls: none to a name that starts like a loopback address is refused", "[config][loopback]") {
  auto refused = messages(
      "  e: { type: email, server: \"smtp://127.0.0.1.evil.example:25\", tls: none, from: a@example.org, "
      "to: [b@example.org] }\n");
  REQUIRE(refused.size() == 1);
  CHECK(refused[0].starts_with("tls: none sends mail and passwords in the clear"));
}

TEST_CASE("config: a URL scheme is read in any case, and the loopback and tls rules hold for every case",
          "[config][loopback]") {
  auto cfg = load_ok(
      "  s: { type: slack, url: \"HTTPS://hooks.example.org/x\" }\n"
      "  w: { type: webhook, url: \"Http://127.0.0.1:8080/hook\" }\n"
      "  e: { type: email, server: \"SMTPS://mail.example.org\", from: a@example.org, to: [b@example.org] }\n"
      "  l: { type: email, server: \"SMTP://127.0.0.1:2525\", tls: none, from: a@example.org, to: [b@example.org] "
      "}\n");
  CHECK(cfg.channels.size() == 4);
  CHECK(messages("  s: { type: slack, url: \"HTTP://127.0.0.1.evil.example/hook\" }\n") ==
        std::vector<std::string>{
            "the url of channel 's' must use https (plain http is allowed only to a loopback host)"});
  CHECK(messages("  s: { type: slack, url: \"HTTP://hooks.example.org/hook\" }\n") ==
        messages("  s: { type: slack, url: \"http://hooks.example.org/hook\" }\n"));
  auto refused = messages(
      "  e: { type: email, server: \"SMTP://127.0.0.1.evil.example:25\", tls: none, from: a@example.org, "
      "to: [b@example.org] }\n");
  REQUIRE(refused.size() == 1);
  CHECK(refused[0].starts_with("tls: none sends mail and passwords in the clear"));
}

TEST_CASE("config: http.listen is refused as the status server refuses it, and every interface warns",
          "[config][listen]") {
  auto load = [](const std::string& listen) {
    return load_config(fmt::format("version: 1\ncalendar: c.yaml\nchannels:\n  log: {{type: console}}\n"
                                   "http: {{listen: \"{}\"}}\n",
                                   listen),
                       "herald.yaml");
  };
  for (auto [listen, why] : std::initializer_list<std::pair<std::string, std::string>>{
           {"18470", "no host"},
           {"127.0.0.1", "no port"},
           {":99999", "no host"},
           {"example.org:80", "the host is not an IP address"}}) {
    auto loaded = load(listen);
    INFO(listen);
    CHECK_FALSE(loaded.value);
    REQUIRE(loaded.errors.size() == 1);
    CHECK(loaded.errors[0].message == fmt::format("http.listen '{}': {}", listen, why));
    CHECK(loaded.errors[0].hint.starts_with("write HOST:PORT"));
  }
  for (std::string listen : {"0.0.0.0:8470", "[::]:8470", "[0:0::0]:8470"}) {
    auto loaded = load(listen);
    INFO(listen);
    CHECK(loaded.value);
    REQUIRE(loaded.warnings.size() == 1);
    CHECK(loaded.warnings[0].message.find("listens on every interface") != std::string::npos);
  }
  for (std::string listen : {"127.0.0.1:8470", "[::1]:0", "localhost:8470"}) {
    auto loaded = load(listen);
    CHECK(loaded.value);
    CHECK(loaded.warnings.empty());
  }
}

TEST_CASE("config: journal names a shared PostgreSQL journal by a secret, with a replica name and a lease",
          "[config]") {
  auto with = [](const std::string& journal) {
    return load_config("version: 1\ncalendar: c.yaml\ndelivery: {timeout: 1s}\njournal: " + journal +
                           "\nchannels:\n  log: {type: console}\n",
                       "herald.yaml");
  };
  auto none = load_ok("  log: {type: console}\n");
  CHECK_FALSE(none.journal.postgresql);

  auto shared = with("{postgresql: {env: HERALD_JOURNAL_URL}, replica: web-1, lease: 3s}");
  REQUIRE(shared.value);
  REQUIRE(shared.value->journal.postgresql);
  CHECK(shared.value->journal.postgresql->from == secret_ref::source::env);
  CHECK(shared.value->journal.postgresql->value == "HERALD_JOURNAL_URL");
  CHECK(shared.value->journal.replica == "web-1");
  CHECK(shared.value->journal.lease == std::chrono::seconds{3});
  auto defaults = with("{postgresql: {credential: journal-url}}");
  REQUIRE(defaults.value);
  CHECK(defaults.value->journal.replica.empty());  // the daemon's default: the hostname
  CHECK(defaults.value->journal.lease == std::chrono::seconds{30});

  auto first_error = [&](const std::string& journal) {
    auto loaded = with(journal);
    REQUIRE_FALSE(loaded.errors.empty());
    return loaded.errors.front().message;
  };
  CHECK(first_error("{postgresql: {env: X}, lease: 1s}") == "lease '1s' is out of range");
  CHECK(first_error("{postgres: {env: X}}").find("postgres") != std::string::npos);
  CHECK(first_error("{replica: web-1}") == "'replica' and 'lease' are for a shared journal");
  // A claim must outlast a send: a lease of at least 3 times delivery.timeout.
  auto short_lease = load_config(
      "version: 1\ncalendar: c.yaml\ndelivery: {timeout: 2s}\njournal: {postgresql: {env: X}, lease: 5s}\n"
      "channels:\n  log: {type: console}\n",
      "herald.yaml");
  REQUIRE(short_lease.errors.size() == 1);
  CHECK(short_lease.errors.front().message == "'lease' 5s is shorter than 3 times 'delivery: {timeout}' (2s)");
  CHECK(short_lease.errors.front().hint ==
        "a claim must outlast a send: make 'lease' at least 6s, or 'delivery: {timeout}' at most 1s");
  auto long_timeout = load_config(
      "version: 1\ncalendar: c.yaml\ndelivery: {timeout: 11s}\njournal: {postgresql: {env: X}}\n"
      "channels:\n  log: {type: console}\n",
      "herald.yaml");
  REQUIRE(long_timeout.errors.size() == 1);  // the default lease, 30s
  CHECK(long_timeout.errors.front().message == "'lease' 30s is shorter than 3 times 'delivery: {timeout}' (11s)");
  // A literal URL is read, and its line is never quoted in an error.
  const std::string text =
      "version: 1\ncalendar: c.yaml\njournal: {postgresql: \"postgresql://u:pw-secret@db/herald\", lease: nope}\n"
      "channels:\n  log: {type: console}\n";
  auto literal = load_config(text, "herald.yaml");
  REQUIRE_FALSE(literal.errors.empty());
  for (const auto& error : literal.errors) CHECK(format_diagnostic(error, text).find("pw-secret") == std::string::npos);
}

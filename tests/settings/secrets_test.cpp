#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <fmt/format.h>

#include "settings/config.hpp"
#include "settings/secrets.hpp"

using namespace herald;
namespace fs = std::filesystem;

TEST_CASE("secrets: plain, env, file and credential sources", "[secrets]") {
  auto dir = fs::temp_directory_path() / ("herald-secrets-" + std::to_string(::getpid()));
  fs::create_directories(dir / "creds");
  std::ofstream(dir / "password") << "s3cret\n";
  std::ofstream(dir / "creds" / "teams-url") << "https://example.webhook.office.com/x?sig=abc";
  secret_sources sources;
  auto creds = (dir / "creds").string();
  sources.getenv = [&](const char* name) -> const char* {
    if (std::string_view(name) == "HOOK") return "https://hooks.example.org/t0k3n";
    if (std::string_view(name) == "EMPTY") return "";
    if (std::string_view(name) == "CREDENTIALS_DIRECTORY") return creds.c_str();
    return nullptr;
  };
  CHECK(resolve_secret({secret_ref::source::literal, "abc"}, sources).value() == "abc");
  CHECK(resolve_secret({secret_ref::source::env, "HOOK"}, sources).value() == "https://hooks.example.org/t0k3n");
  CHECK(resolve_secret({secret_ref::source::file, (dir / "password").string()}, sources).value() == "s3cret");
  CHECK(resolve_secret({secret_ref::source::credential, "teams-url"}, sources).value() ==
        "https://example.webhook.office.com/x?sig=abc");
  auto missing = resolve_secret({secret_ref::source::env, "NOPE"}, sources);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error() == "environment variable NOPE is not set");
  CHECK(resolve_secret({secret_ref::source::env, "EMPTY"}, sources).error() == "environment variable EMPTY is empty");
  std::ofstream(dir / "empty") << "\n";
  CHECK(resolve_secret({secret_ref::source::file, (dir / "empty").string()}, sources).error() ==
        "secret file " + (dir / "empty").string() + " is empty");
  auto no_file = resolve_secret({secret_ref::source::credential, "absent"}, sources);
  REQUIRE_FALSE(no_file.ok());
  CHECK(no_file.error().starts_with("credential absent: cannot read"));
  sources.getenv = [](const char*) -> const char* { return nullptr; };
  CHECK(resolve_secret({secret_ref::source::credential, "x"}, sources).error() ==
        "credential x needs $CREDENTIALS_DIRECTORY (systemd's LoadCredential=)");
  fs::remove_all(dir);
}

TEST_CASE("secrets: URLs are shown without their credential parts", "[secrets]") {
  CHECK(redact_url("https://hooks.slack.com/services/T000/B000/XXXX") == "https://hooks.slack.com/…");
  CHECK(redact_url(
            "https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=SECRET") ==
        "https://prod-12.westeurope.logic.azure.com:443/…");
  CHECK(redact_url("https://user:pw@example.org") == "https://example.org/…");
  CHECK(redact_url("https://example.org/") == "https://example.org/");
  CHECK(redact_url("not a url") == "(a URL)");
}

TEST_CASE("secrets: a redacted URL's scheme is in lower case, however the config wrote it", "[secrets]") {
  // RFC 3986 §3.1: a scheme is case-insensitive, and herald posts to HTTPS:// as to https://;
  // the logs name the channel's URL the same way whichever the file has.
  CHECK(redact_url("HTTPS://hooks.slack.com/services/T000/B000/XXXX") == "https://hooks.slack.com/…");
  CHECK(redact_url("Https://example.org/") == "https://example.org/");
  CHECK(redact_url("SMTP://mail.example.org:587") == "smtp://mail.example.org:587/");
}

TEST_CASE("secrets: posts go over https, or http to loopback only", "[secrets]") {
  CHECK(check_post_url("https://hooks.slack.com/services/x").ok());
  CHECK(check_post_url("http://127.0.0.1:8080/hook").ok());
  CHECK(check_post_url("http://localhost/hook").ok());
  CHECK(check_post_url("http://hooks.example.org/x").error() ==
        "must use https (plain http is allowed only to a loopback host)");
  CHECK(check_post_url("ftp://example.org/x").error() == "must be an https URL, not ftp");
  // A "scheme" that may be a secret is not repeated (docs/cli.md "The config file").
  CHECK(check_post_url("hunter2-x://hooks.example.org/x").error() ==
        "must be an https URL; write e.g. https://hooks.example.org/herald");
  CHECK(check_post_url("hooks.slack.com/x").error() == "is not a URL; write e.g. https://hooks.example.org/herald");
  // A URL that carries a login or a token: only its scheme, in lower case.
  for (auto [url, scheme] : {std::pair{"FTP://user:SECRET@example.org/x", "ftp"},
                             {"Wss://hooks.example.org/services/T0/B0/SECRET?sig=SECRET", "wss"},
                             {"SmTpS://SECRET@mail.example.org", "smtps"}}) {
    INFO(url);
    CHECK(check_post_url(url).error() == fmt::format("must be an https URL, not {}", scheme));
  }
}

TEST_CASE("secrets: loopback is a literal loopback address or localhost, not a name that starts like one",
          "[secrets][loopback]") {
  for (auto host : {"127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "[::1]", "::1"}) {
    INFO(host);
    CHECK(is_loopback_host(host));
  }
  for (auto host : {"127.0.0.1.evil.example", "127.evil.example", "127.0.0.1:80", "localhost.evil.example", "128.0.0.1",
                    "[::2]", ""}) {
    INFO(host);
    CHECK_FALSE(is_loopback_host(host));
  }
  CHECK_FALSE(check_post_url("http://127.0.0.1.evil.example/hook").ok());
  CHECK(check_post_url("HTTP://127.0.0.1.evil.example/hook").error() ==
        check_post_url("http://127.0.0.1.evil.example/hook").error());
  CHECK(check_post_url("HTTPS://hooks.example.org/hook").ok());  // RFC 3986: a scheme is case-insensitive
  CHECK(check_post_url("HTTP://127.0.0.1:8080/hook").ok());
  CHECK(check_post_url("FTP://example.org/x").error() == "must be an https URL, not ftp");
  CHECK(check_post_url("http://[::1]:8080/hook").ok());
  CHECK(check_post_url("https://127.0.0.1.nip.io/hook").ok());  // https goes anywhere
  // The log names the host the post goes to, not the loopback it starts like.
  CHECK(redact_url("http://127.0.0.1.evil.example/hook") == "http://127.0.0.1.evil.example/…");
  CHECK(redact_url("http://127.0.0.1.evil.example:81/hook") == "http://127.0.0.1.evil.example:81/…");
  CHECK(redact_url("http://127.0.0.1.evil.example") == "http://127.0.0.1.evil.example/");
}

TEST_CASE("secrets: a config error never quotes the line of a literal secret", "[secrets]") {
  auto result = load_config(
      "version: 1\ncalendar: c.yaml\nchannels:\n"
      "  a: { type: slak, url: \"https://hooks.slack.com/services/T/B/SECRET\" }\n"
      "  b: { type: webhook, url: \"https://h.example.org/x\", headers: { Authorization: \"Bearer SECRET\" }, extra: 1 "
      "}\n",
      "herald.yaml");
  REQUIRE(result.errors.size() == 2);
  for (const auto& d : result.errors) {
    auto text = format_diagnostic(d, "version: 1\ncalendar: c.yaml\nchannels:\n  a: SECRET\n  b: SECRET\n");
    CHECK(text.find("SECRET") == std::string::npos);
  }
}

#pragma once
// Secrets of the config (docs/channels.md): a plain string, {env: NAME},
// {file: PATH} or {credential: NAME} ($CREDENTIALS_DIRECTORY/NAME, systemd's
// LoadCredential=). Resolving returns the value or an error that names where
// the secret should have come from, never the value itself.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "settings/config.hpp"
#include "text/result.hpp"

namespace herald {

struct secret_sources {
  std::function<const char*(const char*)> getenv = [](const char* name) -> const char* { return std::getenv(name); };
};

/// The secret's value; a file's or credential's final line break is dropped.
/// Fails with where it should have come from: "environment variable
/// SLACK_URL is not set".
result<std::string> resolve_secret(const secret_ref& secret, const secret_sources& sources = {});

/// Where a secret comes from, for messages: "a literal", "{env: SLACK_URL}".
std::string describe_secret(const secret_ref& secret);

/// A URL as logs may show it: scheme, host and port, then "…" when there is
/// more (the Slack path and the Teams `sig=` query are the credential):
/// `https://hooks.slack.com/…`, the scheme in lower case (`HTTPS://` shows
/// as `https://`). Anything unparsable becomes "(a URL)".
std::string redact_url(std::string_view url);

/// True when `value` holds a control character other than tab: such a value
/// would split an HTTP header (header injection).
bool has_control_character(std::string_view value);

/// localhost, 127.0.0.0/8 or ::1.
bool is_loopback_host(std::string_view host);

/// Whether `url` is an http(s) URL herald may post to: https, or http to a
/// loopback host; the failure completes "the url ...": "must use https (...)".
result<void> check_post_url(std::string_view url);

}  // namespace herald

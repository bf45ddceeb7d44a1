#include "settings/secrets.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <boost/url/parse.hpp>

#include "text/file.hpp"

namespace herald {
namespace {

std::string without_final_newline(std::string text) {
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (!text.empty() && text.back() == '\r') text.pop_back();
  return text;
}

result<std::string> from_file(const std::string& path, std::string_view what) {
  auto text = read_text_file(path);
  if (!text.ok()) return failure{fmt::format("{}: {}", what, text.error())};
  return without_final_newline(std::move(text).value());
}

}  // namespace

bool has_control_character(std::string_view value) {
  return std::any_of(value.begin(), value.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7f;
  });
}

bool is_loopback_host(std::string_view host) {
  return host == "localhost" || host.starts_with("127.") || host == "[::1]" || host == "::1";
}

result<std::string> resolve_secret(const secret_ref& secret, const secret_sources& sources) {
  switch (secret.from) {
    case secret_ref::source::literal:
      return secret.value;
    case secret_ref::source::env:
      if (const char* value = sources.getenv(secret.value.c_str()); value && *value) return std::string(value);
      return failure{fmt::format("environment variable {} is not set", secret.value)};
    case secret_ref::source::file:
      return from_file(secret.value, fmt::format("secret file {}", secret.value));
    case secret_ref::source::credential: {
      const char* dir = sources.getenv("CREDENTIALS_DIRECTORY");
      if (!dir || !*dir)
        return failure{
            fmt::format("credential {} needs $CREDENTIALS_DIRECTORY (systemd's LoadCredential=)", secret.value)};
      return from_file(std::string(dir) + "/" + secret.value, fmt::format("credential {}", secret.value));
    }
  }
  return failure{"unknown secret source"};
}

std::string describe_secret(const secret_ref& secret) {
  switch (secret.from) {
    case secret_ref::source::literal:
      return "a literal";
    case secret_ref::source::env:
      return fmt::format("{{env: {}}}", secret.value);
    case secret_ref::source::file:
      return fmt::format("{{file: {}}}", secret.value);
    case secret_ref::source::credential:
      return fmt::format("{{credential: {}}}", secret.value);
  }
  return "a secret";
}

std::string redact_url(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || !parsed->has_authority()) return "(a URL)";
  auto shown = fmt::format("{}://{}", parsed->scheme(), parsed->encoded_host_and_port());
  bool more = !parsed->encoded_path().empty() && parsed->encoded_path() != "/";
  more = more || parsed->has_query() || parsed->has_fragment() || parsed->has_userinfo();
  return shown + (more ? "/…" : "/");
}

result<void> check_post_url(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || !parsed->has_authority() || parsed->encoded_host().empty())
    return failure{"is not a URL; write e.g. https://hooks.example.org/herald"};
  auto scheme = parsed->scheme();
  if (scheme == "https") return {};
  if (scheme == "http" && is_loopback_host(parsed->encoded_host())) return {};
  if (scheme == "http") return failure{"must use https (plain http is allowed only to a loopback host)"};
  return failure{fmt::format("must be an https URL, not {}", std::string(scheme))};
}

}  // namespace herald

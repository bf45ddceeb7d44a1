#include "settings/secrets.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>

#include <fmt/format.h>
#include <boost/url/parse.hpp>

#include "text/file.hpp"
#include "text/strings.hpp"

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
  auto value = without_final_newline(std::move(text).value());
  if (value.empty()) return failure{fmt::format("{} is empty", what)};
  return value;
}

}  // namespace

bool has_control_character(std::string_view value) {
  return std::any_of(value.begin(), value.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7f;
  });
}

// Only a literal loopback address or the name localhost: a prefix test let
// 127.0.0.1.evil.example (a public name) pass for the local machine.
bool is_loopback_host(std::string_view host) {
  if (iequals(host, "localhost")) return true;
  if (host.starts_with('[') && host.ends_with(']')) host = host.substr(1, host.size() - 2);
  std::string text(host);
  in_addr v4{};
  if (::inet_pton(AF_INET, text.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return ::inet_pton(AF_INET6, text.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

result<std::string> resolve_secret(const secret_ref& secret, const secret_sources& sources) {
  switch (secret.from) {
    case secret_ref::source::literal:
      return secret.value;
    case secret_ref::source::env:
      if (const char* value = sources.getenv(secret.value.c_str()); value && *value) return std::string(value);
      // Set but empty is a different mistake (an EnvironmentFile= line without its value).
      return failure{fmt::format("environment variable {} is {}", secret.value,
                                 sources.getenv(secret.value.c_str()) ? "empty" : "not set")};
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

// Boost.URL 1.81 reads http://127.0.0.1.evil.example/x as the host
// 127.0.0.1 and the path ".evil.example/x"; after an authority a path is
// empty or starts with '/' (RFC 3986 path-abempty), so such a parse is a
// host it did not understand, never a loopback one.
namespace {

bool host_parsed_whole(const boost::urls::url_view& url) {
  auto path = url.encoded_path();
  return path.empty() || path.front() == '/';
}

// The host and port as written, with what Boost took for the path's start.
std::string host_and_port(const boost::urls::url_view& url) {
  std::string shown(url.encoded_host_and_port());
  if (!host_parsed_whole(url)) {
    std::string_view path = url.encoded_path();
    shown += path.substr(0, path.find('/'));
  }
  return shown;
}

}  // namespace

std::string redact_url(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || !parsed->has_authority()) return "(a URL)";
  // A scheme is case-insensitive (RFC 3986 §3.1): `HTTPS://` in the config
  // logs as `https://`, so the logs read the same whichever the file has.
  auto shown = fmt::format("{}://{}", ascii_lower(parsed->scheme()), host_and_port(*parsed));
  auto path = parsed->encoded_path();
  bool more = !path.empty() && path != "/" && (host_parsed_whole(*parsed) || path.find('/') != std::string_view::npos);
  more = more || parsed->has_query() || parsed->has_fragment() || parsed->has_userinfo();
  return shown + (more ? "/…" : "/");
}

result<void> check_post_url(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || !parsed->has_authority() || parsed->encoded_host().empty())
    return failure{"is not a URL; write e.g. https://hooks.example.org/herald"};
  // RFC 3986 §3.1: a scheme is case-insensitive, and curl takes HTTPS://
  // as https://; the loopback rule holds for HTTP:// as for http://.
  std::string_view scheme = parsed->scheme();
  auto lower = ascii_lower(scheme);
  if (lower == "https") return {};
  if (lower == "http" && host_parsed_whole(*parsed) && is_loopback_host(parsed->encoded_host())) return {};
  if (lower == "http") return failure{"must use https (plain http is allowed only to a loopback host)"};
  // The grammar of a scheme lets a secret through ("hunter2://host"): only
  // a scheme in use elsewhere is named (docs/cli.md "The config file").
  constexpr std::array<std::string_view, 10> named = {"http", "https", "ftp",   "ftps", "ws",
                                                      "wss",  "smtp",  "smtps", "file", "sftp"};
  if (std::find(named.begin(), named.end(), lower) == named.end())
    return failure{"must be an https URL; write e.g. https://hooks.example.org/herald"};
  // In lower case, as redact_url writes it: the error says which scheme,
  // and repeats nothing of the value as written (docs/cli.md "The config file").
  return failure{fmt::format("must be an https URL, not {}", lower)};
}

}  // namespace herald

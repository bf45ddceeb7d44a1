// How a curl transfer ended, as a delivery outcome (docs/daemon.md
// "Delivery rules").
//
// Outcome details end up in logs; a webhook URL is a secret. So the details
// are built from curl's error codes, curl's error text only with any token
// that could be part of a URL removed, and every detail (also the service's
// own answer) is scrubbed of the request URL's path, query and credentials.

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "messaging/curl_transfer.hpp"
#include "messaging/wire.hpp"
#include "text/strings.hpp"

namespace herald {
namespace {

// Replaces every secret in `detail` by "…".
std::string scrub(std::string detail, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    constexpr std::string_view elided = "\u2026";
    for (auto at = detail.find(secret); at != std::string::npos; at = detail.find(secret, at + elided.size()))
      detail.replace(at, secret.size(), elided);
  }
  return detail;
}

// curl's error text without any word that could be part of a URL (curl
// names URLs, hosts with credentials and paths in some messages).
std::string safe_curl_text(const transfer& t, CURLcode code) {
  std::string_view text = trim(t.error);
  if (text.empty()) return curl_easy_strerror(code);
  std::string out;
  for (std::size_t at = 0; at < text.size();) {
    auto end = std::min(text.find(' ', at), text.size());
    auto word = text.substr(at, end - at);
    bool urlish = word.find_first_of("/?#@=&%\\") != std::string_view::npos;
    if (!out.empty()) out += ' ';
    out += urlish ? std::string_view("\u2026") : word;
    at = end + 1;
  }
  return out;
}

// Whether the whole request went out before the transfer ended: the
// HTTP headers and body (curl counts both), or the SMTP message to its
// last byte (the read callback handed it all over), with no answer yet.
bool sent_whole(const transfer& t) {
  long answer = 0;
  curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &answer);
  if (t.kind == transfer::protocol::smtp) return !t.payload.empty() && t.uploaded == t.payload.size();
  if (answer != 0) return false;
  long request_size = 0;
  curl_off_t body_sent = 0;
  curl_easy_getinfo(t.easy, CURLINFO_REQUEST_SIZE, &request_size);
  curl_easy_getinfo(t.easy, CURLINFO_SIZE_UPLOAD_T, &body_sent);
  return request_size > 0 && body_sent >= static_cast<curl_off_t>(t.payload.size());
}

// A transfer that ended without an answer to classify.
delivery_outcome curl_failure(const transfer& t, CURLcode code, std::chrono::seconds timeout) {
  using kind = delivery_outcome::kind;
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT: {
      // The service may have taken it and be slow to say so: "unknown", not
      // a plain failure (docs/daemon.md "Delivery rules").
      if (!sent_whole(t)) return make_outcome(kind::transient, fmt::format("timed out after {} s", timeout.count()));
      auto outcome = make_outcome(
          kind::transient,
          fmt::format("no answer within {} s after the whole request was sent: it may have arrived", timeout.count()));
      outcome.unanswered = true;
      return outcome;
    }
    case CURLE_COULDNT_CONNECT: {
      long os_error = 0;
      curl_easy_getinfo(t.easy, CURLINFO_OS_ERRNO, &os_error);
      if (os_error == ECONNREFUSED) return make_outcome(kind::transient, "connection refused");
      if (os_error == 0) return make_outcome(kind::transient, "could not connect");
      return make_outcome(kind::transient,
                          fmt::format("could not connect: {}", std::strerror(static_cast<int>(os_error))));
    }
    case CURLE_COULDNT_RESOLVE_HOST:
      return make_outcome(kind::transient, "could not resolve the host name");
    case CURLE_GOT_NOTHING:
      return make_outcome(kind::transient, "the server closed the connection without answering");
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return make_outcome(kind::permanent, "unusable URL: " + safe_curl_text(t, code));
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      return make_outcome(kind::permanent, "TLS: " + safe_curl_text(t, code));
    case CURLE_USE_SSL_FAILED:
      return make_outcome(kind::permanent, "the server does not offer STARTTLS");
    case CURLE_LOGIN_DENIED:
      return make_outcome(kind::permanent, "login refused: " + safe_curl_text(t, code));
    default:
      return make_outcome(kind::transient, safe_curl_text(t, code));
  }
}

// The server's words for reply `code`: its last line with that code (curl
// sends QUIT after a failure, so the very last line is usually "221 Bye").
std::string reply_text(const transfer& t, long code, CURLcode result) {
  auto prefix = fmt::format("{}", code);
  for (auto line = t.smtp_replies.rbegin(); line != t.smtp_replies.rend(); ++line)
    if (line->starts_with(prefix)) return *line;
  return safe_curl_text(t, result);
}

delivery_outcome judge_smtp(const transfer& t, CURLcode code, std::chrono::seconds timeout) {
  long reply = 0;
  curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &reply);
  auto said = reply_text(t, reply, code);
  if (code == CURLE_OK) return classify_smtp(reply >= 200 ? reply : 250, said);
  // A refused STARTTLS (454) may pass; a server without it will not change.
  if (code == CURLE_USE_SSL_FAILED && !(reply >= 400 && reply <= 499)) return curl_failure(t, code, timeout);
  // RCPT 550, DATA 451, AUTH 535…: the server's code decides.
  if (reply >= 400) return classify_smtp(reply, said);
  return curl_failure(t, code, timeout);
}

}  // namespace

// The parts of a URL that may be secret, longest first: credentials, path,
// query (a Slack or Teams webhook is its path; some webhooks sign in the
// query), and their pieces, should a service echo only some of them.
std::vector<std::string> secret_parts(std::string_view url) {
  std::vector<std::string> parts;
  auto scheme_end = url.find("://");
  auto authority = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  auto tail = std::min(url.find_first_of("/?#", authority), url.size());
  auto host = url.substr(authority, tail - authority);
  if (auto at = host.rfind('@'); at != std::string_view::npos) {
    auto userinfo = host.substr(0, at);
    auto colon = std::min(userinfo.find(':'), userinfo.size());
    parts.insert(parts.end(), {std::string(userinfo), std::string(userinfo.substr(0, colon)),
                               std::string(userinfo.substr(std::min(colon + 1, userinfo.size())))});
  }
  auto rest = url.substr(tail);
  parts.emplace_back(rest);
  if (auto query = rest.find_first_of("?#"); query != std::string_view::npos)
    parts.insert(parts.end(), {std::string(rest.substr(0, query)), std::string(rest.substr(query + 1))});
  for (std::size_t start = 0; start < rest.size();) {  // long segments: tokens
    auto end = std::min(rest.find_first_of("/?#&=", start), rest.size());
    if (end - start >= 8) parts.emplace_back(rest.substr(start, end - start));
    start = end + 1;
  }
  std::erase_if(parts, [](const std::string& part) { return part.size() < 2; });
  std::sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  return parts;
}

// Header values shorter than this are not taken for secrets: scrubbing a
// "1" or "edi" would blot out the rest of the answer.
constexpr std::size_t min_header_secret = 6;

void add_header_secret(std::vector<std::string>& secrets, std::string_view value) {
  value = trim(value);
  if (value.size() >= min_header_secret) secrets.emplace_back(value);
  if (auto space = value.find(' '); space != std::string_view::npos)
    if (auto token = trim(value.substr(space + 1)); token.size() >= min_header_secret) secrets.emplace_back(token);
}

void with_encoded_forms(std::vector<std::string>& secrets) {
  auto count = secrets.size();
  for (std::size_t i = 0; i < count; ++i) {
    auto encoded = base64(secrets[i]);
    while (encoded.ends_with('=')) encoded.pop_back();  // the unpadded form is found in both
    if (encoded.size() >= 4) secrets.push_back(std::move(encoded));
  }
  std::sort(secrets.begin(), secrets.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

delivery_outcome make_outcome(delivery_outcome::kind kind, std::string detail) {
  delivery_outcome out;
  out.result = kind;
  out.detail = std::move(detail);
  return out;
}

delivery_outcome judge_transfer(const transfer& t, CURLcode code, std::chrono::seconds timeout, date::sys_seconds now) {
  delivery_outcome outcome;
  if (t.kind == transfer::protocol::smtp) {
    outcome = judge_smtp(t, code, timeout);
  } else if (code == CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
    outcome = classify_http(status, t.retry_after, t.response, now);
  } else {
    outcome = curl_failure(t, code, timeout);
  }
  if (t.secrets) outcome.detail = scrub(std::move(outcome.detail), *t.secrets);
  return outcome;
}

}  // namespace herald

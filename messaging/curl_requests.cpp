// Setting up one transfer per channel kind: an HTTP POST (Slack, Teams,
// webhooks) or an SMTP submission (email), and the libcurl callbacks that
// collect each one's answer.

#include <algorithm>
#include <cstring>

#include "messaging/curl_transfer.hpp"
#include "text/strings.hpp"

namespace herald {
namespace {

constexpr std::size_t max_response_body = 64 * 1024;

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto& t = *static_cast<transfer*>(user);
  auto bytes = size * count;
  // Past the cap the answer is read and dropped, so the connection stays usable.
  t.response.append(data, std::min(bytes, max_response_body - t.response.size()));
  return bytes;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto& t = *static_cast<transfer*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) t.retry_after.clear();  // a new answer (after 1xx)
  constexpr std::string_view name = "retry-after:";
  if (istarts_with(line, name)) t.retry_after = trim(line.substr(name.size()));
  return size * count;
}

size_t on_upload(char* buffer, size_t size, size_t count, void* user) {
  auto& t = *static_cast<transfer*>(user);
  auto bytes = std::min(size * count, t.payload.size() - t.uploaded);
  std::memcpy(buffer, t.payload.data() + t.uploaded, bytes);
  t.uploaded += bytes;
  return bytes;
}

// With CURLOPT_VERBOSE, curl hands us the server's SMTP replies; the last
// one explains a failure better than curl's "RCPT failed: 550".
int on_debug(CURL*, curl_infotype type, char* data, size_t size, void* user) {
  if (type != CURLINFO_HEADER_IN) return 0;
  auto& t = *static_cast<transfer*>(user);
  auto line = trim(std::string_view(data, size));
  if (line.size() < 3 || line[0] < '0' || line[0] > '9') return 0;
  if (t.smtp_replies.size() == 8) t.smtp_replies.erase(t.smtp_replies.begin());
  t.smtp_replies.emplace_back(line);
  return 0;
}

}  // namespace

std::optional<delivery_outcome> prepare_http(transfer& t, http_request request) {
  t.url = std::move(request.url);
  t.payload = std::move(request.body);
  if (!t.easy) return make_outcome(delivery_outcome::kind::transient, "out of memory");

  // "Expect:" turns off curl's 100-continue wait for bodies over 1 KiB.
  std::vector<std::string> lines{"Content-Type: " + request.content_type, "Expect:"};
  for (auto& [name, value] : request.headers)
    lines.push_back(value.empty() ? name + ";" : name + ": " + value);  // "Name;" sends an empty value
  for (const auto& line : lines) {
    if (has_line_break(line)) return make_outcome(delivery_outcome::kind::permanent, "a header holds a line break");
    t.list = curl_slist_append(t.list, line.c_str());
  }

  curl_easy_setopt(t.easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(t.easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(t.easy, CURLOPT_POST, 1L);
  curl_easy_setopt(t.easy, CURLOPT_POSTFIELDS, t.payload.data());
  curl_easy_setopt(t.easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t.payload.size()));
  curl_easy_setopt(t.easy, CURLOPT_HTTPHEADER, t.list);
  curl_easy_setopt(t.easy, CURLOPT_USERAGENT, "herald");
  curl_easy_setopt(t.easy, CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(t.easy, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(t.easy, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(t.easy, CURLOPT_HEADERDATA, &t);
  return std::nullopt;
}

std::optional<delivery_outcome> prepare_smtp(transfer& t, smtp_submission submission) {
  using kind = delivery_outcome::kind;
  t.url = std::move(submission.server);
  t.payload = std::move(submission.message);
  if (!t.easy) return make_outcome(kind::transient, "out of memory");
  if (submission.recipients.empty()) return make_outcome(kind::permanent, "no recipients");

  // An address is sent as an SMTP command: a line break would add commands.
  bool broken = has_line_break(submission.mail_from);
  for (const auto& rcpt : submission.recipients) {
    broken = broken || has_line_break(rcpt);
    t.list = curl_slist_append(t.list, rcpt.c_str());
  }
  if (broken) return make_outcome(kind::permanent, "an address holds a line break");

  curl_easy_setopt(t.easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  // starttls and tls never fall back to plain text.
  bool plain = submission.tls == smtp_submission::tls_mode::none;
  curl_easy_setopt(t.easy, CURLOPT_USE_SSL, static_cast<long>(plain ? CURLUSESSL_NONE : CURLUSESSL_ALL));
  if (!submission.username.empty()) {
    curl_easy_setopt(t.easy, CURLOPT_USERNAME, submission.username.c_str());
    curl_easy_setopt(t.easy, CURLOPT_PASSWORD, submission.password.c_str());
  }
  curl_easy_setopt(t.easy, CURLOPT_MAIL_FROM, submission.mail_from.c_str());
  curl_easy_setopt(t.easy, CURLOPT_MAIL_RCPT, t.list);
  curl_easy_setopt(t.easy, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(t.easy, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(t.payload.size()));
  curl_easy_setopt(t.easy, CURLOPT_READFUNCTION, &on_upload);
  curl_easy_setopt(t.easy, CURLOPT_READDATA, &t);
  curl_easy_setopt(t.easy, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt(t.easy, CURLOPT_DEBUGFUNCTION, &on_debug);
  curl_easy_setopt(t.easy, CURLOPT_DEBUGDATA, &t);
  return std::nullopt;
}

}  // namespace herald

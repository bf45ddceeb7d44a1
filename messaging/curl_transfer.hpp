#pragma once
// One libcurl transfer (a POST or an SMTP submission) and what is done
// with it outside the reactor: setting it up per channel kind
// (curl_requests.cpp) and judging how it ended (curl_outcome.cpp).
// Internal to the messaging library; curl_transport.cpp drives transfers.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <curl/curl.h>
#include <date/date.h>

#include "messaging/curl_transport.hpp"
#include "messaging/delivery_outcome.hpp"
#include "messaging/scrub_lists.hpp"
#include "messaging/wire.hpp"

namespace herald {

// One POST or SMTP submission in flight. Owns its easy handle (the
// transport may take it back for the next transfer; then `easy` is null).
struct transfer {
  enum class protocol { http, smtp };
  /// `handle`: a fresh or reset easy handle; null when none could be made.
  transfer(protocol kind, CURL* handle) : kind(kind), easy(handle) {}
  ~transfer() {
    if (easy) curl_easy_cleanup(easy);
    curl_slist_free_all(list);
  }
  transfer(const transfer&) = delete;
  transfer& operator=(const transfer&) = delete;

  protocol kind;
  CURL* easy;
  curl_transport::handler done;
  std::string url;
  std::string host;                       ///< host_of(url): its place in the transport's host_queue
  std::string payload;                    ///< the POST body or the whole message
  std::size_t uploaded = 0;               ///< of payload, by the SMTP read callback
  curl_slist* list = nullptr;             ///< HTTP headers or SMTP recipients
  scrub_lists::list secrets;              ///< text no detail may contain (set before prepare_*)
  std::string response;                   ///< the start of the HTTP answer's body
  std::string retry_after;                ///< the HTTP answer's Retry-After
  std::vector<std::string> smtp_replies;  ///< the SMTP server's last reply lines
  char error[CURL_ERROR_SIZE] = {};
};

/// The parts of a URL that may be secret, longest first, for scrubbing.
std::vector<std::string> secret_parts(std::string_view url);
/// Adds a configured header's value to `secrets`: the whole value and,
/// for "Bearer TOKEN" or "Basic …", the part after the scheme word.
void add_header_secret(std::vector<std::string>& secrets, std::string_view value);
/// Adds the base64 form of each secret (userinfo goes out as
/// `Authorization: Basic base64(user:password)`), then sorts them longest
/// first so that a longer secret is scrubbed before a part of it.
void with_encoded_forms(std::vector<std::string>& secrets);

/// An outcome with `kind` and `detail`.
delivery_outcome make_outcome(delivery_outcome::kind kind, std::string detail);

/// Fills `t` (easy handle options, headers, callbacks) to POST `request`;
/// `t.secrets` is the caller's (scrub_lists).
/// An outcome when it cannot be sent at all (the transfer is not started).
std::optional<delivery_outcome> prepare_http(transfer& t, http_request request);

/// Fills `t` to submit `submission` by SMTP; an outcome when it cannot.
std::optional<delivery_outcome> prepare_smtp(transfer& t, smtp_submission submission);

/// How a transfer ended, `code` being curl's result, with every secret
/// of `t` scrubbed from the detail.
delivery_outcome judge_transfer(const transfer& t, CURLcode code, std::chrono::seconds timeout, date::sys_seconds now);

}  // namespace herald

#pragma once
// What each kind of channel sends (docs/channels.md), built from a post. Pure:
// no I/O, no clock (the caller passes "now" for the email Date header).

#include <string>
#include <vector>

#include <date/date.h>

#include "messaging/post_content.hpp"
#include "messaging/wire.hpp"
#include "text/result.hpp"

namespace herald {

/// The JSON object of §3.1 (webhook body, console and file lines):
/// {"key","event","title","text","subject","date","end_date","url","due","channel"}.
std::string post_json(const post_content& post);

/// Slack incoming webhook: `text` fallback + Block Kit header (≤150 chars),
/// mrkdwn section (& < > escaped, ≤3000 chars, cut at a word with "…"), and a
/// button to the url when there is one.
http_request slack_request(const post_content& post, const std::string& webhook_url);

/// Teams Workflows webhook: a message with an Adaptive Card 1.4 attachment
/// (title TextBlock, wrapped message TextBlock, Action.OpenUrl to the url).
http_request teams_request(const post_content& post, const std::string& webhook_url);

/// Generic webhook: post_json() with `Idempotency-Key: <post key>` and the
/// configured headers.
http_request webhook_request(const post_content& post, const std::string& url,
                             const std::vector<std::pair<std::string, std::string>>& headers);

struct email_settings {
  std::string server;
  smtp_submission::tls_mode tls = smtp_submission::tls_mode::starttls;
  std::string username;
  std::string password;
  std::string from;             ///< "EDI Network <edi@example.org>" or a bare address
  std::vector<std::string> to;  ///< addresses, maybe with display names
  std::string domain;           ///< for Message-ID; default: the From address's domain
};

/// An RFC 5322 message: From, To, Subject (RFC 2047 when not ASCII; display
/// names encoded, addresses never), Date, Message-ID (from the post key),
/// MIME-Version, UTF-8 text/plain, CRLF. A CR or LF in any header value is
/// a failure (its message says which header), never sent.
result<smtp_submission> email_submission(const post_content& post, const email_settings& settings,
                                         date::sys_seconds now);

}  // namespace herald

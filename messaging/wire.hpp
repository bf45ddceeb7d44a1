#pragma once
// What goes on the wire for one post: an HTTP POST or an SMTP submission,
// fully built, so the transport only moves bytes.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace herald {

/// RFC 4648 base64, padded: email encoded-words, and the form a secret takes
/// in an `Authorization: Basic` header that a service may echo.
std::string base64(std::string_view bytes);

struct http_request {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  ///< besides Content-Type
  std::string content_type = "application/json";
  std::string body;
};

struct smtp_submission {
  enum class tls_mode { starttls, tls, none };
  std::string server;  ///< smtp://host:port or smtps://host:port
  tls_mode tls = tls_mode::starttls;
  std::string username;  ///< empty: no AUTH
  std::string password;
  std::string mail_from;                ///< bare address for MAIL FROM
  std::vector<std::string> recipients;  ///< bare addresses for RCPT TO
  std::string message;                  ///< the whole RFC 5322 message, CRLF line ends
};

}  // namespace herald

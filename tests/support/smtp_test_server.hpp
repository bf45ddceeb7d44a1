#pragma once
// A real SMTP server for the transport tests: tests/support/smtp_test_server.py
// (aiosmtpd, Debian's python3-aiosmtpd) run by /usr/bin/python3 on
// 127.0.0.1 and an ephemeral port, for as long as this object lives.
//
// It records each accepted message (envelope, the login that sent it, whether
// it came over TLS, and the bytes as received). It can require AUTH, offer
// only some mechanisms, refuse every RCPT or every message with a chosen
// reply, and offer (and require) STARTTLS, or speak TLS from the start, with a
// self-signed certificate for 127.0.0.1 made at start with openssl.
//
// Thread-safe: a reader thread collects the script's output.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace herald::test {

class smtp_test_server {
 public:
  struct options {
    std::string username;       ///< non-empty: AUTH required, with this user…
    std::string password;       ///< …and this password
    std::string mechanisms;     ///< AUTH mechanisms offered ("PLAIN", "LOGIN"); empty: both
    std::string rcpt_reply;     ///< non-empty: every RCPT gets this, e.g. "550 5.1.1 no such user"
    std::string data_reply;     ///< non-empty: every message gets this, e.g. "451 4.3.0 try later"
    bool starttls = false;      ///< offer and require STARTTLS; see ca_file()
    bool implicit_tls = false;  ///< TLS from the first byte (smtps://); see ca_file()
  };

  struct message {
    std::string mail_from;
    std::vector<std::string> rcpt_tos;
    std::string login;  ///< the AUTH user name, "" without AUTH
    bool tls = false;   ///< came after STARTTLS
    std::string data;   ///< as received, dot-stuffing undone
  };

  /// Starts the server and waits (10 s at most) until it listens; throws
  /// std::runtime_error when it does not.
  explicit smtp_test_server(options opts);
  smtp_test_server();
  ~smtp_test_server();
  smtp_test_server(const smtp_test_server&) = delete;
  smtp_test_server& operator=(const smtp_test_server&) = delete;

  unsigned short port() const;
  /// "smtp://127.0.0.1:PORT", or smtps:// with implicit_tls.
  std::string url() const;
  /// The self-signed certificate (a CA file for the client) with either TLS.
  std::string ca_file() const;

  /// Waits until `count` messages were accepted; false when `limit` passes first.
  bool wait_for_messages(std::size_t count, std::chrono::milliseconds limit = std::chrono::seconds{10}) const;
  std::vector<message> messages() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace herald::test

#include <catch2/catch.hpp>

#include <chrono>

#include "messaging/payloads.hpp"

using namespace herald;

namespace {

// Tuesday 26 May 2026, 08:30:00 UTC.
const date::sys_seconds now =
    date::sys_days{date::year{2026} / 5 / 26} + std::chrono::hours{8} + std::chrono::minutes{30};

post_content sample_post() {
  post_content post;
  post.key = "inwed/2027-06-23/-28d/edi-team-email";
  post.event = "inwed";
  post.title = "International Women in Engineering Day";
  post.subject = "International Women in Engineering Day in four weeks";
  post.text = "INWED is on Wednesday 23 June 2027.\nTime to line up speakers = blogs.\n";
  post.channel = "edi-team-email";
  return post;
}

email_settings sample_settings() {
  email_settings settings;
  settings.server = "smtp://mail.example.org:587";
  settings.tls = smtp_submission::tls_mode::starttls;
  settings.username = "herald";
  settings.password = "hunter2";
  settings.from = "EDI Network <edi@example.org>";
  settings.to = {"members@example.org"};
  return settings;
}

smtp_submission submit_ok(const post_content& post, const email_settings& settings) {
  auto result = email_submission(post, settings, now);
  if (!result.ok()) FAIL("unexpected error: " << result.error());
  return std::move(result).value();
}

std::string submit_error(const post_content& post, const email_settings& settings) {
  auto result = email_submission(post, settings, now);
  if (result.ok()) FAIL("expected an error, got a message");
  return result.error();
}

std::string base64_decode(std::string_view text) {
  constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned bits = 0, count = 0;
  for (char c : text) {
    if (c == '=') break;
    auto value = alphabet.find(c);
    REQUIRE(value != std::string_view::npos);
    bits = (bits << 6) | static_cast<unsigned>(value);
    if ((count += 6) >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xff);
    }
  }
  return out;
}

struct encoded_word {
  std::size_t at, length;
  std::string base64;
};

// Every "=?UTF-8?B?…?=" in `text`.
std::vector<encoded_word> find_encoded_words(const std::string& text) {
  constexpr std::string_view open = "=?UTF-8?B?";
  std::vector<encoded_word> words;
  for (auto at = text.find(open); at != std::string::npos; at = text.find(open, at + 1)) {
    auto close = text.find("?=", at + open.size());
    REQUIRE(close != std::string::npos);
    auto base64 = text.substr(at + open.size(), close - at - open.size());
    REQUIRE(base64.find_first_of(" \r\n") == std::string::npos);
    words.push_back({at, close + 2 - at, base64});
  }
  return words;
}

// The header's value unfolded (RFC 5322 §2.2.3), then RFC 2047 decoded:
// the whitespace between two adjacent encoded-words is dropped (§6.2).
std::string decode_header(const std::string& message, const std::string& name) {
  auto start = message.find("\r\n" + name + ": ");
  REQUIRE(start != std::string::npos);
  start += name.size() + 4;
  std::string value;
  for (auto at = start;;) {
    auto end = message.find("\r\n", at);
    value += message.substr(at, end - at);
    if (message[end + 2] != ' ' && message[end + 2] != '\t') break;
    at = end + 2;
  }
  std::string out;
  bool after_word = false;
  std::size_t pos = 0;
  for (const auto& word : find_encoded_words(value)) {
    auto between = value.substr(pos, word.at - pos);
    if (!(after_word && between.find_first_not_of(" \t") == std::string::npos)) out += between;
    out += base64_decode(word.base64);
    pos = word.at + word.length;
    after_word = true;
  }
  return out + value.substr(pos);
}

std::string header_lines(const std::string& message) { return message.substr(0, message.find("\r\n\r\n") + 2); }

std::string quoted_printable_decode(std::string_view body) {
  std::string out;
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '=') {
      out += body[i];
    } else if (body.substr(i + 1, 2) == "\r\n") {
      i += 2;
    } else {
      out += static_cast<char>(std::stoi(std::string(body.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    }
  }
  return out;
}

void check_crlf_only(const std::string& message) {
  for (std::size_t i = 0; i < message.size(); ++i) {
    if (message[i] == '\n') CHECK((i > 0 && message[i - 1] == '\r'));
    if (message[i] == '\r') CHECK((i + 1 < message.size() && message[i + 1] == '\n'));
  }
}

void check_line_lengths(const std::string& message, std::size_t limit) {
  std::size_t start = 0;
  while (start < message.size()) {
    auto end = message.find("\r\n", start);
    INFO(message.substr(start, end - start));
    CHECK(end - start <= limit);
    start = end + 2;
  }
}

}  // namespace

TEST_CASE("email: an ASCII post, byte for byte", "[email]") {
  auto submission = submit_ok(sample_post(), sample_settings());
  CHECK(submission.message ==
        "Date: Tue, 26 May 2026 08:30:00 +0000\r\n"
        "Message-ID: <herald.inwed.2027-06-23.-28d.edi-team-email@example.org>\r\n"
        "From: EDI Network <edi@example.org>\r\n"
        "To: members@example.org\r\n"
        "Subject: International Women in Engineering Day in four weeks\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=UTF-8\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n"
        "\r\n"
        "INWED is on Wednesday 23 June 2027.\r\n"
        "Time to line up speakers =3D blogs.\r\n");
  check_crlf_only(submission.message);
}

TEST_CASE("email: the envelope holds bare addresses and the server settings", "[email]") {
  auto settings = sample_settings();
  settings.to = {"Jörg Müller <jorg@example.org>", "members@example.org", "<board@example.org>"};
  settings.tls = smtp_submission::tls_mode::tls;
  auto submission = submit_ok(sample_post(), settings);
  CHECK(submission.server == "smtp://mail.example.org:587");
  CHECK(submission.tls == smtp_submission::tls_mode::tls);
  CHECK(submission.username == "herald");
  CHECK(submission.password == "hunter2");
  CHECK(submission.mail_from == "edi@example.org");
  CHECK(submission.recipients ==
        std::vector<std::string>{"jorg@example.org", "members@example.org", "board@example.org"});
  CHECK(submission.message.find("hunter2") == std::string::npos);
}

TEST_CASE("email: a non-ASCII subject is RFC 2047, byte for byte and decoded", "[email]") {
  auto post = sample_post();
  post.subject = "Grüße aus Köln";
  auto message = submit_ok(post, sample_settings()).message;
  CHECK(message.find("\r\nSubject: =?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?=\r\n") != std::string::npos);
  CHECK(decode_header(message, "Subject") == "Grüße aus Köln");
}

TEST_CASE("email: a long non-ASCII subject is split into short encoded-words", "[email]") {
  // Given 4-byte emoji, a ZWJ sequence and accents: no word may split a character.
  auto post = sample_post();
  post.subject =
      "Célébrons la Journée internationale des femmes ingénieures 👩\u200d🔬 — ensemble, "
      "avec 😀😀😀😀😀😀😀😀😀😀 et «guillemets»";
  auto message = submit_ok(post, sample_settings()).message;
  CHECK(decode_header(message, "Subject") == post.subject);
  check_line_lengths(header_lines(message), 76);
  check_crlf_only(message);
  auto headers = header_lines(message);
  int words = 0;
  for (const auto& word : find_encoded_words(headers)) {
    ++words;
    CHECK(word.length <= 75);
    auto bytes = base64_decode(word.base64);
    // Whole characters: the first byte leads, the last sequence is complete.
    auto is_continuation = [](char c) { return (static_cast<unsigned char>(c) & 0xc0) == 0x80; };
    CHECK_FALSE(is_continuation(bytes.front()));
    auto last_lead = bytes.size() - 1;
    while (last_lead > 0 && is_continuation(bytes[last_lead])) --last_lead;
    auto lead = static_cast<unsigned char>(bytes[last_lead]);
    std::size_t expected = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    CHECK(bytes.size() - last_lead == expected);
  }
  CHECK(words > 3);
}

TEST_CASE("email: display names are encoded when not ASCII, addresses never", "[email]") {
  auto settings = sample_settings();
  settings.from = "Jörg Müller <jorg@example.org>";
  settings.to = {"Ana Núñez <ana@example.org>", "members@example.org"};
  auto message = submit_ok(sample_post(), settings).message;
  CHECK(message.find("\r\nFrom: =?UTF-8?B?SsO2cmcgTcO8bGxlcg==?= <jorg@example.org>\r\n") != std::string::npos);
  CHECK(decode_header(message, "From") == "Jörg Müller <jorg@example.org>");
  CHECK(decode_header(message, "To") == "Ana Núñez <ana@example.org>, members@example.org");
  CHECK(message.find("Message-ID: <herald.inwed.2027-06-23.-28d.edi-team-email@example.org>") != std::string::npos);
  check_crlf_only(message);
}

TEST_CASE("email: ASCII display names with specials are quoted", "[email]") {
  auto settings = sample_settings();
  settings.from = "\"Network, EDI\" <edi@example.org>";
  settings.to = {"J. \"Jo\" Smith <jo@example.org>"};
  auto message = submit_ok(sample_post(), settings).message;
  CHECK(message.find("\r\nFrom: \"Network, EDI\" <edi@example.org>\r\n") != std::string::npos);
  CHECK(message.find("\r\nTo: \"J. \\\"Jo\\\" Smith\" <jo@example.org>\r\n") != std::string::npos);
}

TEST_CASE("email: many recipients fold the To header", "[email]") {
  auto settings = sample_settings();
  settings.to.clear();
  for (int i = 0; i < 8; ++i) settings.to.push_back("recipient" + std::to_string(i) + "@example.org");
  auto message = submit_ok(sample_post(), settings).message;
  check_line_lengths(header_lines(message), 76);
  CHECK(message.find("To: recipient0@example.org, recipient1@example.org, recipient2@example.org,\r\n "
                     "recipient3@example.org,") != std::string::npos);
}

TEST_CASE("email: a long ASCII subject folds at spaces", "[email]") {
  auto post = sample_post();
  post.subject = "A very long subject that goes on and on about International Women in Engineering Day and more";
  auto message = submit_ok(post, sample_settings()).message;
  check_line_lengths(header_lines(message), 76);
  CHECK(decode_header(message, "Subject") == post.subject);
  CHECK(message.find("=?") == std::string::npos);
}

TEST_CASE("email: a subject that looks like an encoded-word is encoded", "[email]") {
  auto post = sample_post();
  post.subject = "=?UTF-8?B?SGk=?= is not a greeting";
  auto message = submit_ok(post, sample_settings()).message;
  CHECK(decode_header(message, "Subject") == post.subject);
}

TEST_CASE("email: the body is quoted-printable with CRLF and short lines", "[email]") {
  auto post = sample_post();
  post.text = "Grüße!\r\nFrom here on = more\rtrailing space \n" + std::string(200, 'x') + "\n\nlast";
  auto message = submit_ok(post, sample_settings()).message;
  check_crlf_only(message);
  check_line_lengths(message, 76);
  auto body = message.substr(message.find("\r\n\r\n") + 4);
  CHECK(body.starts_with("Gr=C3=BC=C3=9Fe!\r\n=46rom here on =3D more\r\ntrailing space=20\r\n"));
  CHECK(quoted_printable_decode(body) ==
        "Grüße!\r\nFrom here on = more\r\ntrailing space \r\n" + std::string(200, 'x') + "\r\n\r\nlast\r\n");
}

TEST_CASE("email: a line break in the subject is refused, never sent", "[email]") {
  auto post = sample_post();
  post.subject = "Hello\r\nBcc: x@evil.example";
  CHECK(submit_error(post, sample_settings()) == "email Subject: contains a line break (CR or LF); not sent");
  post.subject = "Hello\nBcc: x@evil.example";
  CHECK(submit_error(post, sample_settings()).starts_with("email Subject:"));
  post.subject = "Hello\rBcc: x@evil.example";
  CHECK(submit_error(post, sample_settings()).starts_with("email Subject:"));
}

TEST_CASE("email: a line break in From, To or a display name is refused", "[email]") {
  auto settings = sample_settings();
  settings.from = "EDI\r\nBcc: x@evil.example <edi@example.org>";
  CHECK(submit_error(sample_post(), settings) == "email From: contains a line break (CR or LF); not sent");
  settings = sample_settings();
  settings.to = {"members@example.org", "a@example.org\nBcc: x@evil.example"};
  CHECK(submit_error(sample_post(), settings) == "email To (recipient 2): contains a line break (CR or LF); not sent");
}

TEST_CASE("email: implausible addresses are refused", "[email]") {
  for (std::string bad :
       {"edi.example.org", "EDI <edi.example.org>", "@example.org", "edi@", "edi@@example.org", "e di@example.org",
        "EDI <edi@example.org", "edi@exa mple.org", "édi@example.org", "edi@example..org", ".edi@example.org"}) {
    INFO(bad);
    auto settings = sample_settings();
    settings.from = bad;
    CHECK(submit_error(sample_post(), settings).starts_with("email From: not a plausible address"));
  }
  auto settings = sample_settings();
  settings.to = {};
  CHECK(submit_error(sample_post(), settings) == "email To: no recipients; not sent");
}

TEST_CASE("email: errors never repeat the password", "[email]") {
  auto settings = sample_settings();
  settings.password = "hunter2";
  settings.to = {"hunter2"};
  CHECK(submit_error(sample_post(), settings).find("hunter2") == std::string::npos);
}

TEST_CASE("email: Message-ID is stable for a key and differs between keys", "[email]") {
  auto message_id = [](std::string key, std::string domain = {}) {
    auto post = sample_post();
    post.key = std::move(key);
    auto settings = sample_settings();
    settings.domain = std::move(domain);
    auto message = submit_ok(post, settings).message;
    auto start = message.find("Message-ID: ");
    return message.substr(start + 12, message.find("\r\n", start) - start - 12);
  };
  CHECK(message_id("inwed/2027-06-23/-28d/edi") == message_id("inwed/2027-06-23/-28d/edi"));
  CHECK(message_id("inwed/2027-06-23/-28d/edi") != message_id("inwed/2027-06-23/-28d/staff"));
  CHECK(message_id("inwed/2027-06-23/+1d/edi") == "<herald.inwed.2027-06-23.=2B1d.edi@example.org>");
  // Separators and look-alikes stay apart: '.' and '=' are always escaped.
  CHECK(message_id("a/b/0d/c.d") != message_id("a/b/0d/c/d"));
  CHECK(message_id("a/b/0d/c.d") == "<herald.a.b.0d.c=2Ed@example.org>");
  CHECK(message_id("a/b/0d/c d_e") == "<herald.a.b.0d.c=20d=5Fe@example.org>");
  CHECK(message_id("a//b") == "<herald.a=2F=2Fb@example.org>");
  CHECK(message_id("a/b/0d/c", "mail.example.net") == "<herald.a.b.0d.c@mail.example.net>");
}

TEST_CASE("email: the Date header is RFC 5322 in UTC", "[email]") {
  auto at = date::sys_days{date::year{2027} / 1 / 3} + std::chrono::hours{23} + std::chrono::minutes{5} +
            std::chrono::seconds{9};
  auto result = email_submission(sample_post(), sample_settings(), at);
  REQUIRE(result.ok());
  auto message = result.value().message;
  CHECK(message.starts_with("Date: Sun, 3 Jan 2027 23:05:09 +0000\r\n"));
}

// The email channel's message (docs/channels.md): an RFC 5322 message that
// libcurl submits as is (it dot-stuffs; nothing here does).
//
// Header values come from the calendar (subject) and the config (From, To);
// a line break in any of them could smuggle in a header of its own (Bcc:),
// so it is an error, never escaped or stripped.

#include <algorithm>
#include <string_view>

#include <fmt/format.h>

#include "messaging/payloads.hpp"
#include "text/civil.hpp"
#include "text/mailbox.hpp"
#include "text/post_key.hpp"
#include "text/strings.hpp"
#include "text/utf8.hpp"

namespace herald {
namespace {

// RFC 2047 §2: a line holding an encoded-word is at most 76 characters; the
// other header lines keep to it too (RFC 5322 asks for 78).
constexpr std::size_t max_header_line = 76;
// Bytes of UTF-8 per encoded-word: 39 bytes are 52 base64 characters, a
// 64-character word, which fits after "Subject: " within 76.
constexpr std::size_t encoded_word_bytes = 39;
// A plain word longer than this would make a line past RFC 5322's 998.
constexpr std::size_t max_plain_word = 900;

// Bytes in the UTF-8 sequence at `at` (1 for a stray byte).
std::size_t sequence_length(std::string_view text, std::size_t at) {
  return std::max<std::size_t>(decode_utf8(text, at).length, 1);
}

// RFC 2047 B encoding, in words that each hold whole characters (§5).
std::vector<std::string> encoded_words(std::string_view text) {
  std::vector<std::string> words;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = start;
    while (end < text.size()) {
      auto next = std::min(end + sequence_length(text, end), text.size());
      if (next - start > encoded_word_bytes) break;
      end = next;
    }
    words.push_back("=?UTF-8?B?" + base64(text.substr(start, end - start)) + "?=");
    start = end;
  }
  return words;
}

bool is_printable_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  for (std::size_t start = 0;;) {
    auto space = text.find(' ', start);
    words.emplace_back(text.substr(start, space - start));
    if (space == std::string_view::npos) return words;
    start = space + 1;
  }
}

// Unstructured text (the Subject) as header pieces: plain words when that is
// faithful, else encoded-words ("=?" must be encoded too, or a reader would
// try to decode it).
std::vector<std::string> unstructured(std::string_view text) {
  auto words = split_words(text);
  bool plain = is_printable_ascii(text) && text.find("=?") == std::string_view::npos &&
               std::all_of(words.begin(), words.end(), [](const auto& w) { return w.size() <= max_plain_word; });
  return plain ? words : encoded_words(text);
}

// A display name as header pieces: atoms, one quoted-string, or encoded-words.
std::vector<std::string> phrase(std::string_view name) {
  auto words = split_words(name);
  bool atoms = std::all_of(words.begin(), words.end(), [](const std::string& w) {
    return !w.empty() && w.size() <= max_plain_word && std::all_of(w.begin(), w.end(), is_atext);
  });
  if (atoms) return words;
  if (!is_printable_ascii(name) || name.find("=?") != std::string_view::npos || name.size() > max_plain_word)
    return encoded_words(name);
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return {quoted + '"'};
}

// "Name: piece piece…\r\n", folded before a piece that would pass the line
// limit. An empty piece (two spaces in a row) is never folded before: a
// line of only blanks is not allowed.
std::string header(std::string_view name, const std::vector<std::string>& pieces) {
  std::string out = fmt::format("{}:", name);
  auto line = out.size();
  for (const auto& piece : pieces) {
    if (!piece.empty() && line > name.size() + 1 && line + 1 + piece.size() > max_header_line) {
      out += "\r\n";
      line = 0;
    }
    out += ' ';
    out += piece;
    line += 1 + piece.size();
  }
  return out + "\r\n";
}

std::vector<std::string> mailbox_pieces(const mailbox& box) {
  if (box.display.empty()) return {box.address};
  auto pieces = phrase(box.display);
  pieces.push_back(fmt::format("<{}>", box.address));
  return pieces;
}

// RFC 5322 §3.3 in UTC, with English names whatever the process locale.
std::string rfc5322_date(date::sys_seconds now) {
  auto day = date::floor<date::days>(now);
  date::year_month_day ymd{day};
  date::hh_mm_ss time{now - day};
  return fmt::format("{}, {} {} {} {:02}:{:02}:{:02} +0000", weekday_short_name(date::weekday{day}),
                     static_cast<unsigned>(ymd.day()), month_name(ymd.month()).substr(0, 3),
                     static_cast<int>(ymd.year()), time.hours().count(), time.minutes().count(),
                     time.seconds().count());
}

// The post key as a Message-ID's left part, readable and one-to-one, so a
// resend of a post carries the same id: letters, digits and '-' stay, the
// separator between two parts of the key becomes '.', any other byte is
// "=XX" ('=' is atext; '.' and '=' never stand for themselves). The result is
// a valid dot-atom. Any text gets one, so the key is taken as text and not
// parsed: only the separator comes from text/post_key.hpp.
std::string message_id_left(std::string_view key) {
  constexpr char slash = post_key::separator;
  std::string out = key.empty() ? "herald" : "herald.";
  for (std::size_t i = 0; i < key.size(); ++i) {
    char c = key[i];
    bool separator = c == slash && i > 0 && i + 1 < key.size() && key[i - 1] != slash && key[i + 1] != slash;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')
      out += c;
    else if (separator)
      out += '.';
    else
      out += fmt::format("={:02X}", static_cast<unsigned char>(c));
  }
  return out;
}

// One line of the body, quoted-printable (RFC 2045 §6.7): lines of at most
// 76 characters with soft breaks, '=' and 8-bit bytes as =XX, a blank at
// the end of the line encoded so no transport strips it. "From " at the
// start is encoded too, or an mbox would turn it into ">From ".
void append_quoted_printable_line(std::string& out, std::string_view line) {
  std::size_t length = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    auto c = static_cast<unsigned char>(line[i]);
    bool last = i + 1 == line.size();
    bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last);
    if (i == 0 && line.starts_with("From ")) literal = false;
    auto token = literal ? std::string(1, static_cast<char>(c)) : fmt::format("={:02X}", c);
    if (length + token.size() > 75) {  // room for the soft break's '='
      out += "=\r\n";
      length = 0;
    }
    out += token;
    length += token.size();
  }
  out += "\r\n";
}

// The text with any line ending (LF, CRLF, CR) as CRLF, quoted-printable.
std::string quoted_printable(std::string_view text) {
  std::string out;
  while (!text.empty()) {
    auto end = text.find_first_of("\r\n");
    append_quoted_printable_line(out, text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + (text.substr(end, 2) == "\r\n" ? 2 : 1));
  }
  return out;
}

std::string domain_of(std::string_view address) { return std::string(address.substr(address.rfind('@') + 1)); }

struct addresses {
  mailbox from;
  std::vector<mailbox> to;
};

result<addresses> parse_addresses(const email_settings& settings) {
  addresses out;
  auto from = parse_mailbox(settings.from, "From");
  if (!from.ok()) return failure{from.error()};
  out.from = std::move(from).value();
  if (settings.to.empty()) return failure{"email To: no recipients; not sent"};
  for (std::size_t i = 0; i < settings.to.size(); ++i) {
    auto to = parse_mailbox(settings.to[i], fmt::format("To (recipient {})", i + 1));
    if (!to.ok()) return failure{to.error()};
    out.to.push_back(std::move(to).value());
  }
  return out;
}

std::string to_header(const std::vector<mailbox>& to) {
  std::vector<std::string> pieces;
  for (std::size_t i = 0; i < to.size(); ++i) {
    auto more = mailbox_pieces(to[i]);
    if (i + 1 < to.size()) more.back() += ',';
    pieces.insert(pieces.end(), more.begin(), more.end());
  }
  return header("To", pieces);
}

}  // namespace

result<smtp_submission> email_submission(const post_content& post, const email_settings& settings,
                                         date::sys_seconds now) {
  if (has_line_break(post.subject)) return failure{"email Subject: contains a line break (CR or LF); not sent"};
  auto parsed = parse_addresses(settings);
  if (!parsed.ok()) return failure{parsed.error()};
  auto& [from, to] = parsed.value();
  auto domain = settings.domain.empty() ? domain_of(from.address) : settings.domain;
  if (!plausible_domain(domain))
    return failure{"email Message-ID: the domain is not a plausible domain name; not sent"};

  smtp_submission out{settings.server, settings.tls, settings.username, settings.password, from.address, {}, {}};
  for (const auto& box : to) out.recipients.push_back(box.address);
  out.message = header("Date", {rfc5322_date(now)}) +
                header("Message-ID", {fmt::format("<{}@{}>", message_id_left(post.key), domain)}) +
                header("From", mailbox_pieces(from)) + to_header(to) + header("Subject", unstructured(post.subject)) +
                "MIME-Version: 1.0\r\n"
                "Content-Type: text/plain; charset=UTF-8\r\n"
                "Content-Transfer-Encoding: quoted-printable\r\n"
                "\r\n" +
                quoted_printable(post.text);
  return out;
}

std::string base64(std::string_view bytes) {
  constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    unsigned chunk = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) chunk |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) chunk |= static_cast<unsigned char>(bytes[i + 2]);
    out += alphabet[(chunk >> 18) & 63];
    out += alphabet[(chunk >> 12) & 63];
    out += i + 1 < bytes.size() ? alphabet[(chunk >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? alphabet[chunk & 63] : '=';
  }
  return out;
}

}  // namespace herald

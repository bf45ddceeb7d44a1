// The HTTP channels' bodies (docs/channels.md). Email lives in email_message.cpp.
//
// The Teams and webhook bodies are built as Boost.JSON values and
// serialised; the Slack body, sent for most posts, is written directly with
// append_json_string, which escapes exactly as Boost.JSON does.

#include "messaging/payloads.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "text/json_string.hpp"
#include "text/strings.hpp"
#include "text/utf8.hpp"

namespace herald {
namespace json = boost::json;
namespace {

// Slack's Block Kit limits, in characters.
constexpr std::size_t slack_header_limit = 150;
constexpr std::size_t slack_section_limit = 3000;
constexpr std::size_t slack_url_limit = 3000;
constexpr std::string_view ellipsis = "\u2026";
constexpr std::string_view button_label = "Find out more";

// Slack limits "characters" without saying which; UTF-16 code units are
// never fewer than code points, so counting them can only err on the safe side.
std::size_t slack_width(char32_t c) { return c >= 0x10000 ? 2 : 1; }

// Code points that belong to the character before them: cutting before one
// would leave a bare base letter or half an emoji (ZWJ sequences, skin tones,
// variation selectors, combining accents).
bool extends_previous(char32_t c) {
  return (c >= 0x0300 && c <= 0x036f) || c == 0x200d || (c >= 0xfe00 && c <= 0xfe0f) ||
         (c >= 0x1f3fb && c <= 0x1f3ff) || (c >= 0xe0020 && c <= 0xe007f);
}

bool is_space(char32_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// mrkdwn's three control characters (Slack: "escape only these").
std::string_view mrkdwn_escape(char32_t c) {
  switch (c) {
    case '&':
      return "&amp;";
    case '<':
      return "&lt;";
    case '>':
      return "&gt;";
    default:
      return {};
  }
}

// One character of the text as it will be sent.
struct piece {
  std::string_view source;   // its bytes in the input
  std::string_view escaped;  // its replacement, when escaped
  char32_t value;
  std::size_t width;
};

std::vector<piece> split_pieces(std::string_view text, bool escape) {
  std::vector<piece> pieces;
  for (std::size_t at = 0; at < text.size();) {
    // Text reaching here was checked as UTF-8 when the calendar was read; a
    // stray byte still counts as one character so a cut never lands inside
    // a sequence.
    auto cp = decode_utf8(text, at);
    auto length = cp.valid() ? cp.length : 1;
    piece p{text.substr(at, length), escape ? mrkdwn_escape(cp.point) : std::string_view{}, cp.point,
            slack_width(cp.point)};
    if (!p.escaped.empty()) p.width = p.escaped.size();
    pieces.push_back(p);
    at += length;
  }
  return pieces;
}

// How many leading pieces to keep so that they plus "…" fit in `limit`:
// at the last space when that keeps at least half the room (a long URL near
// the start should not shrink the text to a word or two), else mid-word but
// never inside a character, an escape or a cluster.
std::size_t cut_point(const std::vector<piece>& pieces, std::size_t limit) {
  std::size_t width = 0, keep = 0, space = 0, space_width = 0;
  while (keep < pieces.size() && width + pieces[keep].width + 1 <= limit) {
    if (is_space(pieces[keep].value)) {
      space = keep;
      space_width = width;
    }
    width += pieces[keep++].width;
  }
  if (space > 0 && space_width * 2 >= limit) keep = space;
  while (keep > 0 && keep < pieces.size() && (extends_previous(pieces[keep].value) || pieces[keep - 1].value == 0x200d))
    --keep;
  while (keep > 0 && is_space(pieces[keep - 1].value)) --keep;
  return keep;
}

// `text` (mrkdwn-escaped when asked) in at most `limit` characters; longer
// text is cut with "…" rather than have Slack reject the whole message.
// Most texts fit: a short one is only escaped, a longer one escaped while
// its width is counted (as split_pieces counts it), and only a text found
// too long is split into pieces to find its cut (docs/PERFORMANCE.md "2026-12-03, evening: send path").
std::string fit(std::string_view text, std::size_t limit, bool escape) {
  std::string out;
  out.reserve(text.size() + 16);
  // A byte is at most one character (UTF-8 never takes fewer bytes than
  // UTF-16 units), an escape five: a text that short fits without counting.
  if ((escape ? 5 : 1) * text.size() <= limit) {
    if (!escape) return out.append(text);
    std::size_t copied = 0;
    for (std::size_t at = 0; at < text.size(); ++at) {
      auto escaped = mrkdwn_escape(static_cast<unsigned char>(text[at]));
      if (escaped.empty()) continue;
      out.append(text.substr(copied, at - copied)).append(escaped);
      copied = at + 1;
    }
    return out.append(text.substr(copied));
  }
  std::size_t width = 0, copied = 0;
  for (std::size_t at = 0; at < text.size() && width <= limit;) {
    auto byte = static_cast<unsigned char>(text[at]);
    if (byte >= 0x80) {
      auto cp = decode_utf8(text, at);
      width += slack_width(cp.point);
      at += cp.valid() ? cp.length : 1;
      continue;
    }
    // The escaped characters are ASCII, never a byte of a longer sequence.
    auto escaped = escape ? mrkdwn_escape(byte) : std::string_view{};
    if (!escaped.empty()) {
      out.append(text.substr(copied, at - copied)).append(escaped);
      copied = at + 1;
    }
    width += escaped.empty() ? 1 : escaped.size();
    ++at;
  }
  if (width <= limit) return out.append(text.substr(copied));

  auto pieces = split_pieces(text, escape);
  auto keep = cut_point(pieces, limit);
  out.clear();
  for (std::size_t i = 0; i < keep; ++i) out += pieces[i].escaped.empty() ? pieces[i].source : pieces[i].escaped;
  if (keep < pieces.size()) out += ellipsis;
  return out;
}

// The message as TextBlocks, one per line: Teams drops a single line break
// inside a TextBlock, so a digest's list would run together. Lines of one
// paragraph sit close ("spacing": "None"); a blank line starts a paragraph.
void add_text_blocks(json::array& body, std::string_view text) {
  bool paragraph_start = true;
  for (std::size_t at = 0; at <= text.size();) {
    auto end = std::min(text.find('\n', at), text.size());
    auto line = text.substr(at, end - at);
    at = end + 1;
    if (trim(line).empty()) {
      paragraph_start = true;
      continue;
    }
    json::object block{{"type", "TextBlock"}, {"text", line}, {"wrap", true}};
    if (!paragraph_start) block["spacing"] = "None";
    body.push_back(std::move(block));
    paragraph_start = false;
  }
}

json::object adaptive_card(const post_content& post) {
  json::array body{json::object{
      {"type", "TextBlock"}, {"text", post.title}, {"weight", "Bolder"}, {"size", "Medium"}, {"wrap", true}}};
  add_text_blocks(body, post.text);
  json::object card{{"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
                    {"type", "AdaptiveCard"},
                    {"version", "1.4"},
                    {"body", std::move(body)}};
  if (!post.url.empty())
    card["actions"] = json::array{json::object{{"type", "Action.OpenUrl"}, {"title", button_label}, {"url", post.url}}};
  return card;
}

// RFC 9110 token characters: what a header name may be made of.
bool is_token(std::string_view name) {
  constexpr std::string_view extra = "!#$%&'*+-.^_`|~";
  return !name.empty() && std::all_of(name.begin(), name.end(), [&](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           extra.find(c) != std::string_view::npos;
  });
}

// A field value may not hold control characters but HTAB (RFC 9110 §5.5);
// CR or LF would end the header and start one the config never named.
bool is_field_value(std::string_view value) {
  return std::none_of(value.begin(), value.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '	') || u == 0x7f;
  });
}

// Headers herald or the transport set; a configured one would duplicate or
// contradict them (two Idempotency-Keys, a wrong Content-Length).
bool is_reserved(std::string_view name) {
  constexpr std::array<std::string_view, 4> reserved = {"Idempotency-Key", "Content-Type", "Content-Length",
                                                        "Transfer-Encoding"};
  return std::any_of(reserved.begin(), reserved.end(), [&](std::string_view r) { return iequals(name, r); });
}

// The post key as a header value. A channel name is a YAML key, and a
// quoted one ("a\nb") can hold a control character; those bytes become
// %XX so the key can never end the header early.
std::string field_safe(std::string_view key) {
  std::string out;
  for (char c : key) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      constexpr std::string_view hex = "0123456789ABCDEF";
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 15];
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string post_json(const post_content& post) {
  // Built key by key: json::object keeps insertion order, which is §3.1's.
  json::object object;
  object["key"] = post.key;
  object["event"] = post.event;
  object["title"] = post.title;
  object["text"] = post.text;
  object["subject"] = post.subject;
  object["date"] = post.date;
  object["end_date"] = post.end_date;
  object["url"] = post.url;
  object["due"] = post.due;
  object["channel"] = post.channel;
  return json::serialize(object);
}

http_request slack_request(const post_content& post, const std::string& webhook_url) {
  // The fallback text shows in notifications, where Slack parses mrkdwn too:
  // it is escaped like the section so "<!channel>" in a message stays text.
  auto message = fit(post.text, slack_section_limit, true);
  // Slack rejects a header or section with empty text, so an empty one is left out.
  // A longer url would make Slack refuse the whole post; the text still goes.
  bool header = !post.title.empty(), section = !message.empty(),
       button = !post.url.empty() && post.url.size() <= slack_url_limit;
  // Written directly, byte for byte what Boost.JSON serialised from a value
  // built in this order (a test holds the two side by side): building and
  // serialising the value was half of this function's cost
  // (docs/PERFORMANCE.md "2026-12-03, evening: send path").
  std::string body;
  body.reserve(2 * message.size() + post.title.size() + post.url.size() + 256);
  body += R"({"text":)";
  append_json_string(body, message);
  body += R"(,"blocks":[)";
  const char* separator = "";
  if (header) {
    body += R"({"type":"header","text":{"type":"plain_text","text":)";
    append_json_string(body, fit(post.title, slack_header_limit, false));
    body += R"(,"emoji":true}})";
    separator = ",";
  }
  if (section) {
    body += separator;
    body += R"({"type":"section","text":{"type":"mrkdwn","text":)";
    append_json_string(body, message);
    body += "}}";
    separator = ",";
  }
  if (button) {
    body += separator;
    body += R"({"type":"actions","elements":[{"type":"button","text":{"type":"plain_text","text":)";
    append_json_string(body, button_label);
    body += R"(},"url":)";
    append_json_string(body, post.url);
    body += "}]}";
  }
  body += "]}";
  return {webhook_url, {}, "application/json", std::move(body)};
}

http_request teams_request(const post_content& post, const std::string& webhook_url) {
  json::object attachment{{"contentType", "application/vnd.microsoft.card.adaptive"},
                          {"contentUrl", nullptr},
                          {"content", adaptive_card(post)}};
  json::object body{{"type", "message"}, {"attachments", json::array{std::move(attachment)}}};
  return {webhook_url, {}, "application/json", json::serialize(body)};
}

http_request webhook_request(const post_content& post, const std::string& url,
                             const std::vector<std::pair<std::string, std::string>>& headers) {
  http_request request{url, {{"Idempotency-Key", field_safe(post.key)}}, "application/json", post_json(post)};
  // A header that could not be sent as configured is left out, never
  // repaired: the receiver then answers (401, say) and the detail says so.
  // The config loader is the place to refuse such a header up front.
  for (const auto& [name, value] : headers)
    if (is_token(name) && is_field_value(value) && !is_reserved(name)) request.headers.emplace_back(name, trim(value));
  return request;
}

}  // namespace herald

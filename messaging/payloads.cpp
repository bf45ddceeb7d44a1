// The HTTP channels' bodies (docs/channels.md). Email lives in email_message.cpp.
//
// Every body is built as a Boost.JSON value and serialised, so quoting and
// escaping of JSON strings is the library's job, never ours.

#include "messaging/payloads.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

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
// The width of `text` as it will be sent, or npos once it passes `limit`.
// The same count as split_pieces' without its vector: most texts fit, and
// then fit() needs no pieces (a tenth of the delivery benchmark's CPU was
// the vector, docs/PERFORMANCE.md "2026-12-03, afternoon: bursts and transport throughput").
std::size_t width_within(std::string_view text, std::size_t limit, bool escape) {
  std::size_t width = 0;
  for (std::size_t at = 0; at < text.size();) {
    auto byte = static_cast<unsigned char>(text[at]);
    if (byte < 0x80) {  // ASCII: one character, one byte
      auto escaped = escape ? mrkdwn_escape(byte).size() : 0;
      width += escaped ? escaped : 1;
      ++at;
    } else {
      auto cp = decode_utf8(text, at);
      width += slack_width(cp.point);
      at += cp.valid() ? cp.length : 1;
    }
    if (width > limit) return std::string_view::npos;
  }
  return width;
}

std::string fit(std::string_view text, std::size_t limit, bool escape) {
  if (width_within(text, limit, escape) != std::string_view::npos) {
    if (!escape) return std::string(text);
    std::string out;
    out.reserve(text.size() + 16);
    // The escaped characters are ASCII, never a byte of a longer sequence.
    std::size_t at = 0;
    for (auto next = text.find_first_of("&<>"); next != std::string_view::npos; next = text.find_first_of("&<>", at)) {
      out.append(text.substr(at, next - at)).append(mrkdwn_escape(static_cast<unsigned char>(text[next])));
      at = next + 1;
    }
    return out.append(text.substr(at));
  }
  auto pieces = split_pieces(text, escape);
  std::size_t width = 0;
  for (const auto& p : pieces) width += p.width;
  auto keep = width <= limit ? pieces.size() : cut_point(pieces, limit);
  std::string out;
  for (std::size_t i = 0; i < keep; ++i) out += pieces[i].escaped.empty() ? pieces[i].source : pieces[i].escaped;
  if (keep < pieces.size()) out += ellipsis;
  return out;
}

json::object plain_text(std::string_view text, json::storage_ptr sp = {}) {
  return {{{"type", "plain_text"}, {"text", text}}, std::move(sp)};
}

json::object slack_header(std::string_view title, const json::storage_ptr& sp) {
  auto text = plain_text(fit(title, slack_header_limit, false), sp);
  text["emoji"] = true;
  return {{{"type", "header"}, {"text", std::move(text)}}, sp};
}

json::object slack_section(std::string_view mrkdwn, const json::storage_ptr& sp) {
  return {{{"type", "section"}, {"text", json::object{{{"type", "mrkdwn"}, {"text", mrkdwn}}, sp}}}, sp};
}

json::object slack_button(std::string_view url, const json::storage_ptr& sp) {
  json::object button{{{"type", "button"}, {"text", plain_text(button_label, sp)}, {"url", url}}, sp};
  json::array elements(sp);
  elements.push_back(std::move(button));
  return {{{"type", "actions"}, {"elements", std::move(elements)}}, sp};
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
  // The value lives only to be serialised: one arena for all its parts
  // instead of an allocation per object, array and string.
  json::monotonic_resource arena;
  json::storage_ptr sp(&arena);
  json::array blocks(sp);
  // Slack rejects a header or section with empty text, so an empty one is left out.
  if (!post.title.empty()) blocks.push_back(slack_header(post.title, sp));
  if (!message.empty()) blocks.push_back(slack_section(message, sp));
  // A longer url would make Slack refuse the whole post; the text still goes.
  if (!post.url.empty() && post.url.size() <= slack_url_limit) blocks.push_back(slack_button(post.url, sp));
  json::object body{{{"text", message}, {"blocks", std::move(blocks)}}, sp};
  return {webhook_url, {}, "application/json", json::serialize(body)};
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

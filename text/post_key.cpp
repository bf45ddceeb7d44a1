#include "text/post_key.hpp"

#include <algorithm>
#include <charconv>

#include "text/civil.hpp"

namespace herald {
namespace {

// `0d`, `-28d`, `end+1d`…: read as a number, then refused unless written
// the one way format_key_offset writes it, so that parsing and writing are
// each other's inverse.
std::optional<key_offset> parse_key_offset(std::string_view text) {
  key_offset at;
  auto rest = text;
  if (rest.starts_with("end")) {
    at.from_end = true;
    rest.remove_prefix(3);
  }
  if (!rest.empty()) {
    if (rest.ends_with("wd")) {
      at.workdays = true;
      rest.remove_suffix(1);
    }
    if (!rest.ends_with('d')) return std::nullopt;
    rest.remove_suffix(1);
    if (rest.starts_with('+')) rest.remove_prefix(1);  // from_chars takes '-' only
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), at.days);
    if (ec != std::errc{} || end != rest.data() + rest.size()) return std::nullopt;
  }
  if (format_key_offset(at) != text) return std::nullopt;
  return at;
}

}  // namespace

namespace {

// `end+1d`: `end` for the end, the days signed, `wd` for working days; by
// hand, since a preview writes two of these per post.
void append_key_offset(std::string& out, key_offset at) {
  if (at.from_end) out += "end";
  if (at.days == 0) {
    if (!at.from_end) out += "0d";
    return;
  }
  if (at.days > 0) out += '+';
  char digits[16];
  out.append(digits, std::to_chars(digits, digits + sizeof digits, at.days).ptr);
  out += at.workdays ? "wd" : "d";
}

}  // namespace

std::string format_key_offset(key_offset at) {
  std::string out;
  append_key_offset(out, at);
  return out;
}

std::string format_post_key(std::string_view event, date::local_days start, key_offset at, std::string_view channel) {
  std::string key;
  key.reserve(event.size() + channel.size() + 32);  // a date, an offset and three separators
  key.append(event).append(1, post_key::separator);
  append_iso_date(key, start);
  key.append(1, post_key::separator);
  append_key_offset(key, at);
  key.append(1, post_key::separator).append(channel);
  return key;
}

std::string post_key::str() const { return format_post_key(event, start, at, channel); }

std::optional<post_key> post_key::parse(std::string_view text) {
  std::string_view parts[4];
  for (int i = 0; i < 3; ++i) {
    auto end = text.find(separator);
    if (end == std::string_view::npos) return std::nullopt;
    parts[i] = text.substr(0, end);
    text.remove_prefix(end + 1);
  }
  parts[3] = text;
  auto start = parse_iso_date(parts[1]);
  auto at = parse_key_offset(parts[2]);
  if (parts[0].empty() || !start || !at || parts[3].empty() || parts[3].find(separator) != std::string_view::npos)
    return std::nullopt;
  return post_key{std::string(parts[0]), *start, *at, std::string(parts[3])};
}

bool is_channel_name(std::string_view name) {
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
  return !name.empty() && alnum(name.front()) &&
         std::all_of(name.begin(), name.end(), [&](char c) { return alnum(c) || c == '-' || c == '_' || c == '.'; });
}

}  // namespace herald

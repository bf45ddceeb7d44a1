#include "messaging/console_text.hpp"

#include <string_view>

#include <fmt/format.h>

#include "messaging/payloads.hpp"
#include "text/one_line.hpp"

namespace herald {
namespace {

// The lines of `text`, split at LF (a CR before it dropped).
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    auto end = text.find('\n');
    auto line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

}  // namespace

std::string console_text(const post_content& post, date::sys_seconds now, const console_style& style) {
  if (!style.readable) return post_json(post) + "\n";
  std::string_view bold = style.colour ? "\x1b[1m" : "", dim = style.colour ? "\x1b[2m" : "",
                   channel = style.colour ? "\x1b[36m" : "", reset = style.colour ? "\x1b[0m" : "";
  auto local = style.zone ? style.zone->to_local(now) : date::local_seconds{now.time_since_epoch()};
  auto time = date::format("%H:%M", date::floor<std::chrono::minutes>(local));
  const std::string indent(time.size() + 1, ' ');
  auto subject = terminal_line(post.subject.empty() ? post.title : post.subject);
  std::string out = fmt::format("{}{}{} {}[{}]{} {}{}{}", dim, time, reset, channel, terminal_line(post.channel), reset,
                                bold, subject, reset);
  bool first = true;
  for (auto line : lines_of(post.text)) {
    if (first) {
      out += " \u2014 ";
      first = false;
    } else {
      out += "\n";
      out += indent;
    }
    out += terminal_line(line);
  }
  if (!post.url.empty()) {
    out += "\n";
    out += indent;
    out += terminal_line(post.url);
  }
  out += "\n";
  return out;
}

}  // namespace herald

// Email addresses (text/mailbox.hpp).
#include "text/mailbox.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "text/strings.hpp"

namespace herald {
namespace {

constexpr std::size_t max_address = 254;  // RFC 5321 path limit, less the brackets

}  // namespace

bool is_atext(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

bool plausible_domain(std::string_view domain) {
  if (domain.empty() || domain.size() > 253 || domain.front() == '.' || domain.back() == '.' ||
      domain.find("..") != std::string_view::npos)
    return false;
  return std::all_of(domain.begin(), domain.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
}

bool plausible_address(std::string_view address) {
  auto at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at > 64 || address.size() > max_address) return false;
  auto local = address.substr(0, at);
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) return false;
  return std::all_of(local.begin(), local.end(), [](char c) { return is_atext(c) || c == '.'; }) &&
         plausible_domain(address.substr(at + 1));
}

namespace {

std::string unquote(std::string_view name) {
  if (name.size() < 2 || name.front() != '"' || name.back() != '"') return std::string(name);
  std::string out;
  for (std::size_t i = 1; i + 1 < name.size(); ++i) {
    if (name[i] == '\\' && i + 2 < name.size()) ++i;
    out += name[i];
  }
  return out;
}

}  // namespace

result<mailbox> parse_mailbox(std::string_view text, std::string_view what) {
  if (has_line_break(text)) return failure{fmt::format("email {}: contains a line break (CR or LF); not sent", what)};
  text = trim(text);
  mailbox box;
  if (auto open = text.rfind('<'); open != std::string_view::npos && text.ends_with('>')) {
    box.display = unquote(trim(text.substr(0, open)));
    box.address = std::string(text.substr(open + 1, text.size() - open - 2));
  } else {
    box.address = std::string(text);
  }
  if (!plausible_address(box.address))
    return failure{
        fmt::format("email {}: not a plausible address (expected name@example.org or Name <name@example.org>)", what)};
  return box;
}

}  // namespace herald

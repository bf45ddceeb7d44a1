#include "settings/config_quoting.hpp"

#include <algorithm>
#include <array>

#include "calendar/diagnostic.hpp"
#include "settings/secrets.hpp"
#include "text/strings.hpp"

namespace herald {
namespace {

// The top-level keys whose blocks hold no secret; "channels" and "journal"
// (whose postgresql URL may be written in the file) are the ones that do.
constexpr std::array<std::string_view, 6> plain_keys = {"version",   "catch_up", "calendar",
                                                        "state_dir", "delivery", "http"};

// Words that make a line hidden wherever they stand: the keys of secrets and
// the usual names of secret headers.
constexpr std::array<std::string_view, 8> secret_words = {"url",   "password", "header",  "authorization",
                                                          "token", "secret",   "api-key", "apikey"};

// Keys whose block is hidden wherever it stands.
constexpr std::array<std::string_view, 4> secret_keys = {"channels", "url", "password", "headers"};

bool is_blank_or_comment(std::string_view line, std::size_t indent) {
  return indent >= line.size() || line[indent] == '#' || line[indent] == '\r';
}

// The key a line starts with (after its indentation and any '- '), quotes
// dropped; "" when the line does not start with `key:`.
std::string_view leading_key(std::string_view line, std::size_t indent) {
  auto rest = line.substr(indent);
  while (rest.starts_with("- ")) rest = rest.substr(std::min(rest.find_first_not_of(' ', 1), rest.size()));
  std::size_t colon = 0;
  for (; colon < rest.size(); ++colon)
    if (rest[colon] == ':' &&
        (colon + 1 == rest.size() || rest[colon + 1] == ' ' || rest[colon + 1] == '\t' || rest[colon + 1] == '\r'))
      break;
  if (colon >= rest.size()) return {};
  auto key = rest.substr(0, colon);
  while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.remove_suffix(1);
  if (key.size() >= 2 && (key.front() == '"' || key.front() == '\'') && key.back() == key.front())
    key = key.substr(1, key.size() - 2);
  // A flow mapping or list is not a key this reader places.
  if (key.find_first_of("{}[],") != std::string_view::npos) return {};
  return key;
}

// A top-level key whose block may be quoted: one of plain_keys, or a
// misspelling closer to one of them than to "channels".
bool plain_top_level(std::string_view key) {
  std::vector<std::string_view> known(plain_keys.begin(), plain_keys.end());
  known.push_back("channels");
  auto closest = closest_match(key, known);
  return !key.empty() && !closest.empty() && closest != "channels";
}

// Brackets and quotes still open after `line`, carried to the next.
struct flow_state {
  int depth = 0;
  char quote = 0;
  bool open() const { return depth > 0 || quote != 0; }
};

void scan(std::string_view line, flow_state& state) {
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (state.quote) {
      if (c == '\\' && state.quote == '"')
        ++i;
      else if (c == state.quote)
        state.quote = 0;
    } else if (c == '"' || c == '\'') {
      // An apostrophe inside a plain word is not a quote.
      if (c == '"' || i == 0 || line[i - 1] == ' ' || line[i - 1] == '{' || line[i - 1] == '[' || line[i - 1] == ',' ||
          line[i - 1] == ':')
        state.quote = c;
    } else if (c == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
      return;
    } else if (c == '{' || c == '[') {
      ++state.depth;
    } else if ((c == '}' || c == ']') && state.depth > 0) {
      --state.depth;
    }
  }
}

bool names_a_secret(std::string_view line) {
  auto lower = ascii_lower(line);
  if (lower.find("://") != std::string::npos) return true;
  return std::any_of(secret_words.begin(), secret_words.end(),
                     [&](std::string_view word) { return lower.find(word) != std::string::npos; });
}

}  // namespace

std::vector<int> config_lines_not_quoted(std::string_view text) {
  std::vector<int> hidden;
  flow_state state;
  long block = -1;        // indentation of the key whose block is hidden; -1: none
  bool spanning = false;  // inside a quote or bracket opened on a hidden line
  int number = 0;
  for (std::size_t begin = 0; begin < text.size(); ++number) {
    auto end = text.find('\n', begin);
    auto line = text.substr(begin, end == std::string_view::npos ? std::string_view::npos : end - begin);
    begin = end == std::string_view::npos ? text.size() + 1 : end + 1;
    auto indent = std::min(line.find_first_not_of(" \t"), line.size());
    bool continued = state.open();
    bool content = !is_blank_or_comment(line, indent);
    if (!continued) spanning = false;
    if (!continued && content && block >= 0 && static_cast<long>(indent) <= block) block = -1;
    if (content && block < 0) {
      auto key = ascii_lower(leading_key(line, indent));
      bool secret_key = std::find(secret_keys.begin(), secret_keys.end(), key) != secret_keys.end();
      bool top = indent == 0 && !continued;
      if (secret_key || (top && !plain_top_level(key))) block = static_cast<long>(indent);
    }
    bool hide = block >= 0 || spanning || names_a_secret(line);
    if (hide) hidden.push_back(number + 1);
    scan(line, state);
    if (hide && state.open()) spanning = true;
  }
  return hidden;
}

std::string redact_source_urls(std::string_view text, std::string_view source) {
  auto is_scheme = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
           c == '.';
  };
  std::string out;
  std::size_t done = 0;
  for (auto at = text.find("://"); at != std::string_view::npos; at = text.find("://", at + 3)) {
    auto first = at;
    while (first > done && is_scheme(text[first - 1])) --first;
    auto last = at + 3;
    while (last < text.size() && text[last] != ' ' && text[last] != '\'' && text[last] != '"' && text[last] != ')' &&
           text[last] != ',' && text[last] != '}')
      ++last;
    auto url = text.substr(first, last - first);
    if (first == at || source.find(url) == std::string_view::npos) continue;
    out.append(text.substr(done, first - done));
    out += redact_url(url);
    done = last;
    at = last - 3;
  }
  out.append(text.substr(done));
  return out;
}

}  // namespace herald

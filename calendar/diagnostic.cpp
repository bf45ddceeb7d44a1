#include "calendar/diagnostic.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace herald {
namespace {

std::string_view line_of(std::string_view source, int line) {
  std::size_t begin = 0;
  for (int i = 1; i < line; ++i) {
    begin = source.find('\n', begin);
    if (begin == std::string_view::npos) return {};
    ++begin;
  }
  auto end = source.find('\n', begin);
  auto text = source.substr(begin, end == std::string_view::npos ? std::string_view::npos : end - begin);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return text;
}

// Edit distance counting a swap of neighbours as one edit ("Jnue" is one
// from "June"), case-insensitive; inputs are short keys and names.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  auto same = [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  };
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (same(a[i - 1], b[j - 1]) ? 0 : 1)});
      if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) && same(a[i - 2], b[j - 1]))
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

}  // namespace

std::string format_diagnostic(const diagnostic& d, std::string_view source) {
  if (d.mark.line <= 0) return fmt::format("{}: error: {}\n", d.file, d.message) + (d.hint.empty() ? "" : fmt::format("  hint: {}\n", d.hint));
  std::string out = fmt::format("{}:{}:{}: error: {}\n", d.file, d.mark.line, d.mark.col, d.message);
  auto text = d.mark.line > 0 ? line_of(source, d.mark.line) : std::string_view{};
  if (!text.empty()) {
    auto number = std::to_string(d.mark.line);
    std::string gutter(number.size(), ' ');
    // Keep tabs in the caret line so the caret lines up under the column.
    std::string pad;
    for (int i = 1; i < d.mark.col && static_cast<std::size_t>(i - 1) < text.size(); ++i)
      pad += text[static_cast<std::size_t>(i - 1)] == '\t' ? '\t' : ' ';
    out += fmt::format(" {} | {}\n {} | {}^\n", number, text, gutter, pad);
  }
  if (!d.hint.empty()) out += fmt::format("  hint: {}\n", d.hint);
  return out;
}

std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates) {
  std::string_view best;
  std::size_t best_distance = std::string_view::npos;
  for (auto candidate : candidates) {
    auto distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  // A third of the word's length, at least one edit: "mesage" -> "message",
  // but "colour" is not a typo of "url".
  std::size_t allowed = std::max<std::size_t>(1, word.size() / 3);
  return best_distance <= allowed ? std::string(best) : std::string();
}

std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates) {
  auto match = closest_match(word, candidates);
  return match.empty() ? std::string() : fmt::format(" (did you mean '{}'?)", match);
}

}  // namespace herald

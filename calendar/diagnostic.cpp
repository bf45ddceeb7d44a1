#include "calendar/diagnostic.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "text/one_line.hpp"
#include "text/utf8.hpp"

namespace herald {
namespace {

// Code points, with ASCII letters lower-cased unless `fold_case` is off.
std::u32string code_points(std::string_view text, bool fold_case = true) {
  auto out = decode_utf8(text);
  if (fold_case)
    for (auto& point : out)
      if (point >= U'A' && point <= U'Z') point += U'a' - U'A';
  return out;
}

// Edit distance over code points, counting a swap of neighbours as one
// edit ("Jnue" is one from "June"), case-insensitive.
std::size_t edit_distance(std::string_view a_text, std::string_view b_text) {
  auto a = code_points(a_text), b = code_points(b_text);
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

// A source line as it can be shown on a terminal: control characters and
// bytes that are not UTF-8 become \xNN. `col` (1-based, in code points)
// comes back as the display column of the same character.
std::string printable_line(std::string_view line, int& col) {
  std::string out;
  int display = 1, index = 1, display_col = 0;
  for (std::size_t i = 0; i < line.size();) {
    if (index == col) display_col = display;
    auto c = static_cast<unsigned char>(line[i]);
    auto sequence = decode_utf8(line, i);
    auto length = sequence.length;
    bool valid = length > 1 || (length == 1 && ((c >= 0x20 && c < 0x7f) || c == '\t'));
    if (valid) {
      out.append(line.substr(i, length));
      i += length;
      display += 1;
    } else {
      out += fmt::format("\\x{:02X}", c);
      i += 1;
      display += 4;
    }
    ++index;
  }
  col = display_col ? display_col : display;
  return out;
}

}  // namespace

std::string_view source_line(std::string_view source, int line) {
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

// The message and hint quote what the file holds (an id, a value): escapes
// in it show as \xNN rather than act on the terminal (text/one_line.hpp).
std::string format_diagnostic(const diagnostic& raw_d, std::string_view source) {
  diagnostic d = raw_d;
  d.message = terminal_line(d.message);
  d.hint = terminal_line(d.hint);
  std::string_view kind = d.severity == severity::warning ? "warning" : "error";
  if (d.mark.line <= 0)
    return fmt::format("{}: {}: {}\n", d.file, kind, d.message) +
           (d.hint.empty() ? "" : fmt::format("  hint: {}\n", d.hint));
  std::string out = fmt::format("{}:{}:{}: {}: {}\n", d.file, d.mark.line, d.mark.col, kind, d.message);
  auto raw = d.mark.line > 0 && d.quote_source ? source_line(source, d.mark.line) : std::string_view{};
  if (!raw.empty()) {
    int col = d.mark.col;
    auto text = printable_line(raw, col);
    // Show at most ~100 columns of a long line, around the caret.
    constexpr int window = 100;
    if (auto points = code_points(text, false); points.size() > static_cast<std::size_t>(window) + 20) {
      int size = static_cast<int>(points.size());
      int first = std::max(0, std::min(col - 1 - window / 2, size - window));
      std::string cut;
      for (int i = first; i < first + window; ++i) append_utf8(cut, points[static_cast<std::size_t>(i)]);
      text = (first > 0 ? "…" : "") + cut + (first + window < size ? "…" : "");
      col = col - first + (first > 0 ? 1 : 0);
    }
    auto number = std::to_string(d.mark.line);
    std::string gutter(number.size(), ' ');
    // Keep tabs in the caret line so the caret lines up under the column.
    std::string pad;
    auto points = code_points(text, false);
    for (int i = 1; i < col && static_cast<std::size_t>(i - 1) < points.size(); ++i)
      pad += points[static_cast<std::size_t>(i - 1)] == U'\t' ? '\t' : ' ';
    out += fmt::format(" {} | {}\n {} | {}^\n", number, text, gutter, pad);
  }
  if (!d.hint.empty()) out += fmt::format("  hint: {}\n", d.hint);
  return out;
}

std::string closest_spelling(std::string_view word, const std::vector<std::string_view>& candidates) {
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
  std::size_t allowed = std::max<std::size_t>(1, code_points(word).size() / 3);
  if (best_distance <= allowed) return std::string(best);
  return {};
}

std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates) {
  if (auto best = closest_spelling(word, candidates); !best.empty()) return best;
  // Or a word that begins with a candidate: "state_directory", "enviro".
  for (auto candidate : candidates)
    if (candidate.size() >= 3 && code_points(word).starts_with(code_points(candidate))) return std::string(candidate);
  return {};
}

std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates) {
  auto match = closest_match(word, candidates);
  return match.empty() ? std::string() : fmt::format(" (did you mean '{}'?)", match);
}

}  // namespace herald

#pragma once
// Reading typed fields out of a yaml_document with errors collected as
// diagnostics: the shared vocabulary of the calendar and config loaders.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <date/date.h>

#include "calendar/diagnostic.hpp"
#include "calendar/yaml_document.hpp"

namespace herald {

/// Collects the errors of one file, up to a limit, and its warnings
/// (docs/calendar.md "Warnings"), which do not stop it loading.
class diagnostics_collector {
 public:
  static constexpr std::size_t max_errors = 50;

  explicit diagnostics_collector(std::string file) : file_(std::move(file)) {}

  void error(source_mark mark, std::string message, std::string hint = {});
  /// A scalar parser's error, placed at its offset inside `node`.
  void error(yaml_ref node, const parse_error& e);
  void add(diagnostic d);
  void warning(source_mark mark, std::string message, std::string hint = {});
  /// Adds what `other` collected, as if it had been reported here now.
  void append(diagnostics_collector&& other);

  /// Errors on this line will not quote it: it holds a secret.
  void hide_line(int line) { hidden_lines_.push_back(line); }

  bool ok() const { return errors_.empty(); }
  bool full() const { return errors_.size() >= max_errors; }
  /// The errors in file order.
  std::vector<diagnostic> take();
  /// The warnings in file order.
  std::vector<diagnostic> take_warnings();
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::vector<diagnostic> errors_;
  std::vector<diagnostic> warnings_;
  std::vector<int> hidden_lines_;
};

/// True when `node` is a mapping; reports unknown keys (with a hint when one
/// of `allowed` is close). `what` names the node in errors ("a step").
bool check_keys(yaml_ref node, std::string_view what, std::span<const std::string_view> allowed,
                diagnostics_collector& out);

/// check_keys for a block of herald.yaml that may hold secrets: an unknown
/// key is named only when it is one of `known` (the keys of any such block,
/// `allowed` among them) or a misspelling of one. Any other may be a secret
/// written as a key, `{type: slack, hunter2}`, and is not repeated
/// (docs/cli.md "The config file").
bool check_keys_unnamed(yaml_ref node, std::string_view what, std::span<const std::string_view> allowed,
                        std::span<const std::string_view> known, diagnostics_collector& out);

struct required_key {
  std::string_view name;
  std::string_view hint;  ///< how to add it
};

/// Reports keys of `required` missing from the mapping `node` (unless a
/// misspelling of one was already reported).
void require_keys(yaml_ref node, std::string_view what, std::span<const required_key> required,
                  diagnostics_collector& out);

/// As require_keys, for a mapping checked with check_keys_unnamed: only a
/// misspelling by edits (closest_spelling) stands for a missing key, for
/// `url hunter2` begins with `url` but is a secret written without its
/// colon, and the missing `url` is reported too.
void require_keys_unnamed(yaml_ref node, std::string_view what, std::span<const required_key> required,
                          diagnostics_collector& out);

/// The text of a scalar, or an error naming `what` ("'title'") and the kind found.
std::optional<std::string_view> read_scalar(yaml_ref node, std::string_view what, diagnostics_collector& out);

/// A list's items; a single scalar counts as a list of one.
std::vector<yaml_ref> read_list(yaml_ref node, std::string_view what, diagnostics_collector& out);

/// A scalar run through `parse` (returning variant<T, parse_error>).
template <class Parse>
auto read_parsed(yaml_ref node, std::string_view what, Parse&& parse, diagnostics_collector& out)
    -> std::optional<std::variant_alternative_t<0, decltype(parse(std::string_view{}))>> {
  auto text = read_scalar(node, what, out);
  if (!text) return std::nullopt;
  auto result = parse(*text);
  if (auto* error = std::get_if<parse_error>(&result)) {
    out.error(node, *error);
    return std::nullopt;
  }
  return std::get<0>(std::move(result));
}

/// `YYYY-MM-DD`, as a parse function for read_parsed.
std::variant<date::local_days, parse_error> parse_date_value(std::string_view text);

}  // namespace herald

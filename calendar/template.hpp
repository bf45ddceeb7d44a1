#pragma once
// A message template: Mustache rendered as plain text (docs/calendar.md "Templates"):
// variables ({{x}}, {{{x}}}, {{&x}}), sections over lists and non-empty
// values ({{#x}}…{{/x}}, with {{.}} the current item), inverted sections
// ({{^x}}…{{/x}}) and comments ({{! …}}).
//
// Parsing checks the syntax and lists the variables a template names, so the
// loader can reject unknown ones with their position. Rendering never HTML-
// escapes: each channel escapes for its own format. A variable with no value
// renders empty and counts as false in a section.

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "calendar/builtin_variables.hpp"
#include "calendar/diagnostic.hpp"

namespace herald {

/// A name used by a template, with the byte offset of the name.
struct template_variable {
  std::string name;
  std::size_t offset;
  bool in_section;  ///< inside some {{#…}} / {{^…}}: `.` is allowed there
};

/// Values for one rendering: strings, lists of strings for sections, and
/// lists of records (a digest's items): inside `{{#items}}…{{/items}}` each
/// record's strings are looked up first, then the outer values.
struct template_values {
  std::vector<std::pair<std::string_view, std::string_view>> strings;
  std::vector<std::pair<std::string_view, std::span<const std::string_view>>> lists;
  std::vector<std::pair<std::string_view, const std::vector<template_values>*>> records;
};

class text_template {
 public:
  /// Checks Mustache syntax: balanced sections, no partials or delimiter
  /// changes (herald renders single templates).
  static std::variant<text_template, parse_error> parse(std::string_view text);

  /// The most a rendered post may hold (docs/calendar.md "Templates"):
  /// sections over lists multiply what they hold, so a small template can
  /// ask for gigabytes. The loader refuses a template that could render
  /// more; render() stops there if one still does. A digest's items, whose
  /// number only the plan knows, are kept whole up to the limit and the
  /// rest counted in a last line (docs/calendar.md "Digests").
  static constexpr std::size_t max_rendered_bytes = 256u << 10;

  const std::vector<template_variable>& variables() const;
  /// The built-in variables named anywhere in the template (as variables or
  /// sections, inside sections too): the only facts a rendering looks up.
  builtin_set builtins_named() const { return builtins_named_; }
  const std::string& text() const { return *text_; }
  /// At most max_rendered_bytes (cut at the start of a character).
  /// `unlisted`, when given, is set to how many records its lists left out
  /// to stay within the bound (0 when every one is listed).
  std::string render(const template_values& values, std::size_t* unlisted = nullptr) const;

  /// A list's size for size_bound(): its items, and the longest one's bytes.
  struct list_shape {
    std::size_t items = 0, longest = 0;
  };
  using list_shapes = std::function<std::optional<list_shape>(std::string_view name)>;
  /// The most render() could give when no value is longer than `longest`
  /// bytes and the list named N has the shape `lists(N)` (nullopt: N is not
  /// a list). Saturates instead of overflowing.
  std::size_t size_bound(const list_shapes& lists, std::size_t longest) const;

 private:
  // All three are shared by copies, so the loader can hand one parse of a
  // text to every step that repeats it (docs/PERFORMANCE.md "2026-12-03").
  std::shared_ptr<const std::string> text_;
  std::shared_ptr<const std::vector<template_variable>> variables_;
  std::shared_ptr<const std::vector<struct template_node>> nodes_;
  builtin_set builtins_named_;
};

}  // namespace herald

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

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

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
  std::vector<std::pair<std::string_view, const std::vector<std::string>*>> lists;
  std::vector<std::pair<std::string_view, const std::vector<template_values>*>> records;
};

class text_template {
 public:
  /// Checks Mustache syntax: balanced sections, no partials or delimiter
  /// changes (herald renders single templates).
  static std::variant<text_template, parse_error> parse(std::string_view text);

  const std::vector<template_variable>& variables() const { return variables_; }
  const std::string& text() const { return *text_; }
  std::string render(const template_values& values) const;

 private:
  std::shared_ptr<const std::string> text_;
  std::vector<template_variable> variables_;
  std::shared_ptr<const std::vector<struct template_node>> nodes_;  // parsed; shared by copies
};

}  // namespace herald

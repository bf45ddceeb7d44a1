#pragma once
// The variables every template has (docs/calendar.md "Templates"), and the
// set of them one template names: the plan formats only those for a post
// (docs/PERFORMANCE.md "2026-12-03, last session: preview time").

#include <array>
#include <bitset>
#include <cstddef>
#include <string_view>

namespace herald {

/// `tags` is a list, the others text.
inline constexpr std::array<std::string_view, 15> builtin_variables = {
    "id",           "title", "description", "url",      "tags",     "date",         "end_date",    "date_iso",
    "end_date_iso", "year",  "days_until",  "relative", "eve_date", "eve_date_iso", "eve_relative"};

/// Bit i stands for builtin_variables[i].
using builtin_set = std::bitset<builtin_variables.size()>;

/// The index of `name` in builtin_variables, or builtin_variables.size().
constexpr std::size_t builtin_index(std::string_view name) {
  std::size_t i = 0;
  while (i < builtin_variables.size() && builtin_variables[i] != name) ++i;
  return i;
}

}  // namespace herald

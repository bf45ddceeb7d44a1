#pragma once
// How `herald preview` prints a plan: the JSON document of docs/cli.md "herald preview", or a
// table for people.

#include <functional>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include "calendar/plan.hpp"

namespace herald {

struct preview_data {
  std::string timezone;
  date::local_days from, until;                 ///< the window, both included
  std::vector<planned_occurrence> occurrences;  ///< by start, then event id
  /// Calls its argument with each post, by due instant, then key; it may be
  /// called more than once. The posts are planned as they are written, a
  /// few weeks at a time (for_each_planned_post), not kept.
  std::function<void(const std::function<void(const planned_post&)>&)> for_each_post;
};

void write_preview_json(const preview_data& data, std::ostream& out);

struct text_style {
  bool colour = false;
  std::size_t width = 100;  ///< columns of the terminal; 0: do not cut lines
};
void write_preview_text(const preview_data& data, std::ostream& out, const text_style& style);

}  // namespace herald

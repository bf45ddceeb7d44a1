#pragma once
// How `herald preview` prints a plan: the JSON document of docs/cli.md "herald preview", or a
// table for people.

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
  std::vector<planned_post> posts;              ///< by due instant, then key
};

void write_preview_json(const preview_data& data, std::ostream& out);

struct text_style {
  bool colour = false;
  std::size_t width = 100;  ///< columns of the terminal; 0: do not cut lines
};
void write_preview_text(const preview_data& data, std::ostream& out, const text_style& style);

}  // namespace herald

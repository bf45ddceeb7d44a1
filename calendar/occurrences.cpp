#include "calendar/occurrences.hpp"

#include <algorithm>

namespace herald {

using date::local_days;

date::days recurrence::longest() const {
  auto longest = lasts;
  for (const auto& rule : every)
    if (rule.kind == every_rule::form::whole_month) longest = std::max(longest, date::days{31});
  for (const auto& span : dates()) longest = std::max(longest, span.end - span.start + date::days{1});
  return longest;
}

std::vector<day_span> occurrences_starting(const recurrence& when, local_days first, local_days last) {
  if (auto from = when.from()) first = std::max(first, *from);
  if (auto until = when.until()) last = std::min(last, *until);
  std::vector<day_span> spans;
  if (first > last) return spans;

  if (!when.every.empty()) {
    // An Easter offset can move a start up to a year across the boundary.
    auto first_year = static_cast<int>(date::year_month_day{first}.year()) - 1;
    auto last_year = static_cast<int>(date::year_month_day{last}.year()) + 1;
    for (const auto& rule : when.every)
      for (int year = std::max(first_year, 2); year <= std::min(last_year, 9998); ++year)
        every_rule_spans(rule, year, when.lasts, spans);
  }
  if (const auto* rule = when.rule())
    for (auto day : rrule_dates(*rule, when.rule_start(), first, last))
      spans.push_back({day, day + when.lasts - date::days{1}});
  for (const auto& span : when.dates()) spans.push_back(span);

  auto except = when.except();
  std::erase_if(spans, [&](const day_span& s) {
    return s.start < first || s.start > last || std::binary_search(except.begin(), except.end(), s.start);
  });
  std::sort(spans.begin(), spans.end(), [](const day_span& a, const day_span& b) {
    return a.start != b.start ? a.start < b.start : a.end > b.end;
  });
  // Equal starts: the first of each run has the latest end.
  spans.erase(
      std::unique(spans.begin(), spans.end(), [](const day_span& a, const day_span& b) { return a.start == b.start; }),
      spans.end());
  return spans;
}

}  // namespace herald

// Building a digest's items by planning its window: the same plan a
// preview of that window shows, so a "posts" digest is the EDI team's
// review of exactly what goes out.
#include "calendar/digest_list.hpp"

#include <fmt/format.h>

#include "calendar/plan.hpp"
#include "text/civil.hpp"

namespace herald {
namespace {

// `Tuesday 23 June 2027 at 09:30`: a post's due instant as people read it.
std::string readable_due(const calendar& cal, const planned_post& post) {
  auto local = cal.zone->to_local(post.due);
  auto day = date::floor<date::days>(local);
  date::hh_mm_ss<std::chrono::seconds> time{local - day};
  return fmt::format("{} at {:02}:{:02}", format_long_date(day), time.hours().count(), time.minutes().count());
}

// The plan of the digest's window: its list's items, one per occurrence or post.
plan window_of(const calendar& cal, const digest_spec& spec, date::local_days date) {
  plan_filter no_digests;
  no_digests.digests = false;
  return plan_window(cal, date, date + spec.covers - date::days{1}, no_digests);
}

}  // namespace

bool digest_list_empty(const calendar& cal, const digest_spec& spec, date::local_days date) {
  auto window = window_of(cal, spec, date);
  return spec.list == digest_spec::list_kind::occurrences ? window.occurrences.empty() : window.posts.empty();
}

digest_list::digest_list(const calendar& cal, const digest_spec& spec, date::local_days date, builtin_set wanted) {
  auto window = window_of(cal, spec, date);
  if (spec.list == digest_spec::list_kind::occurrences) {
    for (const auto& o : window.occurrences) {
      const auto& facts = facts_.emplace_back(cal.events[o.event], o.span, date, wanted);
      facts.add_to(records_.emplace_back());
    }
    return;
  }
  for (const auto& post : window.posts) {
    auto rendered = render_post(cal, post);
    auto& stored = texts_.emplace_back(std::vector<std::string>{
        post.key(), std::string(cal.events[post.event].id), std::string(cal.events[post.event].title),
        cal.channels[post.channel], readable_due(cal, post), std::move(rendered.text), std::move(rendered.subject)});
    template_values record;
    for (std::size_t i = 0; i < digest_post_fields.size(); ++i)
      record.strings.emplace_back(digest_post_fields[i], stored[i]);
    records_.push_back(std::move(record));
  }
}

}  // namespace herald

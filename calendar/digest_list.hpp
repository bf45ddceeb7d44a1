#pragma once
// The list a digest post carries (docs/calendar.md "Digests"): for
// `list: occurrences`, the observances overlapping the digest's window, each
// with its event's variables (`relative` from the digest's date); for
// `list: posts`, the posts herald will send in the window (`key`, `event`,
// `title`, `channel`, `due`, `text`, `subject`), in order. Digests are never
// in a digest's list. The window is the digest's date and the days after it
// (`covers`).

#include <deque>
#include <string>
#include <vector>

#include <date/date.h>

#include "calendar/calendar.hpp"
#include "calendar/plan.hpp"
#include "calendar/template.hpp"

namespace herald {

/// Whether the digest's list on `date` is empty: the same answer as
/// digest_list(cal, spec, date).records().empty(), from the window's plan
/// alone, without rendering its posts (what a `skip_empty` digest asks of
/// every date it is planned on).
bool digest_list_empty(const calendar& cal, const digest_spec& spec, date::local_days date);

class digest_list {
 public:
  digest_list() = default;
  /// `wanted`: the built-in variables its items need (event_facts).
  digest_list(const calendar& cal, const digest_spec& spec, date::local_days date,
              builtin_set wanted = builtin_set().set());
  digest_list(const digest_list&) = delete;  // records point into facts_ and texts_
  digest_list& operator=(const digest_list&) = delete;
  digest_list(digest_list&&) = default;
  digest_list& operator=(digest_list&&) = default;

  /// One record per item, for the template's `{{#items}}` section.
  const std::vector<template_values>& records() const { return records_; }

 private:
  // Deques: records keep views into their elements, which never move.
  std::deque<event_facts> facts_;               // list: occurrences
  std::deque<std::vector<std::string>> texts_;  // list: posts
  std::vector<template_values> records_;
};

}  // namespace herald

#pragma once
// A post's key (docs/calendar.md "Post keys"):
// `<event id>/<occurrence start YYYY-MM-DD>/<at>/<channel>`, with `at` in
// days from the occurrence's start (`0d`, `-28d`, `+1d`) or its end (`end`,
// `end+1d`, `end-2d`). The key is how the journal knows a post was sent, so
// it is written in one place only: here.
//
// Pure vocabulary, in text/ so that every folder can see it, messaging too
// (which does not depend on calendar/).

#include <optional>
#include <string>
#include <string_view>

#include <date/date.h>

namespace herald {

/// A step's `at` as a key writes it: days from the occurrence's start or end.
struct key_offset {
  bool from_end = false;
  int days = 0;
  bool workdays = false;  ///< `days` counts working days: `-5wd`, `end+2wd`
  friend bool operator==(const key_offset&, const key_offset&) = default;
};

struct post_key {
  /// Between the four parts; never inside one.
  static constexpr char separator = '/';

  std::string event;  ///< the event's id
  date::local_days start;
  key_offset at;
  std::string channel;  ///< the channel's name

  /// The key as the journal and the logs know it.
  std::string str() const;
  /// The key `str()` writes for it, or nullopt: exactly four parts, the
  /// event and channel non-empty, a real date, `at` written as `str()`
  /// writes it (`0d`, not `+0d` or `0`).
  static std::optional<post_key> parse(std::string_view text);

  friend bool operator==(const post_key&, const post_key&) = default;
};

/// `0d`, `-28d`, `+1d`, `end`, `end+1d`, `end-2d`.
std::string format_key_offset(key_offset at);

/// The key of those parts, for a caller holding them elsewhere: a plan
/// builds keys by the thousand and need not copy its names first.
std::string format_post_key(std::string_view event, date::local_days start, key_offset at, std::string_view channel);

/// A channel's name as post keys and logs can hold it: letters, digits,
/// '-', '_' and '.', starting with a letter or digit (docs/channels.md).
bool is_channel_name(std::string_view name);

}  // namespace herald

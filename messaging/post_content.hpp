#pragma once
// What a channel needs to know of one post: rendered text and the facts
// around it. Built by the daemon from a planned post; channels format it.

#include <string>

namespace herald {

struct post_content {
  std::string key;    ///< `<event id>/<occurrence start>/<at>/<channel>`
  std::string event;  ///< event id
  std::string title;
  std::string text;      ///< the rendered message (plain text)
  std::string subject;   ///< the rendered subject (email)
  std::string url;       ///< the event's url; may be empty
  std::string date;      ///< occurrence start, YYYY-MM-DD
  std::string end_date;  ///< occurrence end, YYYY-MM-DD
  std::string due;       ///< due instant, RFC 3339 UTC (`2027-05-26T08:30:00Z`)
  std::string channel;   ///< channel name
};

}  // namespace herald

#pragma once
// GET / (docs/daemon.md "The status endpoint"): the daemon's state for people —
// a banner when it is degraded, the observances of the coming weeks, the
// posts with their state in words (planned, pending, retrying, sending,
// sent, failed, missed), and what operators did: the channels paused and
// the latest actions (skip, resend, pause, resume), by whom and when.
//
// Pure: the inputs in, one HTML document out. Semantic and accessible
// without JavaScript: lang="en", header/main/footer, one h1, an h2 per
// section, tables with a caption and th scope, states in words (colour only
// repeats them), a viewport meta and inline CSS that reflows on a phone,
// text colours of 4.5:1 or more. Every text from the calendar or the
// journal is HTML-escaped. No external fetch, no script.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/status_report.hpp"

namespace herald {

struct page_observance {
  std::string title;
  date::local_days start, end;  ///< both included
};

struct status_page_input {
  const status_report* report = nullptr;  ///< null when it could not be built (the journal failed)
  std::vector<page_observance> observances;
  int weeks = 6;  ///< how far `observances` reaches
  date::local_days today;
  std::string zone_name;              ///< the first calendar's time zone
  std::vector<std::string> degraded;  ///< the reasons; none when healthy
  std::string version;
};

std::string render_status_page(const status_page_input& input);

/// `text` with `&`, `<`, `>`, `"` and `'` as character references.
std::string html_escape(std::string_view text);

}  // namespace herald

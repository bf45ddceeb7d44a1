#include "cli/preview_format.hpp"

#include <algorithm>
#include <ostream>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "text/civil.hpp"
#include "text/instant_format.hpp"
#include "text/one_line.hpp"
#include "text/utf8.hpp"

namespace herald {
namespace json = boost::json;

namespace {

json::object occurrence_json(const calendar& cal, const planned_occurrence& o) {
  const auto& e = cal.events[o.event];
  return {{"event", e.id},
          {"title", e.title},
          {"start", format_iso_date(o.span.start)},
          {"end", format_iso_date(o.span.end)}};
}

json::object post_json(const calendar& cal, const planned_post& p) {
  auto rendered = render_post(cal, p);
  return {{"key", p.key()},
          {"event", cal.events[p.event].id},
          {"occurrence", format_iso_date(p.occurrence.start)},
          {"at", p.source->at.key()},
          {"channel", cal.channels[p.channel]},
          {"due", format_local_instant(*cal.zone, p.due)},
          {"due_utc", format_utc_instant(p.due)},
          {"text", rendered.text},
          {"subject", rendered.subject}};
}

// Items one per line: the document stays one JSON value, streams in constant
// memory and diffs well.
class json_array {
 public:
  json_array(std::ostream& out, std::string_view name) : out_(out) { out_ << "  \"" << name << "\": ["; }
  void add(const json::object& item) {
    out_ << (first_ ? "\n    " : ",\n    ") << json::serialize(item);
    first_ = false;
  }
  void close(bool last) { out_ << (first_ ? "]" : "\n  ]") << (last ? "\n" : ",\n"); }

 private:
  std::ostream& out_;
  bool first_ = true;
};

}  // namespace

void write_preview_json(const preview_data& data, std::ostream& out) {
  out << "{\n  \"timezone\": " << json::serialize(json::string(data.timezone)) << ",\n"
      << "  \"from\": \"" << format_iso_date(data.from) << "\",\n"
      << "  \"until\": \"" << format_iso_date(data.until) << "\",\n";
  json_array occurrences(out, "occurrences");
  for (const auto& o : data.occurrences) occurrences.add(occurrence_json(*o.cal, o));
  occurrences.close(false);
  json_array posts(out, "posts");
  data.for_each_post([&](const planned_post& p) { posts.add(post_json(*p.cal, p)); });
  posts.close(true);
  out << "}\n";
}

namespace {

struct palette {
  std::string_view bold, dim, date, channel, reset;
};

palette colours(bool on) {
  if (!on) return {};
  return {"\x1b[1m", "\x1b[2m", "\x1b[36m", "\x1b[33m", "\x1b[0m"};
}

// Display width in code points (good enough for the Latin, Greek and Cyrillic
// text of most calendars).
std::size_t display_width(std::string_view s) { return utf8_count(s); }

std::string pad(std::string_view s, std::size_t width) {
  auto w = display_width(s);
  return std::string(s) + std::string(w < width ? width - w : 0, ' ');
}

// The first line of `text`, cut to `width` code points with an ellipsis;
// escapes and controls in it show as \xNN (calendar text is not trusted
// with the terminal).
std::string first_line(std::string_view raw, std::size_t width) {
  auto line = terminal_line(raw.substr(0, raw.find('\n')));
  std::string_view text = line;
  if (display_width(text) <= width) return std::string(text);
  std::size_t i = 0, shown = 0;
  while (i < text.size() && shown + 1 < width) {
    ++i;
    while (i < text.size() && is_utf8_continuation(text[i])) ++i;
    ++shown;
  }
  return std::string(text.substr(0, i)) + "…";
}

std::string short_date(date::local_days day) {
  date::year_month_day ymd{day};
  return fmt::format("{} {:2} {} {}", weekday_short_name(date::weekday{day}), static_cast<unsigned>(ymd.day()),
                     month_name(ymd.month()).substr(0, 3), static_cast<int>(ymd.year()));
}

}  // namespace

void write_preview_text(const preview_data& data, std::ostream& out, const text_style& style) {
  // The header's count and the columns' widths need every post: a first
  // pass measures them, a second writes.
  std::size_t posts = 0, channel_width = 0, at_width = 0, post_id_width = 0;
  data.for_each_post([&](const planned_post& p) {
    const auto* cal = p.cal;
    ++posts;
    channel_width = std::max(channel_width, cal->channels[p.channel].size());
    post_id_width = std::max(post_id_width, cal->events[p.event].id.size());
    at_width = std::max(at_width, p.source->at.key().size());
  });

  auto c = colours(style.colour);
  out << c.bold << format_iso_date(data.from) << " … " << format_iso_date(data.until) << c.reset << "  "
      << data.timezone << "  " << data.occurrences.size() << " occurrence" << (data.occurrences.size() == 1 ? "" : "s")
      << ", " << posts << " post" << (posts == 1 ? "" : "s") << "\n";

  out << "\n" << c.bold << "Occurrences" << c.reset << "\n";
  std::size_t id_width = 0;
  for (const auto& o : data.occurrences) id_width = std::max(id_width, o.cal->events[o.event].id.size());
  for (const auto& o : data.occurrences) {
    const auto& e = o.cal->events[o.event];
    auto when = o.span.start == o.span.end ? short_date(o.span.start)
                                           : short_date(o.span.start) + " – " + short_date(o.span.end);
    out << "  " << c.date << pad(when, 33) << c.reset << "  " << pad(e.id, id_width) << "  " << terminal_line(e.title)
        << "\n";
  }
  if (data.occurrences.empty()) out << "  (none)\n";

  out << "\n" << c.bold << "Posts" << c.reset << "\n";
  id_width = post_id_width;
  data.for_each_post([&](const planned_post& p) {
    const auto* cal = p.cal;
    auto info = cal->zone->get_info(p.due);
    auto local = date::local_seconds{(p.due + info.offset).time_since_epoch()};
    auto due = short_date(date::floor<date::days>(local)) + date::format(" %H:%M ", local) + info.abbrev;
    auto fixed = 2 + display_width(due) + 2 + channel_width + 2 + id_width + 2 + at_width + 2;
    auto room = style.width == 0 ? std::string_view::npos : style.width > fixed + 10 ? style.width - fixed : 10;
    auto text = first_line(render_post(*cal, p).text, room);
    out << "  " << c.date << due << c.reset << "  " << c.channel << pad(cal->channels[p.channel], channel_width)
        << c.reset << "  " << pad(cal->events[p.event].id, id_width) << "  " << c.dim
        << pad(p.source->at.key(), at_width) << c.reset << "  " << text << "\n";
  });
  if (posts == 0) out << "  (none)\n";
}

}  // namespace herald

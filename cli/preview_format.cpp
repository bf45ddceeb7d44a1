#include "cli/preview_format.hpp"

#include <algorithm>
#include <ostream>

#include <fmt/format.h>

#include "calendar/template.hpp"
#include "text/civil.hpp"
#include "text/instant_format.hpp"
#include "text/json_string.hpp"
#include "text/one_line.hpp"
#include "text/utf8.hpp"

namespace herald {

namespace {

// The document is written by hand into one buffer, handed to the stream in
// large pieces: a boost::json::object per post and its serialize() were
// most of the time after the parse (docs/PERFORMANCE.md "2026-12-03,
// afternoon: preview JSON written directly"). append_json_string escapes as
// boost does, so the bytes are the same.
class json_writer {
 public:
  explicit json_writer(std::ostream& out) : out_(out) { buffer_.reserve(flush_at + (64u << 10)); }
  ~json_writer() { flush(); }
  json_writer(const json_writer&) = delete;
  json_writer& operator=(const json_writer&) = delete;

  std::string& buffer() { return buffer_; }
  /// `"name":"value"` with the comma before it unless it is the item's
  /// first. `name` is one of ours and needs no escape.
  void field(std::string_view name, std::string_view value, bool first = false) {
    if (!first) buffer_ += ',';
    buffer_ += '"';
    buffer_.append(name);
    buffer_.append("\":", 2);
    append_json_string(buffer_, value);
  }
  void maybe_flush() {
    if (buffer_.size() >= flush_at) flush();
  }
  void flush() {
    out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    buffer_.clear();
  }

 private:
  static constexpr std::size_t flush_at = 256u << 10;
  std::ostream& out_;
  std::string buffer_;
};

// Items one per line: the document stays one JSON value, streams in constant
// memory and diffs well.
class json_array {
 public:
  json_array(json_writer& w, std::string_view name) : w_(w) { w_.buffer().append("  \"").append(name).append("\": ["); }
  /// Starts an item; the caller writes its fields, then calls end_item().
  void begin_item() {
    w_.buffer().append(first_ ? "\n    {" : ",\n    {");
    first_ = false;
  }
  void end_item() {
    w_.buffer() += '}';
    w_.maybe_flush();
  }
  void close(bool last) { w_.buffer().append(first_ ? "]" : "\n  ]").append(last ? "\n" : ",\n"); }

 private:
  json_writer& w_;
  bool first_ = true;
};

// A post's due instant as text, in its zone and in UTC: posts come by due
// instant, so runs of them share one, formatted once.
class due_text {
 public:
  void set(const date::time_zone& zone, date::sys_seconds due) {
    if (zone_ == &zone && due_ == due) return;
    zone_ = &zone;
    due_ = due;
    local_ = format_local_instant(zone, due);
    utc_ = format_utc_instant(due);
  }
  const std::string& local() const { return local_; }
  const std::string& utc() const { return utc_; }

 private:
  const date::time_zone* zone_ = nullptr;
  date::sys_seconds due_{};
  std::string local_, utc_;
};

void write_occurrence(json_writer& w, const planned_occurrence& o, std::string& date) {
  const auto& e = o.cal->events[o.event];
  w.field("event", e.id, true);
  w.field("title", e.title);
  date.clear();
  append_iso_date(date, o.span.start);
  w.field("start", date);
  date.clear();
  append_iso_date(date, o.span.end);
  w.field("end", date);
}

}  // namespace

void write_preview_json(const preview_data& data, std::ostream& out) {
  json_writer w(out);
  auto& b = w.buffer();
  b.append("{\n  \"timezone\": ");
  append_json_string(b, data.timezone);
  b.append(",\n  \"from\": \"");
  append_iso_date(b, data.from);
  b.append("\",\n  \"until\": \"");
  append_iso_date(b, data.until);
  b.append("\",\n");

  std::string date;
  json_array occurrences(w, "occurrences");
  for (const auto& o : data.occurrences) {
    occurrences.begin_item();
    write_occurrence(w, o, date);
    occurrences.end_item();
  }
  occurrences.close(false);

  json_array posts(w, "posts");
  due_text due;
  date::local_days occurrence_day{};
  std::string occurrence;  // occurrence_day as text
  data.for_each_post([&](const planned_post& p) {
    const auto& cal = *p.cal;
    if (occurrence.empty() || p.occurrence.start != occurrence_day) {
      occurrence_day = p.occurrence.start;
      occurrence.clear();
      append_iso_date(occurrence, occurrence_day);
    }
    due.set(*cal.zone, p.due);
    auto rendered = render_post(cal, p);
    posts.begin_item();
    w.field("key", p.key(), true);
    w.field("event", cal.events[p.event].id);
    w.field("occurrence", occurrence);
    w.field("at", p.source->at.key());
    w.field("channel", cal.channels[p.channel]);
    w.field("due", due.local());
    w.field("due_utc", due.utc());
    w.field("text", rendered.text);
    w.field("subject", rendered.subject);
    posts.end_item();
  });
  posts.close(true);
  b.append("}\n");
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

// Under a post whose digest list was cut at the post's bound: its first
// line reads like any other post's, so the table says so on a line of its
// own, and how long the post is (docs/cli.md "Text output").
std::string cut_note(const rendered_post& post) {
  auto lines = std::count(post.text.begin(), post.text.end(), '\n') + 1;
  return fmt::format("↳ cut: {} more item{} not listed (a post holds at most {} KiB); this post: {} line{}, {} KiB",
                     post.unlisted, post.unlisted == 1 ? "" : "s", text_template::max_rendered_bytes >> 10, lines,
                     lines == 1 ? "" : "s", (post.text.size() + 1023) / 1024);
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
    auto rendered = render_post(*cal, p);
    auto text = first_line(rendered.text, room);
    out << "  " << c.date << due << c.reset << "  " << c.channel << pad(cal->channels[p.channel], channel_width)
        << c.reset << "  " << pad(cal->events[p.event].id, id_width) << "  " << c.dim
        << pad(p.source->at.key(), at_width) << c.reset << "  " << text << "\n";
    if (rendered.unlisted > 0)
      out << std::string(fixed, ' ') << c.dim << first_line(cut_note(rendered), room) << c.reset << "\n";
  });
  if (posts == 0) out << "  (none)\n";
}

}  // namespace herald

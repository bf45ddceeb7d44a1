// Resolution: the second half of loading, once the whole file has been read
// (events may come before the defaults and campaigns they use), or event by
// event as they are read when those come first (event_resolver).
#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "calendar/calendar_source.hpp"
#include "calendar/event_id_set.hpp"
#include "calendar/plan.hpp"
#include "text/post_key.hpp"

namespace herald {
namespace {

bool is_builtin(std::string_view name) {
  return std::find(builtin_variables.begin(), builtin_variables.end(), name) != builtin_variables.end();
}

// A digest's template may name its list and its items' variables.
bool is_digest_variable(std::string_view name) {
  return name == digest_items ||
         std::find(digest_post_fields.begin(), digest_post_fields.end(), name) != digest_post_fields.end();
}

class resolver {
 public:
  resolver(calendar_source& source, const std::optional<std::vector<std::string>>& known_channels,
           diagnostics_collector& out)
      : source_(source), known_channels_(known_channels), out_(out) {}

  // Everything at once, once the whole file has been read.
  std::optional<calendar> run(const std::string& file) {
    start_calendar();
    start();
    resolve_events(0);
    return finish(file);
  }

  // The zone and working days: what no event's resolution needs.
  void start_calendar() {
    cal_.timezone = source_.timezone;
    cal_.zone = find_zone();
    cal_.workdays = workday_calendar(source_.workdays, source_.holidays);
  }

  // What resolving an event needs: the calendar's vars, the defaults and
  // the campaigns.
  void start() {
    check_vars(source_.vars, source_.var_marks);
    cal_.vars = std::move(source_.vars);
    for (const auto& [name, value] : cal_.vars) {
      calendar_names_.insert(name);
      longest_calendar_var_ = std::max(longest_calendar_var_, value.size());
    }
    for (auto& [name, steps] : source_.campaigns) {
      campaign_index_.emplace(name.name, static_cast<int>(cal_.campaigns.size()));
      cal_.campaigns.push_back({name.name, resolve_steps(steps)});
      campaign_sources_.push_back(&steps);
    }
  }

  void resolve(event& e, event_source& source) {
    if (!out_.full()) resolve_event(e, source, cal_.campaigns);
  }

  // source_.events[first...], with source_.extras parallel to them.
  void resolve_events(std::size_t first) {
    for (std::size_t i = first; i < source_.events.size() && !out_.full(); ++i)
      resolve_event(source_.events[i], source_.extras[i - first], cal_.campaigns);
  }

  // Events resolved as they are read are checked for unique ids once the
  // parse is over (check_ids_of_read): the table of ids is then not in
  // memory beside the parse's, where a reload peaks.
  void check_ids_after_reading() { ids_after_reading_ = true; }

  // The first `count` events, resolved as they were read. A duplicate is an
  // error, and a load with errors reads the file again the usual way, which
  // reports each at its event (calendar_loader.cpp, load_with_retries).
  void check_ids_of_read(std::size_t count) {
    ids_after_reading_ = false;
    if (count == source_.events.size()) return check_ids_at_once();
    // Events left to resolve are checked against these, one by one.
    for (std::size_t i = 0; i < count && !out_.full(); ++i) check_id(source_.events[i], source_.events[i].id_mark);
  }

  // Every event's id at once, as check_id would one by one (each duplicate
  // in file order, against the first event with its id): their indices
  // sorted by id, 4 bytes an event, where check_id's table is 8-byte slots
  // at most half full, 24 bytes an event while it doubles. It stands
  // beside the whole calendar, where a reload peaks (docs/PERFORMANCE.md
  // "2026-12-03, seventh session: reload peak").
  void check_ids_at_once() {
    const auto& events = source_.events;
    std::vector<std::uint32_t> by_id;
    by_id.reserve(events.size());
    for (std::uint32_t i = 0; i < events.size(); ++i)
      if (!events[i].id.empty()) by_id.push_back(i);
    std::sort(by_id.begin(), by_id.end(), [&](std::uint32_t a, std::uint32_t b) {
      auto order = events[a].id.compare(events[b].id);
      return order != 0 ? order < 0 : a < b;
    });
    std::vector<std::pair<std::uint32_t, std::uint32_t>> duplicates;  // an event, the first with its id
    for (std::size_t i = 1, first = 0; i < by_id.size(); ++i) {
      if (events[by_id[i]].id != events[by_id[first]].id)
        first = i;
      else
        duplicates.emplace_back(by_id[i], by_id[first]);
    }
    std::sort(duplicates.begin(), duplicates.end());
    for (auto [i, first] : duplicates) {
      if (out_.full()) return;
      out_.error(events[i].id_mark,
                 fmt::format("duplicate event id '{}' (first on line {})", events[i].id, events[first].id_mark.line));
    }
  }

  // The events resolved as they were read are done: the lists they shared
  // may be freed, and their addresses reused by the digests' lists.
  void forget_shared_lists() { resolved_lists_.clear(); }

  std::optional<calendar> finish(const std::string& file) {
    check_unused_campaigns(cal_.campaigns);
    source_.extras.clear();
    cal_.file = file;
    cal_.events = std::move(source_.events);
    cal_.text = std::move(source_.text);
    cal_.channels = std::move(channel_names_);
    if (!out_.ok()) return std::nullopt;
    return std::move(cal_);
  }

 private:
  const date::time_zone* find_zone() {
    if (source_.timezone.empty()) return nullptr;  // already reported as missing
    try {
      return date::locate_zone(source_.timezone);
    } catch (const std::exception&) {
      std::vector<std::string_view> names;
      for (const auto& zone : date::get_tzdb().zones) names.push_back(zone.name());
      out_.error(source_.timezone_mark,
                 fmt::format("unknown time zone '{}'{}", source_.timezone, did_you_mean(source_.timezone, names)),
                 "use an IANA zone name such as Europe/London or America/New_York");
      return nullptr;
    }
  }

  template <class Vars>  // the calendar's string_pairs, an event's views
  void check_vars(const Vars& vars, std::span<const source_mark> marks) {
    for (std::size_t i = 0; i < vars.size(); ++i)
      if (is_builtin(vars[i].first))
        out_.error(marks[i], fmt::format("var '{}' would hide the built-in variable of that name", vars[i].first),
                   "choose another name");
  }

  std::optional<channel_index> channel(const marked_name& name) {
    // "a, b" is one name to YAML, and would end a post key with a comma.
    auto list_hint = name.name.find(',') == std::string::npos
                         ? std::string()
                         : fmt::format("for several channels write a list: channels: [{}]", name.name);
    if (known_channels_ &&
        std::find(known_channels_->begin(), known_channels_->end(), name.name) == known_channels_->end()) {
      std::vector<std::string_view> names(known_channels_->begin(), known_channels_->end());
      out_.error(name.mark, fmt::format("unknown channel '{}'{}", name.name, did_you_mean(name.name, names)),
                 list_hint.empty() ? "channels are defined under 'channels:' in the config" : list_hint);
      return std::nullopt;
    }
    if (!known_channels_ && !is_channel_name(name.name)) {  // --calendar alone
      out_.error(
          name.mark, fmt::format("invalid channel name '{}'", name.name),
          list_hint.empty() ? "use letters, digits, '-', '_' and '.', starting with a letter or digit" : list_hint);
      return std::nullopt;
    }
    auto [it, added] = channel_index_.emplace(name.name, static_cast<channel_index>(channel_names_.size()));
    if (added) channel_names_.push_back(name.name);
    return it->second;
  }

  step resolve_step(step_source& source) {
    step s;
    s.at = source.at;
    s.message = source.message->tmpl;  // copies share the parse
    // step{} holds the defaults: 09:00, keep.
    s.time = source.time.value_or(source_.defaults.time.value_or(s.time));
    s.not_workday = source.not_workday.value_or(source_.defaults.not_workday.value_or(s.not_workday));
    if (source.subject) s.subject = source.subject->tmpl;
    const auto& names = source.channels ? source.channels : source_.defaults.channels;
    if (!names || names->empty())
      out_.error(source.mark, "this step has no channel", "give it 'channels:' or set 'defaults: { channels: [...] }'");
    else
      for (const auto& name : *names)
        if (auto index = channel(name)) {
          if (std::find(s.channels.begin(), s.channels.end(), *index) != s.channels.end())
            out_.error(name.mark, fmt::format("channel '{}' is listed twice", name.name));
          else
            s.channels.push_back(*index);
        }
    return s;
  }

  std::vector<step> resolve_steps(std::vector<step_source>& sources) {
    std::vector<step> steps;
    for (auto& source : sources) steps.push_back(resolve_step(source));
    return steps;
  }

  // Template variables must be built-ins or vars of the calendar or event.
  void check_templates(const std::vector<step>& steps, const std::vector<step_source>& sources, const event& e) {
    for (std::size_t i = 0; i < steps.size(); ++i) {
      check_template(steps[i].message, sources[i].message->variable_marks, e);
      check_size(steps[i].message, sources[i].message->mark, e);
      if (steps[i].subject) check_template(*steps[i].subject, sources[i].subject->variable_marks, e);
      if (steps[i].subject) check_size(*steps[i].subject, sources[i].subject->mark, e);
    }
  }

  void check_template(const text_template& tmpl, const std::vector<source_mark>& marks, const event& e) {
    const auto& variables = tmpl.variables();
    for (std::size_t i = 0; i < variables.size(); ++i) {
      const auto& name = variables[i].name;
      if (is_builtin(name) || calendar_names_.contains(name) || (name == "." && variables[i].in_section)) continue;
      if (e.digest && is_digest_variable(name)) continue;
      if (std::any_of(e.vars.begin(), e.vars.end(), [&](auto& v) { return v.first == name; })) continue;
      if (!reported_.insert({marks[i].line, marks[i].col, name}).second) continue;
      std::vector<std::string_view> known(builtin_variables.begin(), builtin_variables.end());
      for (auto& n : calendar_names_) known.push_back(n);
      for (auto& v : e.vars) known.push_back(v.first);
      auto whose = e.id.empty() ? std::string() : fmt::format(" for event '{}'", e.id);
      out_.error(marks[i], fmt::format("unknown variable '{}'{}{}", name, whose, did_you_mean(name, known)),
                 "use a built-in such as {{title}} or {{date}}, or define it under 'vars:'");
    }
  }

  // Sections over lists multiply: {{#tags}} four deep over 250 tags is 4
  // billion copies from a 1 KB file. Refused here, with the bound, so that
  // `validate` says so instead of the daemon running out of memory.
  void check_size(const text_template& tmpl, source_mark mark, const event& e) {
    constexpr std::size_t longest_builtin = 64;  // a long date, "in 52 weeks", a year
    std::size_t longest = std::max({longest_builtin, e.id.size(), e.title.size(), e.description.size(), e.url.size()});
    std::size_t longest_tag = 0;
    for (const auto& tag : e.tags) longest_tag = std::max(longest_tag, tag.size());
    for (const auto& [name, value] : e.vars) longest = std::max(longest, value.size());
    longest = std::max({longest, longest_tag, longest_calendar_var_});
    auto bound = tmpl.size_bound(
        [&](std::string_view name) -> std::optional<text_template::list_shape> {
          if (name == "tags") return text_template::list_shape{e.tags.size(), longest_tag};
          return std::nullopt;
        },
        longest);
    if (bound <= text_template::max_rendered_bytes || !reported_.insert({mark.line, mark.col, "#size"}).second) return;
    auto whose = e.id.empty() ? std::string() : fmt::format(" for event '{}'", e.id);
    out_.error(mark,
               fmt::format("this template could render {}{} (the limit is {} KiB)",
                           bound >= (std::size_t{1} << 62) ? "more than 4 EiB" : fmt::format("{} KiB", bound >> 10),
                           whose, text_template::max_rendered_bytes >> 10),
               "a section over a list repeats what it holds once per item, and nested sections multiply; "
               "nest fewer sections over 'tags'");
  }

  void resolve_event(event& e, event_source& source, const std::vector<campaign>& campaigns) {
    if (!ids_after_reading_) check_id(e, source.id_mark);
    check_vars(e.vars, source_.var_marks_of(source));
    if (source.campaign) {
      auto name = source_.campaign_name(source);
      auto it = campaign_index_.find(std::string(name));
      if (it == campaign_index_.end()) {
        std::vector<std::string_view> names;
        for (const auto& c : campaigns) names.push_back(c.name);
        out_.error(source.campaign_mark, fmt::format("unknown campaign '{}'{}", name, did_you_mean(name, names)));
      } else {
        e.campaign = it->second;
        used_campaigns_.insert(it->second);
        check_templates(campaigns[static_cast<std::size_t>(it->second)].steps,
                        *campaign_sources_[static_cast<std::size_t>(it->second)], e);
      }
    }
    if (source.steps) {
      e.steps = own_steps(source.steps);
      check_templates(*e.steps, *source.steps, e);
    }
    check_post_keys(campaigns, e, source);
    if (source.steps && source.steps.use_count() == 1) resolved_lists_.erase(source.steps.get());
    source = {};  // free the marks now, and the list with its last event
  }

  void check_id(const event& e, source_mark mark) {
    if (e.id.empty()) return;
    if (const auto* first = ids_.insert(e))
      out_.error(mark, fmt::format("duplicate event id '{}' (first on line {})", e.id, first->id_mark.line));
  }

  // A list shared by events (step_list_pool in the loader) is resolved
  // once and stays shared.
  std::shared_ptr<const std::vector<step>> own_steps(const std::shared_ptr<std::vector<step_source>>& sources) {
    auto& resolved = resolved_lists_[sources.get()];
    if (!resolved) resolved = std::make_shared<const std::vector<step>>(resolve_steps(*sources));
    return resolved;
  }

  // A campaign no event uses still has its templates checked, against the
  // built-ins and calendar vars: a typo should not wait for its first user.
  void check_unused_campaigns(const std::vector<campaign>& campaigns) {
    event nobody;
    for (std::size_t c = 0; c < campaigns.size(); ++c)
      if (!used_campaigns_.contains(static_cast<int>(c)))
        check_templates(campaigns[c].steps, *campaign_sources_[c], nobody);
  }

  void check_post_keys(const std::vector<campaign>& campaigns, const event& e, const event_source& source) {
    // An event has a few steps: a list searched in place, with the offsets
    // as key_offset (no text per step and event; docs/PERFORMANCE.md
    // "2026-12-03, last session: preview time"). Offsets of 0 days are one
    // key whether they count working days or not ("0d").
    auto& seen = seen_keys_;
    seen.clear();
    auto check = [&](const step& s, source_mark mark) {
      auto at = s.at.key_form();
      if (at.days == 0) at.workdays = false;
      for (auto ch : s.channels) {
        auto it = std::find_if(seen.begin(), seen.end(), [&](const auto& k) { return k.at == at && k.channel == ch; });
        if (it == seen.end()) {
          seen.push_back({at, ch, mark});
          continue;
        }
        if (!reported_.insert({mark.line, mark.col, "#key"}).second) continue;
        out_.error(mark,
                   fmt::format("event '{}' has two steps at {} for channel '{}' (the other is on line {})", e.id,
                               s.at.key(), channel_names_[ch], it->mark.line),
                   "a post key <event>/<date>/<at>/<channel> must be unique; change 'at' or the channels");
      }
    };
    if (e.campaign >= 0) {
      auto index = static_cast<std::size_t>(e.campaign);
      for (std::size_t i = 0; i < campaigns[index].steps.size(); ++i)
        check(campaigns[index].steps[i], (*campaign_sources_[index])[i].mark);
    }
    if (e.steps)
      for (std::size_t i = 0; i < e.steps->size(); ++i) check((*e.steps)[i], (*source.steps)[i].mark);
  }

  struct step_key {
    key_offset at;
    channel_index channel;
    source_mark mark;  // the first step with it
  };
  std::vector<step_key> seen_keys_;  // check_post_keys's, reused
  calendar cal_;                     // being resolved
  calendar_source& source_;
  const std::optional<std::vector<std::string>>& known_channels_;
  diagnostics_collector& out_;
  std::unordered_set<std::string> calendar_names_;
  std::size_t longest_calendar_var_ = 0;
  std::unordered_map<std::string, int> campaign_index_;
  std::vector<const std::vector<step_source>*> campaign_sources_;
  std::unordered_map<std::string, channel_index> channel_index_;
  std::vector<std::string> channel_names_;
  event_id_set ids_;
  bool ids_after_reading_ = false;
  std::unordered_set<int> used_campaigns_;
  std::unordered_map<const std::vector<step_source>*, std::shared_ptr<const std::vector<step>>> resolved_lists_;
  std::set<std::tuple<int, int, std::string>> reported_;
};

}  // namespace

std::optional<calendar> resolve_calendar(calendar_source&& source, const std::string& file,
                                         const std::optional<std::vector<std::string>>& known_channels,
                                         diagnostics_collector& out) {
  return resolver(source, known_channels, out).run(file);
}

struct event_resolver::impl : resolver {
  using resolver::resolver;
};

event_resolver::event_resolver(calendar_source& source, const std::optional<std::vector<std::string>>& known_channels,
                               diagnostics_collector& out)
    : impl_(std::make_unique<impl>(source, known_channels, out)) {
  impl_->start();
  impl_->check_ids_after_reading();
}

event_resolver::~event_resolver() = default;

void event_resolver::resolve(event& e, event_source& source) { impl_->resolve(e, source); }

std::optional<calendar> event_resolver::finish(const std::string& file, std::size_t resolved) {
  impl_->forget_shared_lists();
  impl_->check_ids_of_read(resolved);
  impl_->start_calendar();
  impl_->resolve_events(resolved);
  return impl_->finish(file);
}

}  // namespace herald

#include "scheduling/post_builder.hpp"

#include <fmt/format.h>

#include "text/civil.hpp"
#include "text/instant_format.hpp"
#include "text/post_key.hpp"

namespace herald {

post_content make_post_content(const planned_post& post) {
  const auto& cal = *post.cal;
  const auto& e = cal.events[post.event];
  auto rendered = render_post(cal, post);
  return {post.key(),
          std::string(e.id),
          std::string(e.title),
          std::move(rendered.text),
          std::move(rendered.subject),
          std::string(e.url),
          format_iso_date(post.occurrence.start),
          format_iso_date(post.occurrence.end),
          format_utc_instant(post.due),
          cal.channels[post.channel]};
}

post_content sample_post(const std::string& channel, date::sys_seconds now) {
  post_key key{"herald-test", date::local_days{date::floor<date::days>(now).time_since_epoch()}, {}, channel};
  auto today = format_iso_date(key.start);
  return {key.str(),
          key.event,
          "herald test post",
          fmt::format("This is a test post from herald to the channel '{}'. If you can read it, the channel works.",
                      channel),
          "herald test post",
          "",
          today,
          today,
          format_utc_instant(now),
          channel};
}

}  // namespace herald

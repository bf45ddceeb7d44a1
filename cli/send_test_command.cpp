// herald send-test: render a post for one channel and send it now (docs/cli.md).
// Records nothing; exit 0 when the channel accepted the post, else 1.
#include <algorithm>
#include <iostream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <boost/asio/io_context.hpp>

#include "cli/commands.hpp"
#include "daemon/channel.hpp"
#include "scheduling/post_builder.hpp"
#include "settings/calendar_sources.hpp"
#include "text/one_line.hpp"

namespace herald {
namespace {

// The next post of `event_id` in the coming two years, preferring one meant
// for `channel`; it goes to `channel` either way.
std::optional<post_content> next_post_of(const calendar_sources& sources, const std::string& event_id,
                                         const std::string& channel, date::sys_seconds now) {
  for (const auto& cal : sources.calendars) {
    if (std::none_of(cal.events.begin(), cal.events.end(), [&](auto& e) { return e.id == event_id; })) continue;
    auto today = date::floor<date::days>(cal.zone->to_local(now));
    auto plan = plan_window(cal, today, today + date::days{731}, plan_filter{{event_id}, {}});
    auto future = [&](const planned_post& p) { return p.due >= now; };
    auto it = std::find_if(plan.posts.begin(), plan.posts.end(),
                           [&](auto& p) { return future(p) && cal.channels[p.channel] == channel; });
    if (it == plan.posts.end()) it = std::find_if(plan.posts.begin(), plan.posts.end(), future);
    if (it == plan.posts.end()) return std::nullopt;
    auto content = make_post_content(*it);
    content.channel = channel;
    content.key = it->key_on(channel);
    return content;
  }
  return std::nullopt;
}

}  // namespace

int send_test_command(const send_test_options& options, cli_context& context) {
  auto loaded = load_sources(default_config_path(options.sources, context), {});
  if (!loaded.ok()) return report_failure(loaded, context.err);
  const auto& sources = loaded.value;
  const auto& channels = sources->cfg->channels;
  auto config = std::find_if(channels.begin(), channels.end(), [&](auto& c) { return c.name == options.channel; });
  if (config == channels.end()) {
    auto names = sources->cfg->channel_names();
    context.err << fmt::format(
        "herald: error: unknown channel '{}'{}\n", terminal_line(options.channel),
        did_you_mean(options.channel, std::vector<std::string_view>(names.begin(), names.end())));
    context.err << fmt::format("  hint: the config's channels: {}\n", fmt::join(names, ", "));
    return 2;
  }
  auto now = date::floor<std::chrono::seconds>(context.now());
  post_content post;
  if (options.event.empty()) {
    post = sample_post(options.channel, now);
  } else if (auto next = next_post_of(*sources, options.event, options.channel, now)) {
    post = std::move(*next);
  } else {
    context.err << fmt::format("herald: error: event '{}' has no post in the coming two years\n", options.event);
    return 2;
  }
  if (options.mark) {
    // Where a real channel's readers see it first (docs/cli.md "herald send-test"):
    // the subject (email), the text, and the title Slack and Teams show as a heading.
    for (auto* field : {&post.subject, &post.text, &post.title}) field->insert(0, "[test] ");
  }
  secret_sources secrets{context.getenv};
  auto prepared = ready_channel::prepare(*config, secrets);
  if (auto* error = std::get_if<std::string>(&prepared)) {
    context.err << "herald: error: " << *error << "\n";
    return 1;
  }
  const auto& channel = std::get<ready_channel>(prepared);
  boost::asio::io_context io;
  curl_transport transport(io, {sources->cfg->delivery.timeout, {}, [&] { return now; }});
  delivery_outcome outcome;
  channel.deliver(post, transport, context.out, console_style_of(context), now,
                  [&](delivery_outcome result) { outcome = std::move(result); });
  io.run();
  auto where = channel.describe();
  if (outcome.sent()) {
    context.err << fmt::format("sent {} to '{}' ({}): {}\n", post.key, options.channel, where, outcome.detail);
    return 0;
  }
  auto kind = outcome.result == delivery_outcome::kind::transient ? "failed, would retry" : "failed";
  context.err << fmt::format("{} {} to '{}' ({}): {}\n", kind, post.key, options.channel, where, outcome.detail);
  return 1;
}

}  // namespace herald

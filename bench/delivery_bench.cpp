// Delivery throughput (scripts/bench, "delivery"; docs/PERFORMANCE.md
// "Delivery throughput"): N posts, all due at once, over many Slack
// channels, sent through one herald::curl_transport on one io_context,
// with no rate limit, to the local HTTP sink (bench/http_sink.cpp).
//
//   delivery_bench --base http://127.0.0.1:PORT [--posts N] [--channels C]
//                  [--window W] [--max-seconds S] [--describe]
//
// 1. Builds N posts (post_content as the daemon makes them from a plan:
//    key, title, a rendered message of 150-400 bytes, url, dates), spread
//    round-robin over C channels (default 50). Channel k's webhook is a
//    Slack-shaped path on the sink: BASE/services/T0BENCH00/B<k>/<token>.
// 2. Starts the clock, then keeps W posts (default 64) in flight: each one
//    is turned into its request with slack_request() just before
//    curl_transport::send(), and every outcome sends the next post. W is
//    how many posts the daemon would hand the transport at once when many
//    are due; the transport itself opens at most 8 connections per host
//    (CURLMOPT_MAX_HOST_CONNECTIONS), and all the channels here, like all
//    Slack webhooks, are on one host, so the transport's queue per host
//    holds the rest until a connection is free.
// 3. Stops the clock at the last outcome and prints one line:
//      delivery posts=N channels=C window=W seconds=S posts_per_s=R
//               failures=F body_bytes=B rss_before_kib=K peak_rss_kib=P
//               cpu_us_per_post=U
//    body_bytes: mean Slack body; rss_before_kib: VmRSS with the posts
//    built, before sending; peak_rss_kib: VmHWM at the end (the process's
//    peak resident memory, posts and transport included). cpu_us_per_post:
//    this process's user + system CPU time over the same span, per post;
//    on a shared machine it moves less than the wall time does.
//    With --describe it builds the posts and prints only
//      posts=N body_bytes=B
//    (scripts/bench sizes wrk's POST body from it) and sends nothing.
//
// Exits 1 when any post is not `sent` (the first failure is printed on
// stderr) or when --max-seconds (default 120) passes first; 2 on bad usage.
// Only http://127.0.0.1 and http://localhost bases are accepted.

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "messaging/curl_transport.hpp"
#include "messaging/payloads.hpp"
#include "messaging/post_content.hpp"

namespace {

using herald::post_content;
using clock_type = std::chrono::steady_clock;

// A field of /proc/self/status in KiB ("VmHWM", "VmRSS"); -1 when absent.
long status_kib(std::string_view field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with(field) && line.size() > field.size() && line[field.size()] == ':')
      return std::strtol(line.c_str() + field.size() + 1, nullptr, 10);
  return -1;
}

constexpr std::string_view titles[] = {
    "International Day of Persons with Disabilities",
    "Global Accessibility Awareness Day",
    "LGBT+ History Month",
    "International Women's Day",
    "World Mental Health Day",
    "Black History Month",
    "Neurodiversity Celebration Week",
    "International Day for the Elimination of Racial Discrimination",
    "Holocaust Memorial Day",
    "Pride Month",
};

constexpr std::string_view descriptions[] = {
    "A day to promote the rights and well-being of disabled people in every sphere of society.",
    "Talk, think and learn about digital access and inclusion.",
    "",
    "Celebrating the social, economic, cultural and political achievements of women & girls.",
    "Raising awareness of mental health issues around the world <and> mobilising support.",
};

// Post i: realistic text as the benchmark calendars' templates render it.
post_content make_post(std::size_t i, std::size_t channels) {
  auto title = std::string(titles[i % std::size(titles)]);
  auto description = descriptions[i % std::size(descriptions)];
  int month = static_cast<int>(1 + i % 12), day = static_cast<int>(1 + i % 28);
  auto date = fmt::format("2027-{:02}-{:02}", month, day);
  auto url = fmt::format("https://www.example.org/events/{}", i);
  auto channel = fmt::format("channel-{:02}", i % channels);
  std::string text;
  switch (i % 3) {
    case 0:
      text = fmt::format(
          "Planning: {} is on {}, 28 days from now. Time to line up speakers and a blog post. {} "
          "Topics: inclusion accessibility events. {}",
          title, date, description, url);
      break;
    case 1:
      text = fmt::format("Today is {}! {} {} #EDI{}", title, description, url, i % 100);
      break;
    default:
      text = fmt::format("Thank you to everyone who joined {} on {}. #EDI{}", title, date, i % 100);
      break;
  }
  return {fmt::format("event-{}/{}/{}/{}", i, date, i % 3 == 0 ? "-4w" : "0d", channel),
          fmt::format("event-{}", i),
          title,
          std::move(text),
          fmt::format("{} on {}", title, date),
          url,
          date,
          date,
          fmt::format("{}T08:30:00Z", date),
          channel};
}

// User + system CPU time of this process so far.
double cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

int usage() {
  std::fputs(
      "usage: delivery_bench --base http://127.0.0.1:PORT [--posts N] [--channels C] [--window W] "
      "[--max-seconds S] [--describe]\n",
      stderr);
  return 2;
}

bool read_count(const char* text, std::size_t& out) {
  char* end = nullptr;
  long long value = std::strtoll(text, &end, 10);
  if (!end || *end || value < 1) return false;
  out = static_cast<std::size_t>(value);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string base;
  std::size_t posts = 1000, channels = 50, window = 64, max_seconds = 120;
  bool describe = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--describe") {
      describe = true;
      continue;
    }
    if (i + 1 >= argc) return usage();
    const char* value = argv[++i];
    bool ok = arg == "--base"          ? (base = value, true)
              : arg == "--posts"       ? read_count(value, posts)
              : arg == "--channels"    ? read_count(value, channels)
              : arg == "--window"      ? read_count(value, window)
              : arg == "--max-seconds" ? read_count(value, max_seconds)
                                       : false;
    if (!ok) return usage();
  }
  if (!describe && !base.starts_with("http://127.0.0.1:") && !base.starts_with("http://localhost:")) return usage();
  while (base.ends_with('/')) base.pop_back();

  std::vector<post_content> batch;
  batch.reserve(posts);
  for (std::size_t i = 0; i < posts; ++i) batch.push_back(make_post(i, channels));
  std::vector<std::string> hooks;
  for (std::size_t k = 0; k < channels; ++k)
    hooks.push_back(fmt::format("{}/services/T0BENCH00/B{:08}/{:024}", base, k, 7919 * (k + 1)));

  std::size_t body_bytes = 0;
  for (const auto& post : batch) body_bytes += herald::slack_request(post, "http://127.0.0.1/").body.size();
  body_bytes /= posts;
  if (describe) {
    std::printf("posts=%zu body_bytes=%zu\n", posts, body_bytes);
    return 0;
  }

  boost::asio::io_context io(1);
  herald::curl_transport transport(io, {});
  long rss_before = status_kib("VmRSS");

  std::size_t next = 0, done = 0, failures = 0;
  std::string first_failure;
  clock_type::time_point start, end;
  boost::asio::steady_timer deadline(io, std::chrono::seconds(max_seconds));
  bool timed_out = false;

  std::function<void()> refill;
  auto on_outcome = [&](herald::delivery_outcome outcome) {
    ++done;
    if (!outcome.sent() && failures++ == 0) first_failure = outcome.detail;
    if (done == posts) {
      end = clock_type::now();
      deadline.cancel();
      return;
    }
    refill();
  };
  refill = [&] {
    while (next < posts && next - done < window) {
      const auto& post = batch[next];
      auto k = next % channels;
      ++next;
      transport.send(herald::slack_request(post, hooks[k]), on_outcome);
    }
  };
  deadline.async_wait([&](boost::system::error_code ec) {
    if (ec) return;
    timed_out = true;
    io.stop();
  });

  auto cpu_start = cpu_seconds();
  start = clock_type::now();
  refill();
  io.run();
  if (timed_out) end = clock_type::now();
  auto cpu = cpu_seconds() - cpu_start;

  std::chrono::duration<double> took = end - start;
  long peak = status_kib("VmHWM");
  std::printf(
      "delivery posts=%zu channels=%zu window=%zu seconds=%.3f posts_per_s=%.0f failures=%zu body_bytes=%zu "
      "rss_before_kib=%ld peak_rss_kib=%ld cpu_us_per_post=%.1f\n",
      posts, channels, window, took.count(), static_cast<double>(done) / took.count(), failures + (posts - done),
      body_bytes, rss_before, peak, cpu * 1e6 / static_cast<double>(posts));
  if (timed_out) std::fprintf(stderr, "delivery_bench: %zu of %zu outcomes after %zu s\n", done, posts, max_seconds);
  if (failures) std::fprintf(stderr, "delivery_bench: %zu failed; the first: %s\n", failures, first_failure.c_str());
  return timed_out || failures ? 1 : 0;
}

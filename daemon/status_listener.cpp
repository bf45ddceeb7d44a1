// A failed try is logged once, not every 30 s: the log of a daemon whose
// port stays taken for a day would otherwise be that line. STATUS= and the
// health reasons carry it meanwhile.
#include "daemon/status_listener.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "daemon/logger.hpp"

namespace herald {

status_listener::status_listener(boost::asio::io_context& io, env& environment, logger& log, std::string listen,
                                 http_routes routes, std::function<void()> changed)
    : io_(io),
      env_(environment),
      log_(log),
      listen_(std::move(listen)),
      routes_(std::move(routes)),
      changed_(std::move(changed)) {}

status_listener::~status_listener() { stop(); }

void status_listener::start() {
  if (!try_once()) retry_later();
}

void status_listener::try_again() {
  if (stopped_ || !problem_) return;
  auto was = problem_;
  if (try_once()) {
    if (retry_) retry_->cancel();
    wait_ = std::chrono::milliseconds{0};
  }
  if (problem_ != was) changed_();
}

void status_listener::stop() {
  stopped_ = true;
  if (retry_) retry_->cancel();
  if (server_) server_->stop();
}

unsigned short status_listener::port() const { return server_ && !problem_ ? server_->port() : 0; }

// A status_server starts once: each try is a new one.
bool status_listener::try_once() {
  server_.reset();
  server_.emplace(io_, listen_, routes_, log_, status_server::limits{});
  auto failed = server_->start();
  if (failed.empty()) {
    problem_.reset();
    return true;
  }
  server_.reset();
  if (failed != problem_)
    log_.error(
        fmt::format("{}; herald runs on without its status endpoint and tries again (at once on a reload)", failed));
  problem_ = std::move(failed);
  return false;
}

// One try per wait, each wait twice the last, up to longest_retry.
void status_listener::retry_later() {
  if (!retry_) retry_ = env_.make_steady_timer(io_);
  wait_ = wait_.count() == 0 ? first_retry : std::min(wait_ * 2, longest_retry);
  retry_->wait_until(env_.steady_now() + wait_, [this] {
    if (stopped_) return;
    auto was = problem_;
    if (!try_once())
      retry_later();
    else
      wait_ = std::chrono::milliseconds{0};
    if (problem_ != was) changed_();
  });
}

}  // namespace herald

// Why inotify and not a timer: the daemon's goal is no wake-up while idle
// (docs/PERFORMANCE.md "Daemon"), which a once-a-second query would break;
// and an operator's command is a separate process whose closing of the
// journal's files is an event the kernel reports anyway
// (docs/decisions.md "Operating herald").
#include "daemon/operator_watch.hpp"

#include <unistd.h>

#include <algorithm>
#include <utility>

#include <fmt/format.h>

namespace herald {

operator_watch::operator_watch(journal_guard& guard, env& environment, logger& log, boost::asio::io_context& io,
                               const std::filesystem::path& journal_file, handler acted,
                               std::function<void()> posts_changed)
    : guard_(guard),
      env_(environment),
      log_(log),
      io_(io),
      acted_(std::move(acted)),
      posts_changed_(std::move(posts_changed)),
      watcher_(
          io, [this] { check(); }, settle) {
  if (auto id = guard_.store().last_action_id(); id.ok()) seen_ = id.value();
  shared_ = guard_.store().change_descriptor() >= 0 || journal_file.empty();
  if (shared_) {
    listen();
    return;
  }
  auto wal = journal_file;
  wal += "-wal";
  problems_ = watcher_.watch({journal_file, wal});
}

operator_watch::~operator_watch() = default;

// The descriptor is libpq's: waited on through a dup, so closing ours never closes theirs.
void operator_watch::listen() {
  if (socket_) return;
  int fd = guard_.store().change_descriptor();
  if (fd < 0) return;  // the database is away: the guard's resume calls check(), which listens again
  int own = ::dup(fd);
  if (own < 0) return;
  socket_ = std::make_unique<boost::asio::posix::stream_descriptor>(io_, own);
  socket_->async_wait(boost::asio::posix::stream_descriptor::wait_read, [this](const boost::system::error_code& error) {
    if (error) return;
    heard();
  });
}

void operator_watch::heard() {
  auto news = guard_.store().take_changes();
  if (!news.ok()) {
    socket_.reset();  // the connection is gone: make it again, by itself
    if (relisten_wait_.count() == 0)
      log_.warning(fmt::format("listening for other replicas and operators: {}; listening again in {} s", news.error(),
                               first_relisten.count() / 1000));
    return relisten_later();
  }
  socket_.reset();
  listen();
  if (!news.value()) return;
  check();
  if (posts_changed_) posts_changed_();
}

// The inotify news of the journal's file is also how a deleted journal is
// noticed at once rather than at the next post (journal_guard::file_intact).
void operator_watch::check() {
  if (!guard_.file_intact() || guard_.paused()) return;
  if (shared_ && !socket_) listen();
  auto id = guard_.store().last_action_id();
  if (!id.ok()) return guard_.failed("reading the operators' actions", id.error());
  if (id.value() == seen_) return;
  if (acted_(seen_)) seen_ = id.value();
}

// One try per wait, each wait twice the last, up to longest_relisten.
void operator_watch::relisten_later() {
  if (relisten_armed_) return;
  if (!relisten_) relisten_ = env_.make_steady_timer(io_);
  relisten_wait_ = relisten_wait_.count() == 0 ? first_relisten : std::min(relisten_wait_ * 2, longest_relisten);
  relisten_armed_ = true;
  relisten_->wait_until(env_.steady_now() + relisten_wait_, [this] {
    relisten_armed_ = false;
    relisten();
  });
}

// Listening again, news may have been missed: look once as if some came.
void operator_watch::relisten() {
  if (!socket_) {
    if (guard_.paused()) return relisten_later();  // the journal's calls would wait out its pause anyway
    listen();
    if (!socket_) return relisten_later();
  }
  if (relisten_wait_.count() == 0) return;
  relisten_wait_ = std::chrono::milliseconds{0};
  log_.notice("listening for other replicas and operators again");
  check();
  if (posts_changed_) posts_changed_();
}

}  // namespace herald

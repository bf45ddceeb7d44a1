// Why inotify and not a timer: the daemon's goal is no wake-up while idle
// (docs/PERFORMANCE.md "Daemon"), which a once-a-second query would break;
// and an operator's command is a separate process whose closing of the
// journal's files is an event the kernel reports anyway
// (docs/decisions.md "Operating herald").
#include "daemon/operator_watch.hpp"

#include <unistd.h>

#include <utility>

namespace herald {

operator_watch::operator_watch(journal_guard& guard, boost::asio::io_context& io,
                               const std::filesystem::path& journal_file, handler acted,
                               std::function<void()> posts_changed)
    : guard_(guard),
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
    socket_.reset();  // the connection is gone: listen again after the pause
    return guard_.failed("listening for other replicas and operators", news.error());
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

}  // namespace herald

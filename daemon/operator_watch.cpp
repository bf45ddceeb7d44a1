// Why inotify and not a timer: the daemon's goal is no wake-up while idle
// (docs/PERFORMANCE.md "Daemon"), which a once-a-second query would break;
// and an operator's command is a separate process whose closing of the
// journal's files is an event the kernel reports anyway
// (docs/decisions.md "Operating herald").
#include "daemon/operator_watch.hpp"

#include <utility>

namespace herald {

operator_watch::operator_watch(journal_guard& guard, boost::asio::io_context& io,
                               const std::filesystem::path& journal_file, handler acted)
    : guard_(guard),
      acted_(std::move(acted)),
      watcher_(
          io, [this] { check(); }, settle) {
  if (auto id = guard_.store().last_action_id(); id.ok()) seen_ = id.value();
  auto wal = journal_file;
  wal += "-wal";
  problems_ = watcher_.watch({journal_file, wal});
}

// The inotify news of the journal's file is also how a deleted journal is
// noticed at once rather than at the next post (journal_guard::file_intact).
void operator_watch::check() {
  if (!guard_.file_intact() || guard_.paused()) return;
  auto id = guard_.store().last_action_id();
  if (!id.ok()) return guard_.failed("reading the operators' actions", id.error());
  if (id.value() == seen_) return;
  if (acted_(seen_)) seen_ = id.value();
}

}  // namespace herald

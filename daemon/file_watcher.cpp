// The file watcher: one inotify instance, read through an Asio
// posix::stream_descriptor, a watch per directory of the watched files, and
// one steady_timer that debounces.
//
// What we ask inotify for, and why:
// - IN_CLOSE_WRITE, not IN_MODIFY: a write in place counts once it is
//   finished; IN_MODIFY comes per write() and could report a half-written
//   file after a pause longer than `settle`.
// - IN_MOVED_TO: the new file an editor or `git checkout` renames over ours.
// - IN_MOVED_FROM, IN_DELETE: ours moved away or removed.
// - IN_CREATE: a name that appears without a write, as `ln -s` makes it.
//   (A new regular file also brings IN_CLOSE_WRITE; debounced, one call.)
// - IN_ATTRIB: `touch` to ask for a reload, and chmod making a file readable.
// - IN_MOVE_SELF, IN_DELETE_SELF: the directory itself went away, so every
//   watched file in it did. After a delete the kernel drops the watch
//   (IN_IGNORED, which for a watch we still hold counts as a change too);
//   after a move the watch follows the directory to its new name until the
//   next watch(), which the reload this call starts is expected to make.
// - IN_Q_OVERFLOW (always reported): events were lost; assume a change.
//
// A file named through symbolic links (a deployment's `ln -sfn`) is watched
// at every link on its way and at the file it ends at (names_behind): the
// link replaced and the target's content replaced both count. The links are
// resolved again on every watch(), which the reload after a change makes.
//
// inotify_add_watch on a directory already watched returns its watch
// descriptor (two paths to one directory share it), so watch() simply adds
// every directory it needs and removes the descriptors no longer used.
//
// Events of one burst restart the debounce; an arming is known by its
// generation so the wait of an earlier one, already completed and queued,
// calls nothing. Asio handlers hold a weak_ptr to the impl and do nothing
// once it is gone. Everything runs on the io_context's one thread: no locks.

#include "daemon/file_watcher.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <map>
#include <set>
#include <system_error>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

namespace herald {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using error_code = boost::system::error_code;

constexpr std::uint32_t directory_events = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE |
                                           IN_ATTRIB | IN_MOVE_SELF | IN_DELETE_SELF | IN_ONLYDIR;
constexpr std::uint32_t directory_gone = IN_MOVE_SELF | IN_DELETE_SELF;

int open_inotify() {
  const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "inotify_init1");
  return fd;
}

// Events name files relative to their directory, so both sides are compared
// as absolute, lexically normal paths split into directory and name.
fs::path normal(const fs::path& file) {
  std::error_code ignored;
  const fs::path absolute = fs::absolute(file, ignored);
  return (absolute.empty() ? file : absolute).lexically_normal();
}

// The names whose change changes what `file` reads: the file as named, every
// symbolic link met on the way to what it points at (a link to the file, or
// to a folder on its path, as `ln -sfn` repoints a release), and the file it
// ends at. A watch on each one's directory sees the link replaced and the
// target's content replaced alike. Stops at a name that does not exist yet,
// and after 40 links (a loop), as the kernel does.
std::vector<fs::path> names_behind(const fs::path& file) {
  std::vector<fs::path> names{file};
  fs::path rest = file;  // absolute and normal
  for (int links = 0; links < 40;) {
    fs::path resolved = rest.root_path();
    bool relinked = false;
    for (auto part = std::next(rest.begin()); part != rest.end(); ++part) {
      const fs::path candidate = resolved / *part;
      std::error_code error;
      if (!fs::is_symlink(fs::symlink_status(candidate, error))) {
        resolved = candidate;
        continue;
      }
      names.push_back(candidate);
      fs::path target = fs::read_symlink(candidate, error);
      if (error) return names;
      fs::path next = target.is_absolute() ? target : resolved / target;
      for (auto after = std::next(part); after != rest.end(); ++after) next /= *after;
      rest = next.lexically_normal();
      relinked = true;
      ++links;
      break;
    }
    if (!relinked) {
      if (resolved != file) names.push_back(resolved);
      return names;
    }
  }
  return names;
}

}  // namespace

struct file_watcher::impl {
  impl(asio::io_context& io, std::function<void()> changed, std::chrono::milliseconds settle)
      : fd_(io, open_inotify()), timer_(io), changed_(std::move(changed)), settle_(settle) {
    start_wait();
  }

  std::vector<std::string> watch(const std::vector<fs::path>& files);

 private:
  void start_wait();
  void read_events();
  bool matters(const inotify_event& e);
  void restart_settle();
  void on_settled(std::uint64_t generation);

  asio::posix::stream_descriptor fd_;
  asio::steady_timer timer_;
  std::function<void()> changed_;
  std::chrono::milliseconds settle_;
  std::map<int, std::set<std::string>> names_;                    ///< watched file names by watch descriptor
  std::uint64_t generation_ = 0;                                  ///< of the current debounce
  std::shared_ptr<impl*> alive_ = std::make_shared<impl*>(this);  ///< handlers hold a weak_ptr
};

std::vector<std::string> file_watcher::impl::watch(const std::vector<fs::path>& files) {
  std::vector<std::string> errors;
  std::set<fs::path> refused;  // a directory is reported once, however many of its files are named
  std::map<int, std::set<std::string>> names;
  for (const fs::path& file : files) {
    for (const fs::path& path : names_behind(normal(file))) {
      const fs::path directory = path.parent_path();
      if (refused.contains(directory)) continue;
      const int wd = ::inotify_add_watch(fd_.native_handle(), directory.c_str(), directory_events);
      if (wd < 0) {
        const int error = errno;  // before the allocations below
        errors.push_back("cannot watch " + directory.string() + ": " + std::strerror(error));
        refused.insert(directory);
        continue;
      }
      names[wd].insert(path.filename().string());
    }
  }
  for (const auto& [wd, unused] : names_) {
    if (!names.contains(wd)) ::inotify_rm_watch(fd_.native_handle(), wd);
  }
  // Swapped in after the removals: their IN_IGNORED then finds no watch of ours.
  names_ = std::move(names);
  return errors;
}

void file_watcher::impl::start_wait() {
  fd_.async_wait(asio::posix::stream_descriptor::wait_read, [life = std::weak_ptr(alive_)](error_code ec) {
    // operation_aborted is the normal stop; any other error would come back
    // at once on every wait, so the watcher falls silent rather than spin.
    if (ec) return;
    if (auto alive = life.lock()) (*alive)->read_events();
  });
}

// Reads until EAGAIN (Asio's epoll is edge-triggered: what is left unread
// would not wake us again), then waits for more.
void file_watcher::impl::read_events() {
  alignas(inotify_event) char buffer[16 * 1024];
  bool relevant = false;
  for (;;) {
    const ssize_t n = ::read(fd_.native_handle(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (ssize_t at = 0; at < n;) {
      const auto& e = *reinterpret_cast<const inotify_event*>(buffer + at);
      relevant = matters(e) || relevant;
      at += static_cast<ssize_t>(sizeof(inotify_event) + e.len);
    }
  }
  if (relevant) restart_settle();
  start_wait();
}

bool file_watcher::impl::matters(const inotify_event& e) {
  if (e.mask & IN_Q_OVERFLOW) return true;
  const auto watched = names_.find(e.wd);
  if (watched == names_.end()) return false;  // a watch we removed, or a stray event
  if (e.mask & IN_IGNORED) {
    names_.erase(watched);
    return true;
  }
  if (e.mask & directory_gone) return true;
  return e.len > 0 && watched->second.contains(e.name);
}

void file_watcher::impl::restart_settle() {
  const std::uint64_t generation = ++generation_;
  timer_.expires_after(settle_);  // cancels the wait of the previous event of the burst
  timer_.async_wait([life = std::weak_ptr(alive_), generation](error_code ec) {
    if (ec == asio::error::operation_aborted) return;
    if (auto alive = life.lock()) (*alive)->on_settled(generation);
  });
}

// `changed` runs last, from a copy: it may call watch(), or destroy the watcher.
void file_watcher::impl::on_settled(std::uint64_t generation) {
  if (generation != generation_ || !changed_) return;
  const std::function<void()> changed = changed_;
  changed();
}

file_watcher::file_watcher(asio::io_context& io, std::function<void()> changed, std::chrono::milliseconds settle)
    : impl_(std::make_unique<impl>(io, std::move(changed), settle)) {}

file_watcher::~file_watcher() = default;

std::vector<std::string> file_watcher::watch(const std::vector<fs::path>& files) { return impl_->watch(files); }

}  // namespace herald

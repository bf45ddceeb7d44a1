#pragma once
// Notices when the config or a calendar changes on disk (docs/daemon.md), with
// inotify on the files' directories: editors and `git checkout` write a new
// file and rename it over the old one, which a watch on the file itself
// would lose. Only the named files count; other files in those directories
// (herald's own outbox.jsonl, an editor's swap file) are ignored. A file
// named through a symbolic link is watched at the link and at its target
// (and at every link on the way): repointing the link (`ln -sfn`, a new
// release) and replacing the target both count; the links are followed
// anew on each watch(). A burst of
// events (write, close, rename) is reported once, after `settle` of quiet.
//
// Used from the io_context's thread only. Not copyable.

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace herald {

class file_watcher {
 public:
  /// `changed` runs on the io_context after one of the watched files was
  /// written, replaced, moved away or removed. Throws std::system_error
  /// when the kernel refuses an inotify instance.
  file_watcher(boost::asio::io_context& io, std::function<void()> changed,
               std::chrono::milliseconds settle = std::chrono::milliseconds{200});
  ~file_watcher();
  file_watcher(const file_watcher&) = delete;
  file_watcher& operator=(const file_watcher&) = delete;

  /// Watches exactly `files` from now on (a reload may name others).
  /// Returns a message for each directory that could not be watched
  /// ("cannot watch /etc/herald: Permission denied"); the rest are watched.
  std::vector<std::string> watch(const std::vector<std::filesystem::path>& files);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace herald

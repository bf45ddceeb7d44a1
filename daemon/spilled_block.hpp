#pragma once
// A block of bytes kept out of the process for a while: written to an
// unnamed file and read back a piece at a time. A reload keeps the dropped
// calendars' event ids this way while the files load, so they are not
// part of the load's peak (docs/PERFORMANCE.md "2026-12-03, seventh
// session: reload ids"). Read back with reads, not mapped: mapped pages
// would count as the process's resident memory.

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>

namespace herald {

/// Which files spill() tries before it keeps the bytes in memory.
enum class spill_files {
  unnamed_then_named,  ///< O_TMPFILE, then a named file unlinked at once
  named,               ///< a named file unlinked at once (file systems without O_TMPFILE)
};

class spilled_block {
 public:
  spilled_block() = default;  // empty
  /// `bytes` kept in memory.
  static spilled_block kept(std::string bytes);
  /// `bytes` written to a file of `dir` that has no name (or loses it at
  /// once), so nothing is left behind if the process dies; kept in memory
  /// when no such file can be made or written. Never fails.
  static spilled_block spill(std::string bytes, const std::filesystem::path& dir,
                             spill_files tries = spill_files::unnamed_then_named);

  spilled_block(spilled_block&& other) noexcept;
  spilled_block& operator=(spilled_block&& other) noexcept;
  spilled_block(const spilled_block&) = delete;
  spilled_block& operator=(const spilled_block&) = delete;
  ~spilled_block();

  /// Whether the bytes are in a file, not in memory.
  bool in_file() const { return fd_ >= 0; }
  std::size_t size() const { return size_; }

  /// Copies the bytes from `offset` on into `buffer`; how many were
  /// copied, 0 at the end (or when the file can no longer be read).
  std::size_t read(std::size_t offset, std::span<char> buffer) const;

 private:
  int fd_ = -1;
  std::size_t size_ = 0;
  std::string bytes_;  // when not in a file
};

}  // namespace herald

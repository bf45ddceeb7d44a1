#pragma once
// A file read into memory a piece at a time, at one address. `text()` spans
// the whole file from the start, but only the pages read so far cost
// memory: a reader that asks for the bytes just ahead of where it looks,
// and gives back (forget_pages) those behind it, holds a few pieces of a
// 30 MB calendar, not all of it (docs/PERFORMANCE.md "2026-12-03, last
// session: reload peak").

#include <cstddef>
#include <cstdint>
#include <memory>
#include <streambuf>
#include <string>
#include <string_view>

#include "text/file.hpp"
#include "text/result.hpp"

namespace herald {

class piecewise_file {
 public:
  /// Opens `path`; "cannot read 'PATH': REASON", or "'PATH' is too large
  /// (N MiB; the limit is 64 MiB)", as read_text_file says it. Nothing is
  /// read yet.
  static result<piecewise_file> open(const std::string& path, std::size_t max_bytes = max_text_file_bytes);

  piecewise_file(piecewise_file&& other) noexcept;
  piecewise_file& operator=(piecewise_file&&) = delete;
  piecewise_file(const piecewise_file&) = delete;
  ~piecewise_file();

  /// The whole file as it was sized at open; bytes not read yet read as zero.
  std::string_view text() const { return {data_, size_}; }
  /// How many bytes from the start are read.
  std::size_t read_size() const { return read_; }
  /// Reads on, a piece at a time, until at least `offset` bytes are read
  /// (or all). False when the file could not be read or ended before its
  /// size at open (it changed meanwhile): the text is then not the file's.
  bool read_through(std::size_t offset);
  /// The FNV-1a hash of the bytes read so far (daemon/last_good.hpp names
  /// a copy by it).
  std::uint64_t hash() const { return hash_; }

  /// The file's bytes for another reader, on its own buffer and at its own
  /// pace (yaml-cpp on its thread): reads the same open file, so a file
  /// renamed over this one meanwhile is not read instead. Lives no longer
  /// than this.
  std::unique_ptr<std::streambuf> reader() const;

 private:
  piecewise_file(int fd, char* data, std::size_t size, std::size_t mapped);

  int fd_ = -1;
  char* data_ = nullptr;
  std::size_t size_ = 0, mapped_ = 0, read_ = 0;
  std::uint64_t hash_ = 14695981039346656037ull;
  bool failed_ = false;
};

}  // namespace herald

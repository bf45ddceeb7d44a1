#include "text/file.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

namespace herald {
namespace {

failure cannot_read(const std::string& path) {
  return failure{fmt::format("cannot read '{}': {}", path, std::strerror(errno))};
}

failure too_large(const std::string& path, std::uintmax_t size, std::size_t max_bytes) {
  return failure{fmt::format("'{}' is too large ({} MiB; the limit is {} MiB)", path, size >> 20, max_bytes >> 20)};
}

}  // namespace

result<std::string> read_text_file(const std::string& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return cannot_read(path);
  // Read in one piece at the file's size (assigning from stream iterators
  // grows a temporary by doubling: twice the memory at the peak). A file
  // that is not regular (a pipe) is read in chunks.
  std::string content;
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > max_bytes) return too_large(path, size, max_bytes);
  if (!ec) {
    content.resize(size);
    in.read(content.data(), static_cast<std::streamsize>(size));
    content.resize(static_cast<std::size_t>(in.gcount()));
  } else {
    char chunk[65536];
    while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
      content.append(chunk, static_cast<std::size_t>(in.gcount()));
      if (content.size() > max_bytes) return too_large(path, content.size(), max_bytes);
    }
  }
  if (in.bad()) return cannot_read(path);
  return content;
}

bool forget_pages(std::string_view text, std::size_t from, std::size_t to) {
  static const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  auto begin = reinterpret_cast<std::uintptr_t>(text.data()) + from;
  auto end = reinterpret_cast<std::uintptr_t>(text.data()) + std::min(to, text.size());
  begin = (begin + page - 1) / page * page;
  end = end / page * page;
  if (end <= begin) return false;
  return ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED) == 0;
}

result<std::string> read_leading_lines(const std::string& path, std::size_t count,
                                       const std::function<bool(std::size_t)>& keep) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return cannot_read(path);
  // Byte by byte from the stream's buffer, not getline: a 63 MiB line (of
  // NUL bytes, say) would be read whole into memory to quote 100 columns.
  std::string text;
  auto* buffer = in.rdbuf();
  for (std::size_t n = 0; n < count; ++n) {
    std::size_t kept = keep && !keep(n + 1) ? max_leading_line_bytes : 0;
    int c = buffer->sbumpc();
    if (c == std::char_traits<char>::eof()) break;
    for (; c != std::char_traits<char>::eof() && c != '\n'; c = buffer->sbumpc())
      if (kept < max_leading_line_bytes) {
        text += static_cast<char>(c);
        ++kept;
      }
    text += '\n';
  }
  if (in.bad()) return cannot_read(path);
  return text;
}

}  // namespace herald

#include "text/file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

namespace herald {
namespace {

failure cannot_read(const std::string& path) {
  return failure{fmt::format("cannot read '{}': {}", path, std::strerror(errno))};
}

}  // namespace

result<std::string> read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return cannot_read(path);
  // Read in one piece at the file's size (assigning from stream iterators
  // grows a temporary by doubling: twice the memory at the peak). A file
  // that is not regular (a pipe) is read in chunks.
  std::string content;
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (!ec) {
    content.resize(size);
    in.read(content.data(), static_cast<std::streamsize>(size));
    content.resize(static_cast<std::size_t>(in.gcount()));
  } else {
    char chunk[65536];
    while (in.read(chunk, sizeof chunk) || in.gcount() > 0)
      content.append(chunk, static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) return cannot_read(path);
  return content;
}

result<std::string> read_leading_lines(const std::string& path, std::size_t count) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return cannot_read(path);
  std::string text, line;
  for (std::size_t n = 0; n < count && std::getline(in, line); ++n) {
    text += line;
    text += '\n';
  }
  if (in.bad()) return cannot_read(path);
  return text;
}

}  // namespace herald

// The daemon's log lines. A line is built whole and written with one call,
// then flushed, so lines from a crash or from another writer to the same
// stderr do not interleave within a line, and the journal reads one record
// per line.

#include "daemon/logger.hpp"

#include <sys/stat.h>

#include <cstdint>
#include <cstring>
#include <ostream>
#include <string>
#include <utility>

#include <date/date.h>

#include "text/one_line.hpp"
#include "text/strings.hpp"

namespace herald {
namespace {

std::string_view level_word(log_level level) {
  switch (level) {
    case log_level::error:
      return "error";
    case log_level::warning:
      return "warning";
    case log_level::notice:
      return "notice";
    case log_level::info:
      return "info";
    case log_level::debug:
      return "debug";
  }
  return "info";
}

}  // namespace

logger::logger(std::ostream& out, bool journal_prefixes, std::function<std::chrono::system_clock::time_point()> now)
    : out_(out), journal_prefixes_(journal_prefixes), now_(std::move(now)) {}

bool logger::is_journal_stream(const char* journal_stream, int fd) {
  if (journal_stream == nullptr) return false;
  const std::string_view value(journal_stream);
  const auto colon = value.find(':');
  if (colon == std::string_view::npos) return false;
  auto device = parse_integer<std::uintmax_t>(value.substr(0, colon));
  auto inode = parse_integer<std::uintmax_t>(value.substr(colon + 1));
  if (!device || !inode) return false;
  struct stat st {};
  if (::fstat(fd, &st) != 0) return false;
  return static_cast<std::uintmax_t>(st.st_dev) == *device && static_cast<std::uintmax_t>(st.st_ino) == *inode;
}

void logger::log(log_level level, std::string_view message) {
  std::string line;
  if (journal_prefixes_) {
    // The journal stamps time and unit itself; <N> carries the priority.
    // (Appended piece by piece: GCC 12 warns falsely on "<" + std::string.)
    line.push_back('<');
    line += std::to_string(static_cast<int>(level));
    line.push_back('>');
  } else {
    line = date::format("%FT%TZ ", date::floor<std::chrono::seconds>(now_()));
    line += level_word(level);
    line += ": ";
  }
  // The journal, and anyone reading the log with grep, take a line as one
  // happening: a newline inside a message would start a false one.
  line += one_line(message);
  line.push_back('\n');
  out_.write(line.data(), static_cast<std::streamsize>(line.size()));
  out_.flush();
}

}  // namespace herald

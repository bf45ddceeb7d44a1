// The log line formats, byte for byte, with a fixed clock.

#include "daemon/logger.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

#include <date/date.h>
#include <catch2/catch.hpp>

#include "support/temp_dir.hpp"

namespace herald {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// 08:30:00.250 UTC on 26 May 2027; the fraction is never printed.
std::chrono::system_clock::time_point fixed_now() {
  return date::sys_days{date::year{2027} / 5 / 26} + 8h + 30min + 250ms;
}

const std::string sent = "sent inwed/2027-06-23/-28d/staff-slack to 'staff-slack'";

// Records each write handed to the stream buffer and each flush.
class recording_buffer : public std::streambuf {
 public:
  std::vector<std::string> writes;
  int flushes = 0;

 protected:
  std::streamsize xsputn(const char* text, std::streamsize n) override {
    writes.emplace_back(text, static_cast<std::size_t>(n));
    return n;
  }
  int_type overflow(int_type c) override {
    if (c != traits_type::eof()) writes.emplace_back(1, traits_type::to_char_type(c));
    return traits_type::not_eof(c);
  }
  int sync() override {
    ++flushes;
    return 0;
  }
};

// An open file, and its "device:inode" as systemd writes JOURNAL_STREAM.
struct open_file {
  int fd = -1;

  explicit open_file(const fs::path& path) {
    std::ofstream(path) << "";
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
  }
  ~open_file() { ::close(fd); }
  open_file(const open_file&) = delete;
  open_file& operator=(const open_file&) = delete;

  std::string journal_stream() const {
    struct stat st {};
    REQUIRE(::fstat(fd, &st) == 0);
    return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  }
};

}  // namespace

TEST_CASE("logger: given a terminal, then UTC time, level word and message", "[logger]") {
  std::ostringstream out;
  logger log(out, false, fixed_now);
  log.info(sent);
  log.error("e");
  log.warning("w");
  log.notice("n");
  log.log(log_level::debug, "d");
  CHECK(out.str() == "2027-05-26T08:30:00Z info: " + sent +
                         "\n"
                         "2027-05-26T08:30:00Z error: e\n"
                         "2027-05-26T08:30:00Z warning: w\n"
                         "2027-05-26T08:30:00Z notice: n\n"
                         "2027-05-26T08:30:00Z debug: d\n");
}

TEST_CASE("logger: given the journal, then a <N> priority prefix and nothing else", "[logger]") {
  std::ostringstream out;
  logger log(out, true, fixed_now);
  log.info(sent);
  log.error("e");
  log.warning("w");
  log.notice("n");
  log.log(log_level::debug, "d");
  CHECK(out.str() == "<6>" + sent + "\n<3>e\n<4>w\n<5>n\n<7>d\n");
}

TEST_CASE("logger: given a message with line breaks, then it stays on one line", "[logger]") {
  std::ostringstream terminal, journal;
  logger(terminal, false, fixed_now).warning("Slack said:\nrate limited\r\nretry");
  logger(journal, true, fixed_now).warning("Slack said:\nrate limited\r\nretry");
  CHECK(terminal.str() == "2027-05-26T08:30:00Z warning: Slack said: rate limited  retry\n");
  CHECK(journal.str() == "<4>Slack said: rate limited  retry\n");
}

TEST_CASE("logger: given several lines, then each is one write, flushed", "[logger]") {
  recording_buffer buffer;
  std::ostream out(&buffer);
  logger log(out, true, fixed_now);
  log.info("first");
  CHECK(buffer.flushes == 1);
  log.error("second\nhalf");
  CHECK(buffer.flushes == 2);
  CHECK(buffer.writes == std::vector<std::string>{"<6>first\n", "<3>second half\n"});
}

TEST_CASE("logger: given JOURNAL_STREAM, then it is the journal only for that device and inode", "[logger]") {
  test::temp_dir dir("herald-logger");
  const open_file stderr_file(dir / "stderr"), other(dir / "other");
  const std::string value = stderr_file.journal_stream();

  CHECK(logger::is_journal_stream(value.c_str(), stderr_file.fd));
  CHECK_FALSE(logger::is_journal_stream(other.journal_stream().c_str(), stderr_file.fd));
  CHECK_FALSE(logger::is_journal_stream(value.c_str(), other.fd));
  CHECK_FALSE(logger::is_journal_stream(nullptr, stderr_file.fd));
  CHECK_FALSE(logger::is_journal_stream(value.c_str(), -1));
  for (const std::string& garbage :
       std::vector<std::string>{"", ":", "garbage", "12", "12:", ":34", "12:34:56", "x12:34", "12:34x", "-1:34",
                                "+12:34", " 12:34", (value + " ")}) {
    INFO("JOURNAL_STREAM=\"" << garbage << "\"");
    CHECK_FALSE(logger::is_journal_stream(garbage.c_str(), stderr_file.fd));
  }
}

}  // namespace herald

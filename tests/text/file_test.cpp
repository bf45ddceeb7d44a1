#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include <sys/stat.h>

#include "support/temp_dir.hpp"
#include "text/file.hpp"

using namespace herald;

TEST_CASE("file: read_text_file returns the bytes, or why not", "[text][file]") {
  test::temp_dir dir;
  auto path = (dir.path() / "a.yaml").string();
  std::ofstream(path, std::ios::binary) << "one\r\ntwo\n\xff";
  auto text = read_text_file(path);
  REQUIRE(text.ok());
  CHECK(text.value() == "one\r\ntwo\n\xff");

  auto missing = read_text_file((dir.path() / "none.yaml").string());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error() == "cannot read '" + (dir.path() / "none.yaml").string() + "': No such file or directory");
}

TEST_CASE("file: read_leading_lines stops after the lines asked for", "[text][file]") {
  test::temp_dir dir;
  auto path = (dir.path() / "a.yaml").string();
  std::ofstream(path, std::ios::binary) << "one\ntwo\r\nthree\nfour";
  CHECK(read_leading_lines(path, 0).value().empty());
  CHECK(read_leading_lines(path, 2).value() == "one\ntwo\r\n");
  CHECK(read_leading_lines(path, 9).value() == "one\ntwo\r\nthree\nfour\n");
  CHECK_FALSE(read_leading_lines((dir.path() / "none").string(), 1).ok());
}

TEST_CASE("file: read_leading_lines keeps the text of the lines wanted, the others empty", "[text][file]") {
  // For quoting a few lines of a big file in diagnostics without holding it.
  test::temp_dir dir;
  auto path = (dir.path() / "a.yaml").string();
  std::ofstream(path, std::ios::binary) << "one\ntwo\r\nthree\nfour";
  CHECK(read_leading_lines(path, 3, [](std::size_t line) { return line == 2; }).value() == "\ntwo\r\n\n");
  CHECK(read_leading_lines(path, 9, [](std::size_t line) { return line != 2; }).value() == "one\n\nthree\nfour\n");
}

TEST_CASE("file: read_text_file refuses a file over its limit, also from a pipe", "[text][file][huge]") {
  test::temp_dir dir;
  auto path = (dir.path() / "big.yaml").string();
  std::ofstream(path, std::ios::binary) << std::string((3u << 20) + 1, 'x');
  auto big = read_text_file(path, 3u << 20);
  REQUIRE_FALSE(big.ok());
  CHECK(big.error() == "'" + path + "' is too large (3 MiB; the limit is 3 MiB)");
  CHECK(read_text_file(path, 4u << 20).ok());
  // A file that is not regular has no size to check first: it is read until the limit.
  auto fifo = (dir.path() / "fifo").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  // The reader closes its end early: the writer's last writes fail (EPIPE), not the process.
  auto old = std::signal(SIGPIPE, SIG_IGN);
  std::thread writer([&] { std::ofstream(fifo, std::ios::binary) << std::string(300000, 'y'); });
  auto piped = read_text_file(fifo, 100000);
  writer.join();
  std::signal(SIGPIPE, old);
  REQUIRE_FALSE(piped.ok());
  CHECK(piped.error().find("is too large") != std::string::npos);
  CHECK(max_text_file_bytes == 64u << 20);
}

TEST_CASE("file: read_leading_lines keeps the start of a huge line only", "[text][file][huge]") {
  test::temp_dir dir;
  auto path = (dir.path() / "nul.yaml").string();
  std::ofstream(path, std::ios::binary) << "one\n" << std::string(3u << 20, '\0') << "\nthree\n";
  auto lines = read_leading_lines(path, 3);
  REQUIRE(lines.ok());
  CHECK(lines.value() == "one\n" + std::string(max_leading_line_bytes, '\0') + "\nthree\n");
}

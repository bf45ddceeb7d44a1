#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

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

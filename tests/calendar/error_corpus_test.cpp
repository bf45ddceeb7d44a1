// The error corpus: broken calendars and configs, each with the exact
// stderr `herald validate` must print for it (docs/cli.md: FILE:LINE:COL lines,
// exit status 2), checked byte for byte against the real binary.
//
//   tests/data/bad/NAME.yaml          run as  validate --calendar tests/data/bad/NAME.yaml
//   tests/data/bad/NAME.expected      its exact stderr
//   tests/data/bad_configs/NAME.yaml  run as  validate --config tests/data/bad_configs/NAME.yaml
//                                     (good calendars beside them end in .yml and are not cases)
//   tests/data/warn/NAME.yaml         run as  validate --strict --calendar tests/data/warn/NAME.yaml:
//                                     calendars that load with warnings (docs/calendar.md "Warnings");
//                                     without --strict the same stderr but its last line, and exit 0
//
// Commands run from the repo root, so messages name files as above. To
// (re)write one expected file after checking the message by eye:
//   herald validate --calendar tests/data/bad/NAME.yaml 2> tests/data/bad/NAME.expected
//   herald validate --strict --calendar tests/data/warn/NAME.yaml 2> tests/data/warn/NAME.expected

#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

const fs::path source_dir{HERALD_SOURCE_DIR};

struct corpus_case {
  std::string name;      // "bad/unknown-key-top"
  std::string option;    // "--calendar" or "--config"
  std::string argument;  // path relative to the repo root
  fs::path expected;     // the .expected file
};

struct run_result {
  int status = -1;  // exit status, or 128 + signal
  std::string err;  // stderr
};

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return std::move(content).str();
}

// Runs `herald validate OPTION ARGUMENT` from `cwd`, under a generous
// timeout so a hang fails the test instead of blocking it; keeps stderr.
run_result run_validate(const std::string& option, const std::string& argument, const fs::path& cwd = source_dir) {
  auto command = "cd " + shell_quote(cwd.string()) + " && timeout 60 " + shell_quote(HERALD_BINARY) + " validate " +
                 option + " " + shell_quote(argument) + " 2>&1 1>/dev/null";
  run_result result;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return result;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.err.append(buffer, n);
  int status = pclose(pipe);
  if (WIFEXITED(status))
    result.status = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    result.status = 128 + WTERMSIG(status);
  return result;
}

std::vector<corpus_case> cases_in(const std::string& dir, const std::string& option) {
  std::vector<corpus_case> cases;
  auto full = source_dir / "tests" / "data" / dir;
  if (!fs::is_directory(full)) return cases;
  for (const auto& entry : fs::directory_iterator(full)) {
    const auto& path = entry.path();
    if (!entry.is_regular_file() || path.extension() != ".yaml") continue;
    auto expected = fs::path(path).replace_extension(".expected");
    if (!fs::exists(expected)) continue;  // e.g. a helper file, not a case
    auto stem = path.stem().string();
    cases.push_back({dir + "/" + stem, option, "tests/data/" + dir + "/" + path.filename().string(), expected});
  }
  std::sort(cases.begin(), cases.end(), [](auto& a, auto& b) { return a.name < b.name; });
  return cases;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  if (!text.empty() && text.back() != '\n') lines.back() += "  <no newline at end>";
  return lines;
}

// A short, line-by-line account of where `actual` departs from `expected`.
std::string describe_difference(const std::string& expected, const std::string& actual) {
  auto want = lines_of(expected), got = lines_of(actual);
  std::ostringstream out;
  for (std::size_t i = 0; i < std::max(want.size(), got.size()); ++i) {
    bool has_want = i < want.size(), has_got = i < got.size();
    if (has_want && has_got && want[i] == got[i]) continue;
    out << "first difference on stderr line " << i + 1 << ":\n"
        << "  - expected: " << (has_want ? want[i] : "<nothing>") << "\n"
        << "  + actual:   " << (has_got ? got[i] : "<nothing>") << "\n";
    break;
  }
  out << "--- whole actual stderr ---\n" << actual << "--- end ---";
  return out.str();
}

// The stderr's first line is `FILE:LINE:COL: error: ...` for `file`.
bool starts_with_located_error(const std::string& err, const std::string& file) {
  if (err.rfind(file + ":", 0) != 0) return false;
  auto line = err.substr(0, err.find('\n'));
  auto rest = line.substr(file.size() + 1);
  std::size_t i = 0;
  for (int field = 0; field < 2; ++field) {
    auto digits = i;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') ++i;
    if (i == digits || i >= rest.size() || rest[i] != ':') return false;
    ++i;
  }
  return rest.compare(i, 8, " error: ") == 0;
}

std::vector<corpus_case> all_cases() {
  auto cases = cases_in("bad", "--calendar");
  auto configs = cases_in("bad_configs", "--config");
  cases.insert(cases.end(), configs.begin(), configs.end());
  return cases;
}

// A fresh directory under the system temp dir, removed on scope exit.
struct temp_dir {
  fs::path path;
  temp_dir() {
    std::random_device random;
    path = fs::temp_directory_path() / ("herald-corpus-" + std::to_string(random()) + std::to_string(random()));
    fs::create_directories(path);
  }
  ~temp_dir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

}  // namespace

TEST_CASE("corpus: each broken file gives exactly its expected errors and exit status 2", "[corpus]") {
  REQUIRE(fs::exists(HERALD_BINARY));
  auto cases = all_cases();
  // A broken glob or a moved directory must not pass with nothing checked.
  REQUIRE(cases.size() >= 40);
  CHECK(std::count_if(cases.begin(), cases.end(), [](auto& c) { return c.option == "--config"; }) >= 5);
  CHECK(std::count_if(cases.begin(), cases.end(),
                      [](auto& c) { return c.argument.find("bad_configs/secret-") != std::string::npos; }) >= 8);
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.name) {
      auto expected = read_file(c.expected);
      auto result = run_validate(c.option, c.argument);
      INFO("case " << c.name << ": herald validate " << c.option << " " << c.argument);
      INFO("expected output: " << c.expected.string());
      CHECK(result.status == 2);
      // INFO lasts to the end of its scope, so it cannot sit inside an `if`.
      INFO((result.err == expected ? std::string() : describe_difference(expected, result.err)));
      CHECK(result.err == expected);
      // Every secret of the corpus holds the word SECRET (secret-*.yaml): an
      // error never shows one (docs/cli.md "The config file").
      CHECK(result.err.find("SECRET") == std::string::npos);
    }
  }
}

TEST_CASE("corpus: each calendar with warnings prints exactly them, exit 0, and 2 with --strict", "[corpus]") {
  REQUIRE(fs::exists(HERALD_BINARY));
  auto cases = cases_in("warn", "--strict --calendar");
  REQUIRE(cases.size() >= 5);
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.name) {
      auto expected = read_file(c.expected);
      INFO("case " << c.name << ": herald validate " << c.option << " " << c.argument);
      REQUIRE(expected.find(": warning: ") != std::string::npos);
      CHECK(expected.find(": error: ") == std::string::npos);
      auto strict = run_validate(c.option, c.argument);
      CHECK(strict.status == 2);
      INFO((strict.err == expected ? std::string() : describe_difference(expected, strict.err)));
      CHECK(strict.err == expected);
      // Without --strict: the same warnings, a summary without the --strict clause, exit 0.
      constexpr std::string_view clause = "; --strict makes them fail\n";
      auto lenient_expected = expected;
      REQUIRE(lenient_expected.ends_with(clause));
      lenient_expected.replace(lenient_expected.size() - clause.size(), clause.size(), "\n");
      auto lenient = run_validate("--calendar", c.argument);
      CHECK(lenient.status == 0);
      CHECK(lenient.err == lenient_expected);
    }
  }
}

TEST_CASE("corpus: large hostile inputs end with an error, not a crash or a hang", "[corpus]") {
  REQUIRE(fs::exists(HERALD_BINARY));
  temp_dir dir;
  auto write = [&](const std::string& name, auto&& fill) {
    auto path = dir.path / name;
    std::ofstream out(path, std::ios::binary);
    fill(out);
    return path.string();
  };
  auto check_rejected = [&](const std::string& path) {
    auto result = run_validate("--calendar", path, dir.path);
    INFO("herald validate --calendar " << path << "\nstderr (first 2000 bytes):\n" << result.err.substr(0, 2000));
    CHECK(result.status == 2);
    CHECK(starts_with_located_error(result.err, path));
  };

  SECTION("100 000 nested '['") {
    check_rejected(write("nested.yaml", [](std::ofstream& out) {
      out << "version: 1\ntimezone: Europe/London\nvars: " << std::string(100000, '[') << "\n";
    }));
  }
  SECTION("an alias bomb: 10 levels of 10 aliases each") {
    check_rejected(write("bomb.yaml", [](std::ofstream& out) {
      out << "version: 1\ntimezone: Europe/London\nvars:\n  a0: &a0 \"lol\"\n";
      for (int level = 1; level <= 10; ++level) {
        out << "  a" << level << ": &a" << level << " [";
        for (int i = 0; i < 10; ++i) out << (i ? ", " : "") << "*a" << level - 1;
        out << "]\n";
      }
    }));
  }
  SECTION("a 70 MiB file, over the 64 MiB limit") {
    check_rejected(write("huge.yaml", [](std::ofstream& out) {
      out << "version: 1\ntimezone: Europe/London\nevents:\n";
      std::string event;
      for (int i = 0; i < 1000; ++i) event += "  - id: e" + std::to_string(i) + "\n    title: T\n    every: June 23\n";
      std::size_t written = 0;
      while (written < (70u << 20)) {
        out << event;
        written += event.size();
      }
    }));
  }
}

// libFuzzer target, differential: a text read by parse_yaml_in_pieces() on
// 2, 3 and 4 threads (one piece a thread, a few items or one item a piece)
// gives exactly the events, marks and error of one plain yaml-cpp parse of
// the whole text; any difference aborts with both. The size threshold of
// yaml_pieces_for() is bypassed (the thread count is given), so small
// inputs are cut. Bytes without a root `events:` line are
// put after "events:\n", so that they sit inside the list where the cuts
// fall. Built by scripts/fuzz (`scripts/fuzz 600 yaml_pieces_fuzz`); why:
// docs/PERFORMANCE.md "2026-12-03, seventh session: the pieces checked against the whole".
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "support/yaml_pieces_check.hpp"

namespace {

bool has_events_line(std::string_view text) {
  return text.starts_with("events:") || text.find("\nevents:") != std::string_view::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  if (!has_events_line(text)) text.insert(0, "events:\n");
  if (auto difference = herald::test::any_pieces_differ(text)) {
    std::fprintf(stderr, "yaml_pieces_fuzz: the pieces differ from the whole: %s\n", difference->c_str());
    std::abort();
  }
  return 0;
}

// libFuzzer target: any bytes given to the calendar loader end in a calendar
// or in diagnostics, never a crash, a hang or a sanitizer report. Built by
// scripts/fuzz (clang, -DHERALD_FUZZ=ON).
#include <cstdint>
#include <string_view>

#include "calendar/calendar_loader.hpp"
#include "calendar/plan.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto result = herald::load_calendar(text, "fuzz.yaml");
  for (const auto& d : result.errors) herald::format_diagnostic(d, text);
  if (result.value) {
    // Plan a year, so rules, moves and templates run on what was accepted.
    auto first = date::local_days{date::year{2027} / 1 / 1};
    auto plan = herald::plan_window(*result.value, first, first + date::days{365});
    for (const auto& post : plan.posts) herald::render_post(*result.value, post);
  }
  return 0;
}

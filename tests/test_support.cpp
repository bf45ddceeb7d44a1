#include "test_support.hpp"

#include <catch2/catch.hpp>

namespace herald::test {

calendar load_ok(const std::string& yaml, const calendar_options& options) {
  auto result = load_calendar(yaml, "test.yaml", options);
  std::string errors;
  for (const auto& d : result.errors) errors += format_diagnostic(d, yaml);
  INFO(errors);
  REQUIRE(result.value);
  return std::move(*result.value);
}

std::string load_errors(const std::string& yaml, const calendar_options& options) {
  auto result = load_calendar(yaml, "test.yaml", options);
  REQUIRE_FALSE(result.value);
  std::string errors;
  for (const auto& d : result.errors) errors += format_diagnostic(d, yaml);
  return errors;
}

}  // namespace herald::test

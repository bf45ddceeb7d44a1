#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "text/result.hpp"

using namespace herald;

namespace {

result<int> half(int n) {
  if (n % 2) return failure{"odd"};
  return n / 2;
}

result<void> check(bool good) {
  if (!good) return failure{"cannot bind 127.0.0.1:80: Permission denied"};
  return {};
}

}  // namespace

TEST_CASE("result: a value or a failure's message", "[text][result]") {
  auto good = half(4);
  REQUIRE(good.ok());
  CHECK(good.value() == 2);
  auto bad = half(3);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error() == "odd");

  result<std::unique_ptr<int>> owned(std::make_unique<int>(7));
  auto taken = std::move(owned).value();  // a move-only value can be taken out
  CHECK(*taken == 7);
}

TEST_CASE("result: result<void> is success or a failure", "[text][result]") {
  CHECK(check(true).ok());
  auto bad = check(false);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error() == "cannot bind 127.0.0.1:80: Permission denied");
}

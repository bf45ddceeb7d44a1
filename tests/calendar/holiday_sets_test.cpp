// The UK's bank holiday sets against GOV.UK's published lists
// (gov.uk/bank-holidays), typed in here year by year.
#include "calendar/holiday_sets.hpp"

#include <string>

#include <catch2/catch.hpp>

#include "test_support.hpp"

namespace herald {
namespace {

std::string listed(holiday_set set, int year) {
  std::string out;
  for (auto day : holidays_in_year(set, year)) {
    if (!out.empty()) out += ' ';
    out += test::iso(day).substr(5);
  }
  return out;
}

}  // namespace

TEST_CASE("holiday sets: names", "[holidays]") {
  CHECK(find_holiday_set("uk/england-and-wales") == holiday_set::england_and_wales);
  CHECK(find_holiday_set("uk/scotland") == holiday_set::scotland);
  CHECK(find_holiday_set("uk/northern-ireland") == holiday_set::northern_ireland);
  CHECK_FALSE(find_holiday_set("uk/wales"));
  CHECK(holiday_set_names().size() == 3);
}

TEST_CASE("holiday sets: England and Wales 2019-2027 as GOV.UK lists them", "[holidays]") {
  auto ew = holiday_set::england_and_wales;
  CHECK(listed(ew, 2019) == "01-01 04-19 04-22 05-06 05-27 08-26 12-25 12-26");
  CHECK(listed(ew, 2020) == "01-01 04-10 04-13 05-08 05-25 08-31 12-25 12-28");
  CHECK(listed(ew, 2021) == "01-01 04-02 04-05 05-03 05-31 08-30 12-27 12-28");
  CHECK(listed(ew, 2022) == "01-03 04-15 04-18 05-02 06-02 06-03 08-29 09-19 12-26 12-27");
  CHECK(listed(ew, 2023) == "01-02 04-07 04-10 05-01 05-08 05-29 08-28 12-25 12-26");
  CHECK(listed(ew, 2024) == "01-01 03-29 04-01 05-06 05-27 08-26 12-25 12-26");
  CHECK(listed(ew, 2025) == "01-01 04-18 04-21 05-05 05-26 08-25 12-25 12-26");
  CHECK(listed(ew, 2026) == "01-01 04-03 04-06 05-04 05-25 08-31 12-25 12-28");
  CHECK(listed(ew, 2027) == "01-01 03-26 03-29 05-03 05-31 08-30 12-27 12-28");
}

TEST_CASE("holiday sets: the one-off changes since 1995", "[holidays]") {
  auto ew = holiday_set::england_and_wales;
  CHECK(listed(ew, 1995) == "01-02 04-14 04-17 05-08 05-29 08-28 12-25 12-26");
  CHECK(listed(ew, 1999) == "01-01 04-02 04-05 05-03 05-31 08-30 12-27 12-28 12-31");
  CHECK(listed(ew, 2002) == "01-01 03-29 04-01 05-06 06-03 06-04 08-26 12-25 12-26");
  CHECK(listed(ew, 2011) == "01-03 04-22 04-25 04-29 05-02 05-30 08-29 12-26 12-27");
  CHECK(listed(ew, 2012) == "01-02 04-06 04-09 05-07 06-04 06-05 08-27 12-25 12-26");
}

TEST_CASE("holiday sets: Scotland as GOV.UK lists it", "[holidays]") {
  auto sc = holiday_set::scotland;
  CHECK(listed(sc, 2020) == "01-01 01-02 04-10 05-08 05-25 08-03 11-30 12-25 12-28");
  CHECK(listed(sc, 2021) == "01-01 01-04 04-02 05-03 05-31 08-02 11-30 12-27 12-28");
  CHECK(listed(sc, 2022) == "01-03 01-04 04-15 05-02 06-02 06-03 08-01 09-19 11-30 12-26 12-27");
  CHECK(listed(sc, 2023) == "01-02 01-03 04-07 05-01 05-08 05-29 08-07 11-30 12-25 12-26");
  CHECK(listed(sc, 2024) == "01-01 01-02 03-29 05-06 05-27 08-05 12-02 12-25 12-26");
  CHECK(listed(sc, 2025) == "01-01 01-02 04-18 05-05 05-26 08-04 12-01 12-25 12-26");
  CHECK(listed(sc, 2026) == "01-01 01-02 04-03 05-04 05-25 08-03 11-30 12-25 12-28");
}

TEST_CASE("holiday sets: Northern Ireland as GOV.UK lists it", "[holidays]") {
  auto ni = holiday_set::northern_ireland;
  CHECK(listed(ni, 2023) == "01-02 03-17 04-07 04-10 05-01 05-08 05-29 07-12 08-28 12-25 12-26");
  CHECK(listed(ni, 2024) == "01-01 03-18 03-29 04-01 05-06 05-27 07-12 08-26 12-25 12-26");
  CHECK(listed(ni, 2025) == "01-01 03-17 04-18 04-21 05-05 05-26 07-14 08-25 12-25 12-26");
  CHECK(listed(ni, 2026) == "01-01 03-17 04-03 04-06 05-04 05-25 07-13 08-31 12-25 12-28");
}

}  // namespace herald

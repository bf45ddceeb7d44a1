// The table and its decoding. Each year is one word:
//   bits 0–12   the months in order (a leap month in its place), 1 = 30 days
//   bits 13–16  which month has a leap copy after it (0: none)
//   bits 17–22  the new-year day, in days after 1 January
// The words were made from Debian's python3-lunardate (its public API, one
// month start at a time) and agree with the Hong Kong Observatory's
// published tables; tests/calendar/chinese_date_test.cpp checks every day
// of 1901–2099 against lunardate and the new-year dates against published
// ones.
#include "calendar/chinese_date.hpp"

#include <array>
#include <cstdint>

namespace herald::chinese {
namespace {

constexpr std::array<std::uint32_t, last_year - first_year + 1> years = {
    0x620752, 0x4c0ea5, 0x38b64a, 0x5c064b, 0x440a9b, 0x309556, 0x56056a, 0x400b59, 0x2a5752, 0x500752, 0x3adb25,
    0x600b25, 0x480a4b, 0x32b4ab, 0x5802ad, 0x42056b, 0x2c4b69, 0x520da9, 0x3efd92, 0x640e92, 0x4c0d25, 0x36ba4d,
    0x5c0a56, 0x4602b6, 0x2e95b5, 0x5606d4, 0x400ea9, 0x2c5e92, 0x500e92, 0x3acd26, 0x5e052b, 0x480a57, 0x32b2d6,
    0x580b5a, 0x4406d4, 0x2e6ec9, 0x520749, 0x3cf693, 0x620a93, 0x4c052b, 0x34ca5b, 0x5a0aad, 0x46056a, 0x309b55,
    0x560ba4, 0x400b49, 0x2a5a93, 0x500a95, 0x38f52d, 0x5e0536, 0x480aad, 0x34b5aa, 0x5805b2, 0x420ba5, 0x2e7d4a,
    0x540b4a, 0x3d0a95, 0x600a97, 0x4c0556, 0x36cab5, 0x5a0ad5, 0x4606d2, 0x308ea5, 0x560ea5, 0x40064a, 0x286c97,
    0x4e0a9b, 0x3af55a, 0x5e056a, 0x480b69, 0x34b752, 0x5a0b52, 0x420b25, 0x2c964b, 0x520a4b, 0x3d14ab, 0x6002ad,
    0x4a05ad, 0x36cb69, 0x5c0da9, 0x460d92, 0x309d25, 0x560d25, 0x415a4d, 0x640a56, 0x4e02b6, 0x38c5b5, 0x5e06d5,
    0x480ea9, 0x34be92, 0x5a0e92, 0x440d26, 0x2c6a56, 0x500a57, 0x3d14d6, 0x62035a, 0x4a06d5, 0x36b6c9, 0x5c0749,
    0x460693, 0x2e952b, 0x54052b, 0x3e0a5b, 0x2a555a, 0x4e056a, 0x38fb55, 0x600ba4, 0x4a0b49, 0x32ba93, 0x580a95,
    0x42052d, 0x2c8aad, 0x500ab5, 0x3d35aa, 0x6205d2, 0x4c0da5, 0x36dd4a, 0x5c0d4a, 0x460c95, 0x30952e, 0x540556,
    0x3e0ab5, 0x2a55b2, 0x5006d2, 0x38cea5, 0x5e0725, 0x48064b, 0x32ac97, 0x560cab, 0x42055a, 0x2c6ad6, 0x520b69,
    0x3d7752, 0x620b52, 0x4c0b25, 0x36da4b, 0x5a0a4b, 0x4404ab, 0x2ea55b, 0x5405ad, 0x3e0b6a, 0x2a5b52, 0x500d92,
    0x3afd25, 0x5e0d25, 0x480a55, 0x32b4ad, 0x5804b6, 0x4005b5, 0x2c6daa, 0x520ec9, 0x3f1e92, 0x620e92, 0x4c0d26,
    0x36ca56, 0x5a0a57, 0x440556, 0x2e86d5, 0x540755, 0x400749, 0x286e93, 0x4e0693, 0x38f52b, 0x5e052b, 0x460a5b,
    0x32b55a, 0x58056a, 0x420b65, 0x2c974a, 0x520b4a, 0x3d1a95, 0x620a95, 0x4a052d, 0x34caad, 0x5a0ab5, 0x4605aa,
    0x2e8ba5, 0x540da5, 0x400d4a, 0x2a7c95, 0x4e0c96, 0x38f94e, 0x5e0556, 0x480ab5, 0x32b5b2, 0x5806d2, 0x420ea5,
    0x2e8e4a, 0x50068b, 0x3b0c97, 0x6004ab, 0x4a055b, 0x34cad6, 0x5a0b6a, 0x460752, 0x309725, 0x540b45, 0x3e0a8b,
    0x28549b,
};

struct year_info {
  date::local_days start;
  unsigned months;  ///< 12 or 13
  unsigned leap;    ///< the month a leap month follows; 0 when none
  std::uint32_t long_months;

  unsigned length(unsigned index) const { return (long_months >> index) & 1 ? 30 : 29; }
  // The position in the year of regular month `month` (0-based).
  unsigned index_of(unsigned month) const { return month - 1 + (leap != 0 && month > leap ? 1 : 0); }
};

std::optional<year_info> info(int year) {
  if (year < first_year || year > last_year) return std::nullopt;
  auto word = years[static_cast<std::size_t>(year - first_year)];
  unsigned leap = (word >> 13) & 0xf;
  auto jan1 = date::local_days{date::year{year} / date::January / 1};
  return year_info{jan1 + date::days{(word >> 17) & 0x3f}, leap ? 13u : 12u, leap, word & 0x1fff};
}

}  // namespace

std::optional<date::local_days> new_year(int year) {
  auto y = info(year);
  if (!y) return std::nullopt;
  return y->start;
}

std::optional<date::local_days> to_days(int year, unsigned month, unsigned day) {
  auto y = info(year);
  if (!y) return std::nullopt;
  auto index = y->index_of(month);
  if (day > y->length(index)) return std::nullopt;
  auto start = y->start;
  for (unsigned i = 0; i < index; ++i) start += date::days{y->length(i)};
  return start + date::days{day - 1};
}

std::optional<lunar_date> from_days(date::local_days day) {
  int year = static_cast<int>(date::year_month_day{day}.year());
  auto y = info(year);
  if (!y || day < y->start) y = info(--year);  // January: still last lunar year
  if (!y) return std::nullopt;
  auto start = y->start;
  for (unsigned i = 0; i < y->months; ++i) {
    auto end = start + date::days{y->length(i)};
    if (day < end) {
      bool leap = y->leap != 0 && i == y->leap;
      unsigned month = i + 1 - (y->leap != 0 && i >= y->leap ? 1 : 0);
      return lunar_date{year, month, leap, static_cast<unsigned>((day - start).count()) + 1};
    }
    start = end;
  }
  return std::nullopt;  // after the last lunar year of the table
}

}  // namespace herald::chinese

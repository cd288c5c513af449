#include "floe/util/temporal.h"

#include <fmt/format.h>

#include <charconv>

namespace floe {
namespace {

constexpr int64_t kMicrosPerDay = 86'400'000'000;

std::string FormatYear(int64_t year) {
  if (year >= 0 && year <= 9999) return fmt::format("{:04d}", year);
  return fmt::format("{}{:04d}", year < 0 ? "-" : "+", year < 0 ? -year : year);
}

// A cursor over text with the few primitives the ISO 8601 parser needs.
struct Cursor {
  std::string_view s;
  size_t pos = 0;
  bool Done() const { return pos == s.size(); }
  bool Eat(char c) {
    if (pos < s.size() && s[pos] == c) return ++pos, true;
    return false;
  }
  // Exactly `n` digits (n > 0), or at least n when `more` is set.
  bool Digits(int n, int64_t* out, bool more = false) {
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9' && (more || pos - start < size_t(n))) {
      ++pos;
    }
    if (pos - start < size_t(n) || pos - start > 18) return false;
    std::from_chars(s.data() + start, s.data() + pos, *out);
    return true;
  }
};

bool ParseDateAt(Cursor& c, int64_t* days) {
  bool negative = c.Eat('-');
  if (!negative) c.Eat('+');
  int64_t year = 0, month = 0, day = 0;
  if (!c.Digits(4, &year, true) || !c.Eat('-') || !c.Digits(2, &month) || !c.Eat('-') ||
      !c.Digits(2, &day)) {
    return false;
  }
  if (negative) year = -year;
  // int32 days reach about 5.8 million years; beyond that the arithmetic
  // below would overflow.
  if (year > 9'999'999 || year < -9'999'999) return false;
  if (month < 1 || month > 12 || day < 1 || day > 31) return false;
  *days = DaysFromCivil(year, static_cast<int>(month), static_cast<int>(day));
  // Reject days past the month's end (e.g. 2026-02-30) by round-tripping.
  CivilDate back = CivilFromDays(*days);
  return back.year == year && back.month == month && back.day == day;
}

// HH:MM[:SS[.fraction]] into units of 10^-digits seconds.
bool ParseTimeAt(Cursor& c, int digits, int64_t* out) {
  int64_t h = 0, m = 0, s = 0, frac = 0;
  if (!c.Digits(2, &h) || !c.Eat(':') || !c.Digits(2, &m)) return false;
  if (c.Eat(':')) {
    if (!c.Digits(2, &s)) return false;
    if (c.Eat('.')) {
      size_t start = c.pos;
      int64_t raw = 0;
      if (!c.Digits(1, &raw, true)) return false;
      int n = static_cast<int>(c.pos - start);
      if (n > digits) return false;
      frac = raw;
      for (int i = n; i < digits; ++i) frac *= 10;
    }
  }
  if (h > 23 || m > 59 || s > 59) return false;
  int64_t unit = 1;
  for (int i = 0; i < digits; ++i) unit *= 10;
  *out = ((h * 60 + m) * 60 + s) * unit + frac;
  return true;
}

}  // namespace

// Days <-> civil date by counting 400-year eras of 146097 days from 0000-03-01,
// which puts the leap day at the end of each year and keeps the math linear.
CivilDate CivilFromDays(int64_t days) {
  const int64_t z = days + 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;                                       // [0, 146096]
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11], March = 0
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (month <= 2), month, day};
}

int64_t DaysFromCivil(int64_t year, int month, int day) {
  year -= month <= 2;
  const int64_t era = FloorDiv(year, 400);
  const int64_t yoe = year - era * 400;
  const int64_t mp = month > 2 ? month - 3 : month + 9;
  const int64_t doy = (153 * mp + 2) / 5 + day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::string FormatDate(int32_t days) {
  CivilDate d = CivilFromDays(days);
  return fmt::format("{}-{:02d}-{:02d}", FormatYear(d.year), d.month, d.day);
}

std::string FormatTime(int64_t micros) {
  // Foreign files may hold times outside a day; they print with a sign and
  // more hours rather than as garbage (they are not valid Iceberg times).
  const bool negative = micros < 0;
  const uint64_t m =
      negative ? uint64_t{0} - static_cast<uint64_t>(micros) : static_cast<uint64_t>(micros);
  const uint64_t s = m / 1'000'000;
  return fmt::format("{}{:02d}:{:02d}:{:02d}.{:06d}", negative ? "-" : "", s / 3600, s / 60 % 60,
                     s % 60, m % 1'000'000);
}

void AppendTimestamp(int64_t value, bool nanos, bool utc, std::string* out) {
  const int64_t per_second = nanos ? 1'000'000'000 : 1'000'000;
  const int64_t seconds = FloorDiv(value, per_second);
  const int64_t fraction = FloorMod(value, per_second);
  const int64_t days = FloorDiv(seconds, 86400);
  const int64_t in_day = FloorMod(seconds, 86400);
  CivilDate d = CivilFromDays(days);
  if (d.year >= 0 && d.year <= 9999) {
    // The common case, digit by digit (scans print millions of these).
    char buf[32];
    char* p = buf;
    auto digits = [&p](int64_t v, int n) {
      for (int k = n - 1; k >= 0; --k) {
        p[k] = static_cast<char>('0' + v % 10);
        v /= 10;
      }
      p += n;
    };
    digits(d.year, 4);
    *p++ = '-';
    digits(d.month, 2);
    *p++ = '-';
    digits(d.day, 2);
    *p++ = 'T';
    digits(in_day / 3600, 2);
    *p++ = ':';
    digits(in_day / 60 % 60, 2);
    *p++ = ':';
    digits(in_day % 60, 2);
    *p++ = '.';
    digits(fraction, nanos ? 9 : 6);
    if (utc) *p++ = 'Z';
    out->append(buf, p);
    return;
  }
  *out += fmt::format("{}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:0{}d}{}", FormatYear(d.year),
                      d.month, d.day, in_day / 3600, in_day / 60 % 60, in_day % 60, fraction,
                      nanos ? 9 : 6, utc ? "Z" : "");
}

std::string FormatTimestamp(int64_t value, bool nanos, bool utc) {
  std::string out;
  AppendTimestamp(value, nanos, utc, &out);
  return out;
}

Result<int32_t> ParseDate(std::string_view text) {
  Cursor c{text};
  int64_t days = 0;
  if (!ParseDateAt(c, &days) || !c.Done() || days < INT32_MIN || days > INT32_MAX) {
    return Status::InvalidArgument("invalid date '{}' (expected YYYY-MM-DD)", text);
  }
  return static_cast<int32_t>(days);
}

Result<int64_t> ParseTime(std::string_view text) {
  Cursor c{text};
  int64_t micros = 0;
  if (!ParseTimeAt(c, 6, &micros) || !c.Done()) {
    return Status::InvalidArgument("invalid time '{}' (expected HH:MM:SS[.ffffff])", text);
  }
  return micros;
}

Result<int64_t> ParseTimestamp(std::string_view text, bool nanos, bool utc) {
  Cursor c{text};
  int64_t days = 0, in_day = 0;
  const int digits = nanos ? 9 : 6;
  const int64_t per_day = nanos ? kMicrosPerDay * 1000 : kMicrosPerDay;
  auto bad = [&] {
    return Status::InvalidArgument(
        "invalid timestamp '{}' (expected YYYY-MM-DDTHH:MM:SS[.fraction][Z|+HH:MM])", text);
  };
  if (!ParseDateAt(c, &days)) return bad();
  if (!c.Done()) {
    if (!c.Eat('T') && !c.Eat(' ')) return bad();
    if (!ParseTimeAt(c, digits, &in_day)) return bad();
  }
  int64_t offset_minutes = 0;
  const size_t zone_at = c.pos;
  if (c.Eat('Z')) {
  } else if (c.pos < text.size() && (text[c.pos] == '+' || text[c.pos] == '-')) {
    const bool negative = text[c.pos++] == '-';
    int64_t h = 0, m = 0;
    if (!c.Digits(2, &h) || !c.Eat(':') || !c.Digits(2, &m) || h > 23 || m > 59) return bad();
    offset_minutes = (negative ? -1 : 1) * (h * 60 + m);
  }
  if (!c.Done()) return bad();
  if (!utc && c.pos != zone_at) {
    // A local timestamp has no zone; shifting it to UTC would change it silently.
    return Status::InvalidArgument(
        "timestamp '{}' has a zone, but the column is a timestamp without one", text);
  }
  const int64_t per_minute = per_day / 1440;
  // 128-bit arithmetic: the far edges of the calendar overflow int64 midway.
  __extension__ const __int128 wide = static_cast<__int128>(days) * per_day + in_day -
                                      static_cast<__int128>(offset_minutes) * per_minute;
  if (wide < INT64_MIN || wide > INT64_MAX)
    return Status::OutOfRange("timestamp '{}' is out of range", text);
  const auto value = static_cast<int64_t>(wide);
  return value;
}

}  // namespace floe

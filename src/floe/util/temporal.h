// Dates, times and timestamps as Iceberg stores them (days / micros / nanos
// from 1970-01-01T00:00:00 in the proleptic Gregorian calendar), and their ISO
// 8601 text forms. Pure arithmetic: no time zone database, no locale.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "floe/util/status.h"

namespace floe {

struct CivilDate {
  int64_t year;
  int month;  // 1..12
  int day;    // 1..31
};

CivilDate CivilFromDays(int64_t days);
int64_t DaysFromCivil(int64_t year, int month, int day);

// Floor division and modulo, for instants before the epoch. REQUIRES: b > 0.
inline int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && (a < 0));
}
inline int64_t FloorMod(int64_t a, int64_t b) {
  const int64_t r = a % b;  // not a - FloorDiv(a, b) * b: that overflows at INT64_MIN
  return r < 0 ? r + b : r;
}

inline bool IsLeapYear(int64_t year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}
// month 1..12
inline int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// "2026-11-25"; years outside 0..9999 get a sign and more digits.
std::string FormatDate(int32_t days);
// "13:45:00.123456" from microseconds since midnight.
std::string FormatTime(int64_t micros);
// "2026-11-25T13:45:00.123456" (micros, 6 digits) or with 9 digits for nanos,
// followed by "Z" when `utc`.
std::string FormatTimestamp(int64_t value, bool nanos, bool utc);
// The same text appended to `out` (no temporary for the common years).
void AppendTimestamp(int64_t value, bool nanos, bool utc, std::string* out);

Result<int32_t> ParseDate(std::string_view text);
Result<int64_t> ParseTime(std::string_view text);  // to micros
// Accepts "YYYY-MM-DD[T ]HH:MM[:SS[.fraction]]" or a bare date (midnight).
// For `utc` columns an optional "Z" or "+HH:MM" / "-HH:MM" offset converts to
// UTC; for local ones a zone is an error. Fractions beyond the unit's
// precision are an error rather than truncated.
Result<int64_t> ParseTimestamp(std::string_view text, bool nanos, bool utc);

}  // namespace floe

// Date and time text in a strptime-style format ("%d/%m/%Y %H:%M"), compiled
// once and applied to many values. The directives and their rules follow
// Python's datetime.strptime (the C locale's English names), so that what a
// data engineer tried in Python parses the same here:
//
//   %Y year (4 digits)   %y year 00-99 (69-99: 19xx)   %m month   %d / %e day
//   %H hour 0-23   %I hour 1-12 with %p AM/PM   %M minute   %S second
//   %f fraction of a second (1-9 digits)   %j day of the year
//   %b %h %B month name   %a %A weekday name (read, not checked)
//   %z UTC offset (Z, +HH, +HHMM, +HH:MM)   %s seconds since the epoch
//   %F = %Y-%m-%d   %T = %H:%M:%S   %R = %H:%M   %D = %m/%d/%y   %% = %
//
// Whitespace in the format matches one or more whitespace characters; other
// characters match themselves, ignoring ASCII case. Numbers take as many
// digits as their field allows (up to 2, 4 for %Y, 3 for %j). The whole
// text must be consumed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "floe/util/status.h"

namespace floe {

struct ParsedTime {
  int64_t local_seconds = 0;  // the wall time read, as seconds since 1970-01-01T00:00 local
  int32_t nanos = 0;          // 0..999,999,999
  std::optional<int32_t> offset_seconds;  // from %z (or 0 for %s): then local - offset is UTC
};

class TimeFormat {
 public:
  // kInvalidArgument for an unknown directive or a format without a date
  // (no %Y, %y, %F, %D or %s): a timestamp needs a year.
  static Result<TimeFormat> Compile(std::string_view format);

  // kInvalidArgument naming what did not match, or the impossible value
  // (month 13, 2025-02-29, hour 24).
  Result<ParsedTime> Parse(std::string_view text) const;

  const std::string& format() const { return format_; }

 private:
  struct Item {
    char directive = 0;  // 0: literal text; ' ': whitespace
    std::string literal;
  };

  std::string format_;
  std::vector<Item> items_;
};

}  // namespace floe

// Time zones: the offset from UTC at any instant, and the instant of a local
// wall time, from the IANA database's compiled TZif files (RFC 8536) or a
// fixed offset. Pure computation over bytes handed in: reading the files
// from /usr/share/zoneinfo is the caller's business (no filesystem here).
//
// A TimeZone is an immutable value: thread-safe to share once built.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "floe/util/status.h"

namespace floe {

// "+05:30", "-0800", "+01", "+05:30:15", "Z" as seconds east of UTC (under a
// day either way); kInvalidArgument for anything else.
Result<int32_t> ParseUtcOffset(std::string_view text);

class TimeZone {
 public:
  static TimeZone Utc();
  // A zone of one offset, as ParseUtcOffset reads it.
  static Result<TimeZone> FixedOffset(std::string_view text);
  // A TZif file, version 1 to 4; for version 2 and later the 64-bit data and
  // the footer's POSIX rule (used past the last transition). kCorruption
  // for malformed bytes, kNotSupported for leap-second ("right/") files.
  static Result<TimeZone> FromTzif(std::span<const uint8_t> bytes, std::string name);
  // A POSIX TZ rule such as "CET-1CEST,M3.5.0,M10.5.0/3" (the TZif footer's
  // form), for tests and for zones given as a rule.
  static Result<TimeZone> FromPosixRule(std::string_view rule, std::string name);

  const std::string& name() const { return name_; }

  // Seconds east of UTC in effect at the instant `utc_seconds`.
  int32_t OffsetAt(int64_t utc_seconds) const;
  // The instant of a local wall time, as Python's zoneinfo does with fold=0:
  // a time that occurs twice (clocks turned back) is the earlier instant; a
  // time that does not occur (clocks turned forward) uses the offset from
  // before the change, landing as far past the change as it was into the gap.
  int64_t ToUtc(int64_t local_seconds) const;

 private:
  // A POSIX rule's transition day: Jn (1..365, no Feb 29), n (0..365), or
  // Mm.w.d (the d-th weekday of week w, 5 = last, of month m).
  struct RuleDate {
    enum Kind : uint8_t { kJulianNoLeap, kZeroBased, kMonthWeekDay } kind = kMonthWeekDay;
    int day = 0, week = 0, month = 0;
    int32_t seconds = 7200;  // local time of day of the change, may be negative or past 24h
  };
  struct Rule {
    int32_t std_offset = 0;
    bool has_dst = false;
    int32_t dst_offset = 0;
    RuleDate start, end;
  };

  static Result<Rule> ParseRule(std::string_view text);
  static int64_t RuleDateUtc(const RuleDate& d, int64_t year, int32_t offset_before);
  int32_t RuleOffsetAt(int64_t utc_seconds) const;

  std::string name_;
  std::vector<int64_t> transitions_;  // UTC seconds, strictly ascending
  std::vector<int32_t> offsets_;      // offsets_[i] in effect from transitions_[i]
  int32_t initial_offset_ = 0;        // before the first transition
  bool has_rule_ = false;             // rule_ applies from the last transition on
  Rule rule_;
};

}  // namespace floe

#include "floe/util/time_zone.h"

#include <algorithm>
#include <array>

#include "floe/util/temporal.h"

namespace floe {
namespace {

// Instants are clamped to about +-140 million years, far past any timestamp
// a column can hold, so the arithmetic below never overflows.
constexpr int64_t kLimit = int64_t{1} << 52;
constexpr int32_t kMaxOffset = 26 * 3600;  // RFC 8536 advises -25h..26h
constexpr size_t kHeaderSize = 44;

int64_t Clamp(int64_t t) {
  return std::clamp(t, -kLimit, kLimit);
}

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// A cursor over a POSIX TZ rule or an offset's text.
struct Text {
  std::string_view s;
  size_t pos = 0;
  bool Done() const { return pos == s.size(); }
  char Peek() const { return pos < s.size() ? s[pos] : '\0'; }
  bool Eat(char c) {
    if (Peek() != c || Done()) return false;
    ++pos;
    return true;
  }
  // 1 to `max_digits` digits.
  bool Number(int max_digits, int* out) {
    int n = 0, v = 0;
    while (n < max_digits && IsDigit(Peek())) v = v * 10 + (s[pos++] - '0'), ++n;
    *out = v;
    return n > 0;
  }
  // [+-]hh[:mm[:ss]] with hh <= max_hours, as seconds.
  bool Duration(int max_hours, int32_t* out) {
    const bool negative = Eat('-');
    if (!negative) Eat('+');
    int h = 0, m = 0, sec = 0;
    if (!Number(3, &h) || h > max_hours) return false;
    if (Eat(':')) {
      if (!Number(2, &m) || m > 59) return false;
      if (Eat(':') && (!Number(2, &sec) || sec > 59)) return false;
    }
    *out = (negative ? -1 : 1) * (h * 3600 + m * 60 + sec);
    return true;
  }
  // A zone abbreviation: three or more letters, or <...> of letters, digits, + and -.
  bool Abbreviation() {
    const size_t start = pos;
    if (Eat('<')) {
      while (IsAlpha(Peek()) || IsDigit(Peek()) || Peek() == '+' || Peek() == '-') ++pos;
      return pos - start >= 4 && Eat('>');
    }
    while (IsAlpha(Peek())) ++pos;
    return pos - start >= 3;
  }
};

uint32_t Be32(std::span<const uint8_t> b, size_t at) {
  return uint32_t{b[at]} << 24 | uint32_t{b[at + 1]} << 16 | uint32_t{b[at + 2]} << 8 | b[at + 3];
}
int64_t Be64(std::span<const uint8_t> b, size_t at) {
  return static_cast<int64_t>(uint64_t{Be32(b, at)} << 32 | Be32(b, at + 4));
}

struct TzifHeader {
  char version = 0;
  uint64_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;

  // Bytes of the data block that follows, with `time_size`-byte times.
  uint64_t DataSize(uint64_t time_size) const {
    return timecnt * time_size + timecnt + typecnt * 6 + charcnt + leapcnt * (time_size + 4) +
           isstdcnt + isutcnt;
  }
};

Result<TzifHeader> ReadHeader(std::span<const uint8_t> b, size_t at, const std::string& name) {
  if (b.size() - at < kHeaderSize || b[at] != 'T' || b[at + 1] != 'Z' || b[at + 2] != 'i' ||
      b[at + 3] != 'f') {
    return Status::Corruption("time zone {}: not a TZif file", name);
  }
  TzifHeader h;
  h.version = static_cast<char>(b[at + 4]);
  if (h.version != 0 && (h.version < '2' || h.version > '4')) {
    return Status::Corruption("time zone {}: unknown TZif version {}", name, int{b[at + 4]});
  }
  h.isutcnt = Be32(b, at + 20);
  h.isstdcnt = Be32(b, at + 24);
  h.leapcnt = Be32(b, at + 28);
  h.timecnt = Be32(b, at + 32);
  h.typecnt = Be32(b, at + 36);
  h.charcnt = Be32(b, at + 40);
  if (h.typecnt == 0 || h.charcnt == 0 || (h.isutcnt != 0 && h.isutcnt != h.typecnt) ||
      (h.isstdcnt != 0 && h.isstdcnt != h.typecnt)) {
    return Status::Corruption("time zone {}: inconsistent TZif counts", name);
  }
  if (h.leapcnt != 0) {
    return Status::NotSupported("time zone {}: leap-second (\"right/\") zones are not supported",
                                name);
  }
  return h;
}

}  // namespace

TimeZone TimeZone::Utc() {
  TimeZone zone;
  zone.name_ = "UTC";
  return zone;
}

Result<int32_t> ParseUtcOffset(std::string_view text) {
  if (text == "Z" || text == "z") return 0;
  Text t{text};
  const char sign = t.Peek();
  int h = 0, m = 0, s = 0;
  // +HH, +HHMM, +HH:MM, +HH:MM:SS and +HHMMSS.
  bool ok = (t.Eat('+') || t.Eat('-')) && t.Number(2, &h) && t.pos == 3;
  if (ok && !t.Done()) {
    const bool colon = t.Eat(':');
    const size_t at = t.pos;
    ok = t.Number(2, &m) && t.pos == at + 2;
    if (ok && !t.Done()) {
      ok = (!colon || t.Eat(':')) && t.Number(2, &s) && t.pos == at + (colon ? 5 : 4);
    }
  }
  // Under a day, as Python has it.
  if (!ok || !t.Done() || m > 59 || s > 59 || h * 3600 + m * 60 + s >= 86400) {
    return Status::InvalidArgument("'{}' is not a UTC offset (+HH:MM, -HHMM, +HH or Z)", text);
  }
  return (sign == '-' ? -1 : 1) * (h * 3600 + m * 60 + s);
}

Result<TimeZone> TimeZone::FixedOffset(std::string_view text) {
  TimeZone zone;
  zone.name_ = std::string(text);
  FLOE_ASSIGN_OR_RETURN(zone.initial_offset_, ParseUtcOffset(text));
  return zone;
}

Result<TimeZone::Rule> TimeZone::ParseRule(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("time zone rule '{}': {}", text, why);
  };
  Text t{text};
  Rule rule;
  int32_t posix_offset = 0;
  if (!t.Abbreviation()) return bad("expected a zone abbreviation");
  if (!t.Duration(24, &posix_offset)) return bad("expected the standard offset");
  rule.std_offset = -posix_offset;  // POSIX counts hours west of Greenwich
  if (t.Done()) return rule;
  if (!t.Abbreviation()) return bad("expected a daylight-saving abbreviation");
  rule.has_dst = true;
  rule.dst_offset = rule.std_offset + 3600;
  if (!t.Done() && t.Peek() != ',') {
    if (!t.Duration(24, &posix_offset)) return bad("expected the daylight-saving offset");
    rule.dst_offset = -posix_offset;
  }
  for (RuleDate* d : {&rule.start, &rule.end}) {
    if (!t.Eat(',')) return bad("expected ',' and the dates of the change");
    int a = 0, b = 0, c = 0;
    if (t.Eat('J')) {
      if (!t.Number(3, &a) || a < 1 || a > 365) return bad("Jn needs n in 1..365");
      *d = RuleDate{RuleDate::kJulianNoLeap, a, 0, 0, 7200};
    } else if (t.Eat('M')) {
      if (!t.Number(2, &a) || !t.Eat('.') || !t.Number(1, &b) || !t.Eat('.') || !t.Number(1, &c) ||
          a < 1 || a > 12 || b < 1 || b > 5 || c > 6) {
        return bad("Mm.w.d needs m in 1..12, w in 1..5, d in 0..6");
      }
      *d = RuleDate{RuleDate::kMonthWeekDay, c, b, a, 7200};
    } else {
      if (!t.Number(3, &a) || a > 365) return bad("n needs n in 0..365");
      *d = RuleDate{RuleDate::kZeroBased, a, 0, 0, 7200};
    }
    if (t.Eat('/') && !t.Duration(167, &d->seconds)) return bad("bad time of the change");
  }
  if (!t.Done()) return bad("unexpected text at the end");
  if (std::abs(rule.std_offset) > kMaxOffset || std::abs(rule.dst_offset) > kMaxOffset) {
    return bad("offset out of range");
  }
  return rule;
}

Result<TimeZone> TimeZone::FromPosixRule(std::string_view rule, std::string name) {
  TimeZone zone;
  zone.name_ = std::move(name);
  FLOE_ASSIGN_OR_RETURN(zone.rule_, ParseRule(rule));
  zone.has_rule_ = true;
  zone.initial_offset_ = zone.rule_.std_offset;
  return zone;
}

Result<TimeZone> TimeZone::FromTzif(std::span<const uint8_t> bytes, std::string name) {
  FLOE_ASSIGN_OR_RETURN(TzifHeader h, ReadHeader(bytes, 0, name));
  uint64_t time_size = 4;
  size_t at = kHeaderSize;
  if (h.version != 0) {
    // Version 2+: skip the 32-bit block; the 64-bit one follows its own header.
    if (bytes.size() - at < h.DataSize(4))
      return Status::Corruption("time zone {}: cut short", name);
    at += h.DataSize(4);
    FLOE_ASSIGN_OR_RETURN(h, ReadHeader(bytes, at, name));
    at += kHeaderSize;
    time_size = 8;
  }
  if (bytes.size() - at < h.DataSize(time_size)) {
    return Status::Corruption("time zone {}: cut short", name);
  }
  TimeZone zone;
  zone.name_ = std::move(name);
  const size_t types_at = at + h.timecnt * (time_size + 1);
  std::vector<int32_t> type_offsets(h.typecnt);
  for (size_t i = 0; i < h.typecnt; ++i) {
    const int32_t offset = static_cast<int32_t>(Be32(bytes, types_at + 6 * i));
    if (std::abs(int64_t{offset}) > kMaxOffset || bytes[types_at + 6 * i + 5] >= h.charcnt) {
      return Status::Corruption("time zone {}: bad local time type {}", zone.name_, i);
    }
    type_offsets[i] = offset;
  }
  zone.initial_offset_ = type_offsets[0];
  zone.transitions_.reserve(h.timecnt);
  zone.offsets_.reserve(h.timecnt);
  for (size_t i = 0; i < h.timecnt; ++i) {
    const int64_t when =
        time_size == 8 ? Be64(bytes, at + 8 * i) : static_cast<int32_t>(Be32(bytes, at + 4 * i));
    const uint8_t type = bytes[at + h.timecnt * time_size + i];
    if (type >= h.typecnt || (i > 0 && when <= zone.transitions_.back())) {
      return Status::Corruption("time zone {}: bad transition {}", zone.name_, i);
    }
    zone.transitions_.push_back(Clamp(when));
    zone.offsets_.push_back(type_offsets[type]);
  }
  if (h.version == 0) return zone;
  // The footer: "\n" POSIX-rule "\n"; an empty rule means none.
  at += h.DataSize(time_size);
  const std::string_view rest(reinterpret_cast<const char*>(bytes.data()) + at, bytes.size() - at);
  const size_t end =
      rest.size() > 1 && rest[0] == '\n' ? rest.find('\n', 1) : std::string_view::npos;
  if (end == std::string_view::npos) {
    return Status::Corruption("time zone {}: missing TZif footer", zone.name_);
  }
  if (end > 1) {
    Result<Rule> rule = ParseRule(rest.substr(1, end - 1));
    if (!rule.ok())
      return Status::Corruption("time zone {}: {}", zone.name_, rule.status().message());
    zone.rule_ = *rule;
    zone.has_rule_ = true;
    if (zone.transitions_.empty()) zone.initial_offset_ = zone.rule_.std_offset;
  }
  return zone;
}

int64_t TimeZone::RuleDateUtc(const RuleDate& d, int64_t year, int32_t offset_before) {
  const int64_t jan1 = DaysFromCivil(year, 1, 1);
  int64_t day = 0;
  switch (d.kind) {
    case RuleDate::kJulianNoLeap:
      day = jan1 + d.day - 1 + (IsLeapYear(year) && d.day >= 60 ? 1 : 0);
      break;
    case RuleDate::kZeroBased:
      day = jan1 + d.day;
      break;
    case RuleDate::kMonthWeekDay: {
      const int64_t first = DaysFromCivil(year, d.month, 1);
      const int64_t next = first + DaysInMonth(year, d.month);
      const int64_t first_weekday = FloorMod(first + 4, 7);  // 1970-01-01: Thursday; Sunday = 0
      day = first + (d.day - first_weekday + 7) % 7 + int64_t{d.week - 1} * 7;
      while (day >= next) day -= 7;  // week 5: the last such weekday
      break;
    }
  }
  return day * 86400 + d.seconds - offset_before;
}

int32_t TimeZone::RuleOffsetAt(int64_t t) const {
  if (!rule_.has_dst) return rule_.std_offset;
  const int64_t year = CivilFromDays(FloorDiv(t + rule_.std_offset, 86400)).year;
  // The changes of the years around t; the latest at or before t decides.
  // At a tie the start wins, so a rule that is daylight time all year (an
  // end that meets the next start) stays daylight time.
  int64_t best = INT64_MIN;
  int32_t offset = rule_.std_offset;
  for (int64_t y = year - 1; y <= year + 1; ++y) {
    const int64_t end = RuleDateUtc(rule_.end, y, rule_.dst_offset);
    const int64_t start = RuleDateUtc(rule_.start, y, rule_.std_offset);
    if (end <= t && end > best) best = end, offset = rule_.std_offset;
    if (start <= t && start >= best) best = start, offset = rule_.dst_offset;
  }
  return offset;
}

int32_t TimeZone::OffsetAt(int64_t utc_seconds) const {
  const int64_t t = Clamp(utc_seconds);
  if (!transitions_.empty() && t < transitions_.front()) return initial_offset_;
  if (has_rule_ && (transitions_.empty() || t >= transitions_.back())) return RuleOffsetAt(t);
  if (transitions_.empty()) return initial_offset_;
  const auto it = std::upper_bound(transitions_.begin(), transitions_.end(), t);
  return offsets_[static_cast<size_t>(it - transitions_.begin()) - 1];
}

int64_t TimeZone::ToUtc(int64_t local_seconds) const {
  const int64_t local = Clamp(local_seconds);
  // The offsets in effect a little more than a day either side (no offset
  // is a day from UTC), and those they lead to, are the only candidates.
  const int32_t before = OffsetAt(local - 90000), after = OffsetAt(local + 90000);
  const std::array<int32_t, 4> candidates = {before, after, OffsetAt(local - before),
                                             OffsetAt(local - after)};
  int64_t best = INT64_MAX;
  for (const int32_t offset : candidates) {
    if (OffsetAt(local - offset) == offset) best = std::min(best, local - offset);
  }
  return best != INT64_MAX ? best : local - before;  // in a gap
}

}  // namespace floe

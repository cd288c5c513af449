#include "floe/util/time_format.h"

#include <array>
#include <span>

#include "floe/util/strings.h"
#include "floe/util/temporal.h"
#include "floe/util/time_zone.h"

namespace floe {
namespace {

constexpr size_t kMaxFormatLength = 256;

constexpr std::array<std::string_view, 12> kMonths = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december"};
constexpr std::array<std::string_view, 7> kWeekdays = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

// The fields read so far; what is not read keeps its default.
struct Fields {
  std::optional<int64_t> year, epoch;
  std::optional<int> year_day, hour12;
  bool pm = false;
  int month = 1, day = 1, hour = 0, minute = 0, second = 0;
  int32_t nanos = 0;
  std::optional<int32_t> offset;
};

class Reader {
 public:
  explicit Reader(std::string_view text) : s_(text) {}
  size_t pos() const { return pos_; }
  bool Done() const { return pos_ == s_.size(); }
  char Peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void Skip() { ++pos_; }

  // The longest run of min..max digits whose value is in [lo, hi], as
  // Python's patterns prefer two digits to one where both would do.
  bool Number(int min, int max, int64_t lo, int64_t hi, int64_t* out) {
    int available = 0;
    while (available < max && pos_ + available < s_.size() && IsDigit(s_[pos_ + available])) {
      ++available;
    }
    for (int n = available; n >= min; --n) {
      int64_t v = 0;
      for (int i = 0; i < n; ++i) v = v * 10 + (s_[pos_ + i] - '0');
      if (v >= lo && v <= hi) {
        pos_ += static_cast<size_t>(n);
        *out = v;
        return true;
      }
    }
    return false;
  }
  // One of `names` in full or by its first three letters, ignoring case.
  bool Name(std::span<const std::string_view> names, int* index) {
    for (const size_t len : {size_t{0}, size_t{3}}) {
      for (size_t i = 0; i < names.size(); ++i) {
        const std::string_view name = len == 0 ? names[i] : names[i].substr(0, len);
        if (Matches(name)) {
          pos_ += name.size();
          *index = static_cast<int>(i);
          return true;
        }
      }
    }
    return false;
  }
  bool Matches(std::string_view word) const {
    return EqualsIgnoreCase(s_.substr(pos_, word.size()), word);
  }
  // Seconds since the epoch: an optional '-' and up to 18 digits.
  bool Epoch(int64_t* out) {
    const bool negative = Peek() == '-';
    if (negative) ++pos_;
    int64_t v = 0;
    if (!Number(1, 18, 0, INT64_MAX, &v)) return false;
    *out = negative ? -v : v;
    return true;
  }
  // "Z", or a sign and up to eight digits and colons: a UTC offset.
  bool Offset(int32_t* out) {
    if (Peek() == 'Z' || Peek() == 'z') {
      ++pos_;
      *out = 0;
      return true;
    }
    if (Peek() != '+' && Peek() != '-') return false;
    size_t end = pos_ + 1;
    while (end < s_.size() && end - pos_ <= 8 && (IsDigit(s_[end]) || s_[end] == ':')) ++end;
    Result<int32_t> offset = ParseUtcOffset(s_.substr(pos_, end - pos_));
    if (!offset.ok()) return false;
    *out = *offset;
    pos_ = end;
    return true;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

// Reads one directive's field; false when the text does not fit it.
bool ReadField(char directive, Reader& in, Fields& f) {
  int64_t v = 0;
  int index = 0;
  switch (directive) {
    case 'Y':
      if (!in.Number(4, 4, 0, 9999, &v)) return false;
      f.year = v;
      return true;
    case 'y':
      if (!in.Number(2, 2, 0, 99, &v)) return false;
      f.year = v + (v < 69 ? 2000 : 1900);  // POSIX's and Python's pivot
      return true;
    case 'm':
      if (!in.Number(1, 2, 1, 12, &v)) return false;
      f.month = static_cast<int>(v);
      return true;
    case 'e':
      while (in.Peek() == ' ') in.Skip();
      [[fallthrough]];
    case 'd':
      if (!in.Number(1, 2, 1, 31, &v)) return false;
      f.day = static_cast<int>(v);
      return true;
    case 'j':
      if (!in.Number(1, 3, 1, 366, &v)) return false;
      f.year_day = static_cast<int>(v);
      return true;
    case 'H':
      if (!in.Number(1, 2, 0, 23, &v)) return false;
      f.hour = static_cast<int>(v);
      return true;
    case 'I':
      if (!in.Number(1, 2, 1, 12, &v)) return false;
      f.hour12 = static_cast<int>(v);
      return true;
    case 'M':
      if (!in.Number(1, 2, 0, 59, &v)) return false;
      f.minute = static_cast<int>(v);
      return true;
    case 'S':
      if (!in.Number(1, 2, 0, 59, &v)) return false;
      f.second = static_cast<int>(v);
      return true;
    case 'f': {
      const size_t start = in.pos();
      if (!in.Number(1, 9, 0, 999'999'999, &v)) return false;
      for (size_t n = in.pos() - start; n < 9; ++n) v *= 10;
      f.nanos = static_cast<int32_t>(v);
      return true;
    }
    case 'p':
      if (in.Matches("am") || in.Matches("pm")) {
        f.pm = in.Matches("pm");
        in.Skip(), in.Skip();
        return true;
      }
      return false;
    case 'b':
    case 'B':
    case 'h':
      if (!in.Name(kMonths, &index)) return false;
      f.month = index + 1;
      return true;
    case 'a':
    case 'A':
      return in.Name(kWeekdays, &index);
    case 'z': {
      int32_t offset = 0;
      if (!in.Offset(&offset)) return false;
      f.offset = offset;
      return true;
    }
    case 's':
      if (!in.Epoch(&v)) return false;
      f.epoch = v;
      return true;
    default:
      return false;
  }
}

std::string_view Shown(std::string_view text) {
  return text.size() <= 64 ? text : text.substr(0, 64);
}

}  // namespace

Result<TimeFormat> TimeFormat::Compile(std::string_view format) {
  if (format.size() > kMaxFormatLength) {
    return Status::InvalidArgument("time format longer than {} characters", kMaxFormatLength);
  }
  TimeFormat tf;
  tf.format_ = std::string(format);
  auto literal = [&](char c) {
    if (tf.items_.empty() || tf.items_.back().directive != 0) tf.items_.push_back({});
    tf.items_.back().literal += c;
  };
  bool has_date = false;
  for (size_t i = 0; i < format.size(); ++i) {
    const char c = format[i];
    if (IsSpace(c)) {
      if (tf.items_.empty() || tf.items_.back().directive != ' ') tf.items_.push_back({' ', {}});
      continue;
    }
    if (c != '%') {
      literal(c);
      continue;
    }
    if (++i == format.size())
      return Status::InvalidArgument("time format '{}' ends in '%'", format);
    std::string_view expansion;
    switch (format[i]) {
      case 'F':
        expansion = "Y-m-d";
        break;
      case 'T':
        expansion = "H:M:S";
        break;
      case 'R':
        expansion = "H:M";
        break;
      case 'D':
        expansion = "m/d/y";
        break;
      case '%':
        literal('%');
        continue;
      default:
        if (std::string_view("YymdejHIMSfpbBhaAzs").find(format[i]) == std::string_view::npos) {
          return Status::InvalidArgument("time format '{}': unknown directive %{}", format,
                                         format[i]);
        }
        expansion = std::string_view(&format[i], 1);
    }
    for (const char d : expansion) {
      if (d == '-' || d == ':' || d == '/') {
        literal(d);
      } else {
        tf.items_.push_back({d, {}});
        has_date |= d == 'Y' || d == 'y' || d == 's';
      }
    }
  }
  if (!has_date) {
    return Status::InvalidArgument("time format '{}' has no year (%Y, %y, %F, %D or %s)", format);
  }
  return tf;
}

Result<ParsedTime> TimeFormat::Parse(std::string_view text) const {
  auto fail = [&](size_t at, std::string_view why) {
    return Status::InvalidArgument("'{}' does not match '{}' at position {}: {}", Shown(text),
                                   format_, at + 1, why);
  };
  Reader in(text);
  Fields f;
  for (const Item& item : items_) {
    if (item.directive == 0) {
      if (!in.Matches(item.literal))
        return fail(in.pos(), fmt::format("expected '{}'", item.literal));
      for (size_t i = 0; i < item.literal.size(); ++i) in.Skip();
    } else if (item.directive == ' ') {
      if (!IsSpace(in.Peek())) return fail(in.pos(), "expected a space");
      while (IsSpace(in.Peek())) in.Skip();
    } else if (!ReadField(item.directive, in, f)) {
      return fail(in.pos(), fmt::format("expected %{}", item.directive));
    }
  }
  if (!in.Done()) return fail(in.pos(), "unexpected text at the end");

  ParsedTime out;
  out.nanos = f.nanos;
  if (f.epoch) {
    out.local_seconds = *f.epoch;
    out.offset_seconds = 0;
    return out;
  }
  const int64_t year = f.year.value_or(1970);
  if (f.year_day) {
    if (*f.year_day > (IsLeapYear(year) ? 366 : 365)) {
      return fail(0, fmt::format("{} has no day {}", year, *f.year_day));
    }
    const CivilDate c = CivilFromDays(DaysFromCivil(year, 1, 1) + *f.year_day - 1);
    f.month = c.month;
    f.day = c.day;
  }
  if (f.day > DaysInMonth(year, f.month)) {
    return fail(0, fmt::format("{:04d}-{:02d} has no day {}", year, f.month, f.day));
  }
  if (f.hour12) f.hour = *f.hour12 % 12 + (f.pm ? 12 : 0);
  out.local_seconds =
      DaysFromCivil(year, f.month, f.day) * 86400 + f.hour * 3600 + f.minute * 60 + f.second;
  out.offset_seconds = f.offset;
  return out;
}

}  // namespace floe

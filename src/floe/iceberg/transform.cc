#include "floe/iceberg/transform.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstring>

#include "floe/iceberg/murmur3.h"
#include "floe/util/base64.h"
#include "floe/util/decimal.h"
#include "floe/util/temporal.h"

namespace floe::iceberg {
namespace {

using Kind = Transform::Kind;

constexpr int64_t kMicrosPerHour = 3'600'000'000;
constexpr int64_t kMicrosPerDay = 86'400'000'000;

bool IsNanos(TypeId id) {
  return id == TypeId::kTimestampNs || id == TypeId::kTimestampTzNs;
}

// Microseconds of a timestamp slot, whatever its unit.
int64_t Micros(const Column& c, int64_t i) {
  const int64_t v = c.Value<int64_t>(i);
  return IsNanos(c.type()->id()) ? FloorDiv(v, 1000) : v;
}

// The bytes Iceberg hashes for a value (spec Appendix B).
int32_t BucketOf(const Column& c, int64_t i, int32_t n) {
  auto of_long = [&](int64_t v) {
    uint8_t b[8];
    std::memcpy(b, &v, 8);  // little-endian host
    return BucketOfBytes(b, n);
  };
  switch (c.type()->id()) {
    case TypeId::kInt:
    case TypeId::kDate:
      return of_long(c.Value<int32_t>(i));
    case TypeId::kLong:
    case TypeId::kTime:
      return of_long(c.Value<int64_t>(i));
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs:
      return of_long(Micros(c, i));
    case TypeId::kDecimal: {
      const std::string bytes = DecimalToMinimalBytes(c.Value<Int128>(i));
      return BucketOfBytes({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}, n);
    }
    default: {
      const std::string_view v = c.Bytes(i);  // string, uuid (big-endian), fixed, binary
      return BucketOfBytes({reinterpret_cast<const uint8_t*>(v.data()), v.size()}, n);
    }
  }
}

// The first `width` code points of UTF-8 text (bytes that are not valid UTF-8
// count one each, so truncation never splits more than it must).
std::string_view TruncateUtf8(std::string_view s, int32_t width) {
  size_t pos = 0;
  for (int32_t count = 0; pos < s.size() && count < width; ++count) {
    const auto lead = static_cast<unsigned char>(s[pos]);
    size_t len = lead < 0x80           ? 1
                 : (lead >> 5) == 0x6  ? 2
                 : (lead >> 4) == 0xE  ? 3
                 : (lead >> 3) == 0x1E ? 4
                                       : 1;
    pos += std::min(len, s.size() - pos);
  }
  return s.substr(0, pos);
}

// Python's / Java's decimal to-string: plain unless the adjusted exponent is
// below -6 (then "1E-7", "0E-10"), which is what the peers put in paths.
std::string DecimalHuman(Int128 unscaled, int scale) {
  std::string digits = FormatDecimal(unscaled < 0 ? -unscaled : unscaled, 0);
  const int adjusted = -scale + static_cast<int>(digits.size()) - 1;
  if (adjusted >= -6) return FormatDecimal(unscaled, scale);
  std::string mantissa(1, digits[0]);
  if (digits.size() > 1) mantissa.append(".").append(digits, 1, std::string::npos);
  return fmt::format("{}{}E{}", unscaled < 0 ? "-" : "", mantissa, adjusted);
}

std::string FloatHuman(double v) {
  std::string s = fmt::format("{}", v);
  if (s.find_first_of(".en") == std::string::npos) s += ".0";  // 1 -> 1.0, as Python prints
  return s;
}

// ISO forms as Python's isoformat() writes them: fractions only when non-zero.
std::string TimeHuman(int64_t micros) {
  const int64_t s = micros / 1'000'000, frac = micros % 1'000'000;
  std::string out = fmt::format("{:02d}:{:02d}:{:02d}", s / 3600, s / 60 % 60, s % 60);
  if (frac != 0) out += fmt::format(".{:06d}", frac);
  return out;
}

std::string TimestampHuman(int64_t value, bool nanos, bool utc) {
  const int64_t per_second = nanos ? 1'000'000'000 : 1'000'000;
  const int64_t seconds = FloorDiv(value, per_second);
  const int64_t frac = value - seconds * per_second;
  const int64_t days = FloorDiv(seconds, 86400), in_day = seconds - days * 86400;
  std::string out =
      FormatDate(static_cast<int32_t>(days)) +
      fmt::format("T{:02d}:{:02d}:{:02d}", in_day / 3600, in_day / 60 % 60, in_day % 60);
  if (frac != 0) out += fmt::format(".{:0{}d}", frac, nanos ? 9 : 6);
  return out + (utc ? "+00:00" : "");
}

std::string ValueHuman(const Type& type, const Column& c, int64_t i) {
  switch (type.id()) {
    case TypeId::kBoolean:
      return c.Value<uint8_t>(i) ? "true" : "false";
    case TypeId::kInt:
      return std::to_string(c.Value<int32_t>(i));
    case TypeId::kLong:
      return std::to_string(c.Value<int64_t>(i));
    case TypeId::kFloat:
      return FloatHuman(c.Value<float>(i));
    case TypeId::kDouble:
      return FloatHuman(c.Value<double>(i));
    case TypeId::kDecimal:
      return DecimalHuman(c.Value<Int128>(i), type.scale());
    case TypeId::kDate:
      return FormatDate(c.Value<int32_t>(i));
    case TypeId::kTime:
      return TimeHuman(c.Value<int64_t>(i));
    case TypeId::kTimestamp:
      return TimestampHuman(c.Value<int64_t>(i), false, false);
    case TypeId::kTimestampTz:
      return TimestampHuman(c.Value<int64_t>(i), false, true);
    case TypeId::kTimestampNs:
      return TimestampHuman(c.Value<int64_t>(i), true, false);
    case TypeId::kTimestampTzNs:
      return TimestampHuman(c.Value<int64_t>(i), true, true);
    case TypeId::kString:
      return std::string(c.Bytes(i));
    case TypeId::kUuid: {
      const std::string_view b = c.Bytes(i);
      std::string hex;
      for (size_t k = 0; k < b.size(); ++k) {
        if (k == 4 || k == 6 || k == 8 || k == 10) hex.push_back('-');
        hex += fmt::format("{:02x}", static_cast<unsigned char>(b[k]));
      }
      return hex;
    }
    default: {  // binary, fixed
      std::string out;
      AppendBase64(c.Bytes(i), &out);
      return out;
    }
  }
}

}  // namespace

int32_t BucketOfBytes(std::span<const uint8_t> bytes, int32_t n) {
  const auto hash = static_cast<int32_t>(Murmur3X86_32(bytes));
  return (hash & INT32_MAX) % n;
}

Result<Transform> Transform::Parse(std::string_view text) {
  static constexpr std::pair<std::string_view, Kind> kSimple[] = {
      {"identity", Kind::kIdentity}, {"year", Kind::kYear}, {"month", Kind::kMonth},
      {"day", Kind::kDay},           {"hour", Kind::kHour}, {"void", Kind::kVoid}};
  for (const auto& [name, kind] : kSimple) {
    if (text == name) return Transform(kind);
  }
  for (const auto& [prefix, kind] : {std::pair{std::string_view("bucket["), Kind::kBucket},
                                     std::pair{std::string_view("truncate["), Kind::kTruncate}}) {
    if (text.starts_with(prefix) && text.ends_with("]")) {
      const std::string_view digits = text.substr(prefix.size(), text.size() - prefix.size() - 1);
      int32_t n = 0;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
      if (ec != std::errc() || end != digits.data() + digits.size() || n <= 0) {
        return Status::InvalidArgument("transform '{}': the parameter must be a positive integer",
                                       text);
      }
      return Transform(kind, n);
    }
  }
  return Status::InvalidArgument(
      "unknown transform '{}' (expected identity, bucket[N], truncate[W], year, month, day, hour "
      "or void)",
      text);
}

std::string Transform::ToString() const {
  switch (kind_) {
    case Kind::kIdentity:
      return "identity";
    case Kind::kBucket:
      return fmt::format("bucket[{}]", parameter_);
    case Kind::kTruncate:
      return fmt::format("truncate[{}]", parameter_);
    case Kind::kYear:
      return "year";
    case Kind::kMonth:
      return "month";
    case Kind::kDay:
      return "day";
    case Kind::kHour:
      return "hour";
    case Kind::kVoid:
      return "void";
  }
  return "unknown";
}

Result<TypePtr> Transform::ResultType(const TypePtr& source) const {
  const TypeId id = source->id();
  auto unsupported = [&] {
    return Status::InvalidArgument("transform {} does not apply to {}", ToString(),
                                   source->ToString());
  };
  if (source->is_nested() && kind_ != Kind::kVoid) return unsupported();
  switch (kind_) {
    case Kind::kIdentity:
      return source;
    case Kind::kVoid:
      return source;
    case Kind::kBucket:
      if (id == TypeId::kBoolean || id == TypeId::kFloat || id == TypeId::kDouble)
        return unsupported();
      return Type::Int();
    case Kind::kTruncate:
      if (id == TypeId::kInt || id == TypeId::kLong || id == TypeId::kDecimal ||
          id == TypeId::kString || id == TypeId::kBinary) {
        return source;
      }
      return unsupported();
    case Kind::kYear:
    case Kind::kMonth:
    case Kind::kDay:
      if (id != TypeId::kDate && !IsTimestamp(id)) return unsupported();
      return kind_ == Kind::kDay ? Type::Date() : Type::Int();
    case Kind::kHour:
      if (!IsTimestamp(id)) return unsupported();
      return Type::Int();
  }
  return unsupported();
}

Status Transform::Apply(const Column& in, Column* out) const {
  const Type& type = *in.type();
  FLOE_ASSIGN_OR_RETURN(TypePtr result, ResultType(in.type()));
  if (!(*out->type() == *result)) {
    return Status::Internal("transform {}: output column is {}, expected {}", ToString(),
                            out->type()->ToString(), result->ToString());
  }
  const int64_t w = parameter_;
  for (int64_t i = 0; i < in.length(); ++i) {
    if (!in.IsValid(i) || kind_ == Kind::kVoid) {
      out->AppendNull();
      continue;
    }
    switch (kind_) {
      case Kind::kIdentity:
        out->AppendBytes(in.Bytes(i));
        break;
      case Kind::kBucket:
        out->Append<int32_t>(BucketOf(in, i, parameter_));
        break;
      case Kind::kTruncate:
        switch (type.id()) {
          case TypeId::kInt: {
            // v - (((v % W) + W) % W), wrapping like Java's int arithmetic.
            const int64_t v = in.Value<int32_t>(i);
            out->Append<int32_t>(
                static_cast<int32_t>(static_cast<uint32_t>(v - (((v % w) + w) % w))));
            break;
          }
          case TypeId::kLong: {
            const int64_t v = in.Value<int64_t>(i);
            const int64_t r = ((v % w) + w) % w;
            out->Append<int64_t>(
                static_cast<int64_t>(static_cast<uint64_t>(v) - static_cast<uint64_t>(r)));
            break;
          }
          case TypeId::kDecimal: {
            const Int128 v = in.Value<Int128>(i);
            out->Append<Int128>(v - (((v % w) + w) % w));
            break;
          }
          case TypeId::kString:
            out->AppendBytes(TruncateUtf8(in.Bytes(i), parameter_));
            break;
          default:
            out->AppendBytes(in.Bytes(i).substr(0, static_cast<size_t>(parameter_)));
            break;
        }
        break;
      case Kind::kYear:
      case Kind::kMonth:
      case Kind::kDay: {
        const int64_t days = type.id() == TypeId::kDate ? in.Value<int32_t>(i)
                                                        : FloorDiv(Micros(in, i), kMicrosPerDay);
        if (kind_ == Kind::kDay) {
          out->Append<int32_t>(static_cast<int32_t>(days));
          break;
        }
        const CivilDate d = CivilFromDays(days);
        const int64_t years = d.year - 1970;
        out->Append<int32_t>(
            static_cast<int32_t>(kind_ == Kind::kYear ? years : years * 12 + d.month - 1));
        break;
      }
      case Kind::kHour:
        out->Append<int32_t>(static_cast<int32_t>(FloorDiv(Micros(in, i), kMicrosPerHour)));
        break;
      case Kind::kVoid:
        break;
    }
  }
  return Status::OK();
}

std::string Transform::HumanString(const Type& source, const Column& result, int64_t i) const {
  if (!result.IsValid(i)) return "null";
  switch (kind_) {
    case Kind::kIdentity:
    case Kind::kTruncate:
      return ValueHuman(source, result, i);
    case Kind::kBucket:
      return std::to_string(result.Value<int32_t>(i));
    case Kind::kYear:
      return fmt::format("{:04d}", 1970 + result.Value<int32_t>(i));
    case Kind::kMonth: {
      const int64_t m = result.Value<int32_t>(i);
      return fmt::format("{:04d}-{:02d}", 1970 + FloorDiv(m, 12), m - FloorDiv(m, 12) * 12 + 1);
    }
    case Kind::kDay:
      return FormatDate(result.Value<int32_t>(i));
    case Kind::kHour: {
      const int64_t h = result.Value<int32_t>(i);
      const int64_t days = FloorDiv(h, 24);
      return fmt::format("{}-{:02d}", FormatDate(static_cast<int32_t>(days)), h - days * 24);
    }
    case Kind::kVoid:
      return "null";
  }
  return "null";
}

std::string PartitionPathSegment(std::string_view name, std::string_view human_value) {
  auto encode = [](std::string_view s) {
    std::string out;
    for (char ch : s) {
      const auto c = static_cast<unsigned char>(ch);
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
        out.push_back(ch);
      } else if (c == ' ') {
        out.push_back('+');
      } else {
        out += fmt::format("%{:02X}", c);
      }
    }
    return out;
  };
  return encode(name) + "=" + encode(human_value);
}

}  // namespace floe::iceberg

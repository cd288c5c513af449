// CAST between primitive types. Numbers convert when the value fits (floats
// to integers round half away from zero); anything converts to its text
// form and back (columnar/text_rows.h); dates and timestamps convert among
// themselves (a zone-less timestamp is taken as UTC).
#include <charconv>
#include <cmath>

#include "floe/columnar/text_rows.h"
#include "floe/stream/expr/node.h"
#include "floe/util/decimal.h"
#include "floe/util/strings.h"

namespace floe::stream::expr {
namespace {

constexpr int64_t kMicrosPerDay = int64_t{86400} * 1000 * 1000;

bool IsInteger(TypeId id) {
  return id == TypeId::kBoolean || id == TypeId::kInt || id == TypeId::kLong;
}
bool IsFloat(TypeId id) {
  return id == TypeId::kFloat || id == TypeId::kDouble;
}
bool IsNumber(TypeId id) {
  return IsInteger(id) || IsFloat(id) || id == TypeId::kDecimal;
}
bool IsTemporal(TypeId id) {
  switch (id) {
    case TypeId::kDate:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs:
      return true;
    default:
      return false;
  }
}
bool IsNanos(TypeId id) {
  return id == TypeId::kTimestampNs || id == TypeId::kTimestampTzNs;
}

std::string_view Trim(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

Int128 Pow10(int n) {
  Int128 p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

int64_t IntegerOf(const Vec& v, int64_t r) {
  switch (v.type()->id()) {
    case TypeId::kBoolean:
      return v.Get<uint8_t>(r);
    case TypeId::kInt:
      return v.Get<int32_t>(r);
    default:
      return v.Get<int64_t>(r);
  }
}
double DoubleOf(const Vec& v, int64_t r) {
  switch (v.type()->id()) {
    case TypeId::kFloat:
      return v.Get<float>(r);
    case TypeId::kDouble:
      return v.Get<double>(r);
    case TypeId::kDecimal:
      return static_cast<double>(v.Get<Int128>(r)) / static_cast<double>(Pow10(v.type()->scale()));
    default:
      return static_cast<double>(IntegerOf(v, r));
  }
}

// Decimal digits of |x| (0 has one).
int Digits(Int128 x) {
  UInt128 u = x < 0 ? static_cast<UInt128>(-(x + 1)) + 1 : static_cast<UInt128>(x);
  int d = 1;
  while (u >= 10) {
    u /= 10;
    ++d;
  }
  return d;
}

Status AppendInteger(int64_t v, Column* out) {
  switch (out->type()->id()) {
    case TypeId::kBoolean:
      out->Append<uint8_t>(v != 0 ? 1 : 0);
      return Status::OK();
    case TypeId::kInt:
      if (v < INT32_MIN || v > INT32_MAX) return Status::InvalidArgument("{} is out of range", v);
      out->Append<int32_t>(static_cast<int32_t>(v));
      return Status::OK();
    case TypeId::kLong:
      out->Append<int64_t>(v);
      return Status::OK();
    case TypeId::kFloat:
      out->Append<float>(static_cast<float>(v));
      return Status::OK();
    case TypeId::kDouble:
      out->Append<double>(static_cast<double>(v));
      return Status::OK();
    default: {  // decimal
      const Type& t = *out->type();
      const Int128 scaled = static_cast<Int128>(v) * Pow10(t.scale());
      if (Digits(scaled) > t.precision()) {
        return Status::InvalidArgument("{} does not fit {}", v, t.ToString());
      }
      out->Append<Int128>(scaled);
      return Status::OK();
    }
  }
}

Status AppendDouble(double v, Column* out) {
  const Type& t = *out->type();
  if (IsFloat(t.id())) {
    if (t.id() == TypeId::kFloat) {
      out->Append<float>(static_cast<float>(v));
    } else {
      out->Append<double>(v);
    }
    return Status::OK();
  }
  if (!std::isfinite(v)) return Status::InvalidArgument("{} is not a finite number", v);
  if (t.id() == TypeId::kDecimal) {
    const double scaled = std::round(v * std::pow(10.0, t.scale()));
    if (std::fabs(scaled) >= 1e38 || Digits(static_cast<Int128>(scaled)) > t.precision()) {
      return Status::InvalidArgument("{} does not fit {}", v, t.ToString());
    }
    out->Append<Int128>(static_cast<Int128>(scaled));
    return Status::OK();
  }
  const double rounded = std::round(v);
  if (!(rounded >= -9223372036854775808.0 && rounded < 9223372036854775808.0)) {
    return Status::InvalidArgument("{} is out of range", v);
  }
  return AppendInteger(static_cast<int64_t>(rounded), out);
}

Status AppendDecimal(Int128 v, int scale, Column* out) {
  const Type& t = *out->type();
  if (t.id() != TypeId::kDecimal) {
    if (IsFloat(t.id()))
      return AppendDouble(static_cast<double>(v) / static_cast<double>(Pow10(scale)), out);
    // To an integer: round half away from zero.
    const Int128 p = Pow10(scale);
    Int128 q = v / p;
    const Int128 rem = v % p;
    if (rem * 2 >= p) ++q;
    if (rem * 2 <= -p) --q;
    if (q < INT64_MIN || q > INT64_MAX) return Status::InvalidArgument("out of range");
    return AppendInteger(static_cast<int64_t>(q), out);
  }
  Int128 scaled = v;
  if (t.scale() >= scale) {
    scaled = v * Pow10(t.scale() - scale);
  } else {
    const Int128 p = Pow10(scale - t.scale());
    scaled = v / p;
    const Int128 rem = v % p;
    if (rem * 2 >= p) ++scaled;
    if (rem * 2 <= -p) --scaled;
  }
  if (Digits(scaled) > t.precision()) {
    return Status::InvalidArgument("{} does not fit {}", FormatDecimal(v, scale), t.ToString());
  }
  out->Append<Int128>(scaled);
  return Status::OK();
}

Status AppendText(std::string_view text, Column* out) {
  const TypeId to = out->type()->id();
  const std::string_view s = Trim(text);
  if (IsInteger(to)) {
    if (to == TypeId::kBoolean) {
      if (EqualsIgnoreCase(s, "true") || s == "1") return AppendInteger(1, out);
      if (EqualsIgnoreCase(s, "false") || s == "0") return AppendInteger(0, out);
      return Status::InvalidArgument("'{}' is not a boolean", PrintableText(text));
    }
    int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) {
      return Status::InvalidArgument("'{}' is not an integer", PrintableText(text));
    }
    return AppendInteger(v, out);
  }
  if (IsFloat(to)) {
    double v = 0;
    if (s == "NaN") {
      v = std::nan("");
    } else if (s == "Infinity" || s == "-Infinity") {
      v = s[0] == '-' ? -HUGE_VAL : HUGE_VAL;
    } else {
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec != std::errc() || end != s.data() + s.size() || s.empty()) {
        return Status::InvalidArgument("'{}' is not a number", PrintableText(text));
      }
    }
    return AppendDouble(v, out);
  }
  if (to == TypeId::kString) {
    out->AppendBytes(text);
    return Status::OK();
  }
  if (Status st = AppendValueFromText(s, out); !st.ok()) {
    return Status::InvalidArgument("'{}' is not a {}", PrintableText(text),
                                   out->type()->ToString());
  }
  return Status::OK();
}

std::string NumberText(const Vec& v, int64_t r) {
  const TypeId id = v.type()->id();
  if (id == TypeId::kBoolean) return v.Get<uint8_t>(r) ? "true" : "false";
  if (IsInteger(id)) return std::to_string(IntegerOf(v, r));
  const double d = DoubleOf(v, r);
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d < 0 ? "-Infinity" : "Infinity";
  char buf[32];
  auto [end, ec] = id == TypeId::kFloat
                       ? std::to_chars(buf, buf + sizeof buf, static_cast<float>(d))
                       : std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, end);
}

// Date and timestamp values in one unit: micros (or nanos when `nanos`).
Status AppendTemporal(TypeId from, int64_t v, Column* out) {
  const TypeId to = out->type()->id();
  int64_t micros_or_nanos = v;
  if (from == TypeId::kDate) {
    if (to == TypeId::kDate) {
      out->Append<int32_t>(static_cast<int32_t>(v));
      return Status::OK();
    }
    if (__builtin_mul_overflow(v, IsNanos(to) ? kMicrosPerDay * 1000 : kMicrosPerDay,
                               &micros_or_nanos)) {
      return Status::InvalidArgument("out of range");
    }
    out->Append<int64_t>(micros_or_nanos);
    return Status::OK();
  }
  const int64_t per_day = IsNanos(from) ? kMicrosPerDay * 1000 : kMicrosPerDay;
  if (to == TypeId::kDate) {
    out->Append<int32_t>(static_cast<int32_t>(v / per_day - (v % per_day < 0 ? 1 : 0)));
    return Status::OK();
  }
  if (IsNanos(from) && !IsNanos(to)) {
    micros_or_nanos = v / 1000 - (v % 1000 < 0 ? 1 : 0);
  } else if (!IsNanos(from) && IsNanos(to)) {
    if (__builtin_mul_overflow(v, int64_t{1000}, &micros_or_nanos)) {
      return Status::InvalidArgument("out of range for nanoseconds");
    }
  }
  out->Append<int64_t>(micros_or_nanos);
  return Status::OK();
}

}  // namespace

bool CanCast(const Type& from, const Type& to) {
  if (from.is_nested() || to.is_nested()) return from == to;
  if (from == to || to.id() == TypeId::kString || from.id() == TypeId::kString) return true;
  if (IsNumber(from.id()) && IsNumber(to.id())) return true;
  if (IsTemporal(from.id()) && IsTemporal(to.id())) return true;
  const bool bytes_from =
      from.id() == TypeId::kBinary || from.id() == TypeId::kFixed || from.id() == TypeId::kUuid;
  return bytes_from && (to.id() == TypeId::kBinary || to.id() == TypeId::kFixed);
}

Status CastValue(const Vec& from, int64_t r, Column* out) {
  const Type& f = *from.type();
  const Type& t = *out->type();
  if (f == t) {
    out->AppendFrom(from.column(), from.Row(r));
    return Status::OK();
  }
  if (f.id() == TypeId::kString) return AppendText(from.Bytes(r), out);
  if (t.id() == TypeId::kString) {
    if (IsInteger(f.id()) || IsFloat(f.id())) {
      out->AppendBytes(NumberText(from, r));
    } else {
      out->AppendBytes(ScalarText(from.column(), from.Row(r)));
    }
    return Status::OK();
  }
  if (IsInteger(f.id())) return AppendInteger(IntegerOf(from, r), out);
  if (IsFloat(f.id())) return AppendDouble(DoubleOf(from, r), out);
  if (f.id() == TypeId::kDecimal) return AppendDecimal(from.Get<Int128>(r), f.scale(), out);
  if (IsTemporal(f.id())) {
    const int64_t v = f.id() == TypeId::kDate ? from.Get<int32_t>(r) : from.Get<int64_t>(r);
    return AppendTemporal(f.id(), v, out);
  }
  // binary, fixed, uuid -> binary / fixed: the bytes, when the length fits.
  const std::string_view bytes = from.Bytes(r);
  if (t.id() == TypeId::kFixed && static_cast<int32_t>(bytes.size()) != t.length()) {
    return Status::InvalidArgument("{} bytes for {}", bytes.size(), t.ToString());
  }
  out->AppendBytes(bytes);
  return Status::OK();
}

}  // namespace floe::stream::expr

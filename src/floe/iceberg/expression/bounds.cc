#include "floe/iceberg/expression/bounds.h"

#include <cmath>

#include "floe/columnar/compare.h"
#include "floe/iceberg/single_value.h"

namespace floe::iceberg {
namespace {

std::optional<Column> DecodeBound(const TypePtr& type, const std::optional<std::string>& bytes) {
  if (!bytes) return std::nullopt;
  Column c(type);
  if (!AppendSingleValue(*bytes, &c).ok()) return std::nullopt;
  if ((type->id() == TypeId::kFloat && std::isnan(c.Value<float>(0))) ||
      (type->id() == TypeId::kDouble && std::isnan(c.Value<double>(0)))) {
    return std::nullopt;
  }
  return c;
}

}  // namespace

ValueBounds ValueBounds::Decode(const TypePtr& type, const std::optional<std::string>& lower,
                                const std::optional<std::string>& upper) {
  return ValueBounds{DecodeBound(type, lower), DecodeBound(type, upper)};
}

bool RangeMightMatch(const Expression& pred, const ValueBounds& bounds) {
  const Column& v = pred.values;
  // literal vs bound, -1 / 0 / 1; nullopt when the bound is unknown.
  auto vs = [&](const std::optional<Column>& bound, int64_t i) -> std::optional<int> {
    if (!bound) return std::nullopt;
    const int c = CompareSlots(v, i, *bound, 0);
    if (c == 2) return std::nullopt;
    return c;
  };
  switch (pred.op) {
    case Op::kLt:  // some value < literal: lower < literal
      return vs(bounds.lower, 0).value_or(1) > 0;
    case Op::kLtEq:
      return vs(bounds.lower, 0).value_or(1) >= 0;
    case Op::kGt:
      return vs(bounds.upper, 0).value_or(-1) < 0;
    case Op::kGtEq:
      return vs(bounds.upper, 0).value_or(-1) <= 0;
    case Op::kEq:
      return vs(bounds.lower, 0).value_or(1) >= 0 && vs(bounds.upper, 0).value_or(-1) <= 0;
    case Op::kIn:
      for (int64_t i = 0; i < v.length(); ++i) {
        if (vs(bounds.lower, i).value_or(1) >= 0 && vs(bounds.upper, i).value_or(-1) <= 0) {
          return true;
        }
      }
      return false;
    case Op::kStartsWith: {
      // Compare the prefix with the bounds cut to its length: values below
      // the lower bound's cut or above the upper bound's cannot start with it.
      const std::string_view prefix = v.Bytes(0);
      if (bounds.lower && bounds.lower->Bytes(0).substr(0, prefix.size()) > prefix) return false;
      if (bounds.upper && bounds.upper->Bytes(0).substr(0, prefix.size()) < prefix) return false;
      return true;
    }
    case Op::kNotStartsWith: {
      // Every value lies between two that start with the prefix, so all do.
      const std::string_view prefix = v.Bytes(0);
      return !(bounds.lower && bounds.upper && bounds.lower->Bytes(0).starts_with(prefix) &&
               bounds.upper->Bytes(0).starts_with(prefix));
    }
    default:
      return true;
  }
}

bool RangeAllMatch(const Expression& pred, const ValueBounds& bounds) {
  if (!bounds.lower || !bounds.upper) return false;
  const Column& v = pred.values;
  const Column& lower = *bounds.lower;
  const Column& upper = *bounds.upper;
  // bound vs literal i, -1 / 0 / 1 (2: unordered).
  auto lo = [&](int64_t i) { return CompareSlots(lower, 0, v, i); };
  auto hi = [&](int64_t i) { return CompareSlots(upper, 0, v, i); };
  switch (pred.op) {
    case Op::kLt:  // the largest value is below the literal
      return hi(0) == -1;
    case Op::kLtEq:
      return hi(0) == -1 || hi(0) == 0;
    case Op::kGt:
      return lo(0) == 1;
    case Op::kGtEq:
      return lo(0) == 1 || lo(0) == 0;
    case Op::kEq:  // one value, the literal (equal bounds are never truncated)
      return lo(0) == 0 && hi(0) == 0;
    case Op::kNotEq:
      return hi(0) == -1 || lo(0) == 1;
    case Op::kIn:
      if (CompareSlots(lower, 0, upper, 0) != 0) return false;
      for (int64_t i = 0; i < v.length(); ++i) {
        if (lo(i) == 0) return true;
      }
      return false;
    case Op::kNotIn:
      for (int64_t i = 0; i < v.length(); ++i) {
        if (!(hi(i) == -1 || lo(i) == 1)) return false;
      }
      return true;
    case Op::kStartsWith: {
      // Strings with a prefix are one interval: both ends in it, all in it.
      const std::string_view prefix = v.Bytes(0);
      return lower.Bytes(0).starts_with(prefix) && upper.Bytes(0).starts_with(prefix);
    }
    case Op::kNotStartsWith: {
      const std::string_view prefix = v.Bytes(0);
      return upper.Bytes(0).substr(0, prefix.size()) < prefix ||
             lower.Bytes(0).substr(0, prefix.size()) > prefix;
    }
    default:
      return false;
  }
}

}  // namespace floe::iceberg

#include "floe/columnar/compare.h"

#include <cmath>
#include <string_view>
#include <type_traits>

#include "floe/util/decimal.h"

namespace floe {
namespace {

template <typename T>
int Compare3(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a) || std::isnan(b)) return 2;
  }
  return a < b ? -1 : (b < a ? 1 : 0);
}

}  // namespace

int CompareSlots(const Column& a, int64_t i, const Column& b, int64_t j) {
  switch (a.type()->id()) {
    case TypeId::kBoolean:
      return Compare3(a.Value<uint8_t>(i), b.Value<uint8_t>(j));
    case TypeId::kInt:
    case TypeId::kDate:
      return Compare3(a.Value<int32_t>(i), b.Value<int32_t>(j));
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs:
      return Compare3(a.Value<int64_t>(i), b.Value<int64_t>(j));
    case TypeId::kFloat:
      return Compare3(a.Value<float>(i), b.Value<float>(j));
    case TypeId::kDouble:
      return Compare3(a.Value<double>(i), b.Value<double>(j));
    case TypeId::kDecimal:
      return Compare3(a.Value<Int128>(i), b.Value<Int128>(j));
    default: {
      const std::string_view x = a.Bytes(i), y = b.Bytes(j);
      // compare(), not memcmp: empty values may have no storage (a null pointer).
      const int c = x.compare(y);  // unsigned bytes (char_traits<char>)
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
  }
}

}  // namespace floe

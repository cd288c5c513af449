// The type-defined order of Parquet statistics values: PLAIN bytes (without
// the BYTE_ARRAY length prefix) compared as the leaf's physical type, with
// FIXED_LEN_BYTE_ARRAY decimals as signed big-endian and other byte arrays
// as unsigned bytes. NaN is never passed here (statistics leave it out).
#pragma once

#include <algorithm>
#include <cstring>
#include <string_view>

#include "floe/format/parquet/schema_mapping.h"
#include "floe/util/decimal.h"

namespace floe::parquet {

template <typename T>
T LoadPlain(std::string_view v) {
  T x;
  std::memcpy(&x, v.data(), sizeof(T));
  return x;
}

inline bool PlainLess(const LeafColumn& leaf, std::string_view a, std::string_view b) {
  switch (leaf.physical) {
    case PhysicalType::kBoolean:
      return LoadPlain<uint8_t>(a) < LoadPlain<uint8_t>(b);
    case PhysicalType::kInt32:
      return LoadPlain<int32_t>(a) < LoadPlain<int32_t>(b);
    case PhysicalType::kInt64:
      return LoadPlain<int64_t>(a) < LoadPlain<int64_t>(b);
    case PhysicalType::kFloat:
      return LoadPlain<float>(a) < LoadPlain<float>(b);
    case PhysicalType::kDouble:
      return LoadPlain<double>(a) < LoadPlain<double>(b);
    default:
      break;
  }
  if (leaf.type->id() == TypeId::kDecimal)
    return *DecimalFromBigEndian(a) < *DecimalFromBigEndian(b);
  // compare(), not memcmp: empty values may have no storage (a null pointer).
  return a < b;  // std::string_view compares as unsigned bytes (char_traits<char>)
}

}  // namespace floe::parquet

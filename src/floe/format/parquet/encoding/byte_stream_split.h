// BYTE_STREAM_SPLIT (Encodings.md): byte k of every value goes to stream k,
// and the streams follow one another. For FLOAT, DOUBLE, INT32, INT64 and,
// since parquet-format 2.11, FIXED_LEN_BYTE_ARRAY of any width.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>

#include "floe/util/status.h"

namespace floe::parquet {

// Appends the encoding of values, which hold values.size() / width values of
// width bytes each (little endian for numbers). InvalidArgument when width is
// 0 or does not divide values.size().
Status EncodeByteStreamSplit(std::span<const uint8_t> values, size_t width, std::string* out);

// Decodes encoded (which ends where the page ends) into out, value after
// value. encoded.size() must equal out.size() and be a multiple of width:
// anything else is Corruption (the caller sizes out from the value count).
Status DecodeByteStreamSplit(std::span<const uint8_t> encoded, size_t width,
                             std::span<uint8_t> out);

// Typed forms for float, double, int32_t, int64_t and friends.
template <typename T>
requires std::is_arithmetic_v<T> Status EncodeByteStreamSplit(std::span<const T> values,
                                                              std::string* out) {
  return EncodeByteStreamSplit(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(values.data()),
                               values.size_bytes()),
      sizeof(T), out);
}

template <typename T>
requires std::is_arithmetic_v<T> Status DecodeByteStreamSplit(std::span<const uint8_t> encoded,
                                                              std::span<T> out) {
  return DecodeByteStreamSplit(
      encoded, sizeof(T),
      std::span<uint8_t>(reinterpret_cast<uint8_t*>(out.data()), out.size_bytes()));
}

}  // namespace floe::parquet

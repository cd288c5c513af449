// Small bit and byte helpers shared by Parquet's encodings: bit widths,
// little-endian loads and stores, ULEB128 varints, zigzag, and packing of
// groups of 8 values (the unit of every bit-packed run in Parquet).
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>

namespace floe::parquet {

// Parquet stores everything little endian; floe copies bytes straight into
// integers, which is only right on a little-endian host.
static_assert(std::endian::native == std::endian::little,
              "floe's Parquet encodings assume a little-endian host");

// Bits needed to store every value in [0, max_value]: 0 for 0, 64 for values
// with the top bit set.
constexpr int BitWidth(uint64_t max_value) {
  return static_cast<int>(std::bit_width(max_value));
}

// All-ones in the low bit_width bits; bit_width is 0..64.
constexpr uint64_t LowBitsMask(int bit_width) {
  return bit_width >= 64 ? ~uint64_t{0} : (uint64_t{1} << bit_width) - 1;
}

template <typename T>
inline T LoadLE(const uint8_t* p) {
  T value;
  std::memcpy(&value, p, sizeof(value));
  return value;
}

template <typename T>
inline void StoreLE(uint8_t* p, T value) {
  std::memcpy(p, &value, sizeof(value));
}

inline void AppendLE32(std::string* out, uint32_t value) {
  char bytes[4];
  std::memcpy(bytes, &value, 4);
  out->append(bytes, 4);
}

// Zigzag maps small magnitudes of either sign to small unsigned numbers.
constexpr uint64_t ZigZagEncode(int64_t value) {
  return (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
}
constexpr int64_t ZigZagDecode(uint64_t value) {
  return static_cast<int64_t>((value >> 1) ^ (~(value & 1) + 1));
}

inline void AppendUleb128(std::string* out, uint64_t value) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

// Reads a ULEB128 varint at data[*pos] and advances *pos past it. Returns
// false when the bytes end first or the value does not fit 64 bits.
inline bool ReadUleb128(std::span<const uint8_t> data, size_t* pos, uint64_t* value) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*pos >= data.size()) return false;
    const uint8_t byte = data[(*pos)++];
    const uint64_t part = byte & 0x7f;
    if (shift == 63 && part > 1) return false;
    result |= part << shift;
    if ((byte & 0x80) == 0) {
      *value = result;
      return true;
    }
  }
  return false;
}

// Unpacks 8 values of bit_width (0..64) bits packed LSB first, as the
// RLE/bit-packed hybrid and DELTA_BINARY_PACKED store them. A full group is
// bit_width bytes; in_bytes may be fewer (a truncated last group), the missing
// bits read as zero. Never reads past in[in_bytes).
inline void Unpack8(const uint8_t* in, size_t in_bytes, int bit_width, uint64_t* out) {
  if (bit_width == 0) {
    std::fill(out, out + 8, uint64_t{0});
    return;
  }
  // 64 bytes of group plus slack for the 8-byte loads of the last value.
  uint8_t buf[80] = {};
  std::memcpy(buf, in, std::min(in_bytes, static_cast<size_t>(bit_width)));
  const uint64_t mask = LowBitsMask(bit_width);
  for (int i = 0; i < 8; ++i) {
    const int bit = i * bit_width;
    const int byte = bit >> 3;
    const int shift = bit & 7;
    uint64_t value = LoadLE<uint64_t>(buf + byte) >> shift;
    if (shift != 0 && bit_width + shift > 64) value |= uint64_t{buf[byte + 8]} << (64 - shift);
    out[i] = value & mask;
  }
}

// Packs 8 values into exactly bit_width bytes at out, LSB first; bits of a
// value above bit_width are dropped.
inline void Pack8(const uint64_t* in, int bit_width, uint8_t* out) {
  if (bit_width == 0) return;
  uint8_t buf[80] = {};
  const uint64_t mask = LowBitsMask(bit_width);
  for (int i = 0; i < 8; ++i) {
    const int bit = i * bit_width;
    const int byte = bit >> 3;
    const int shift = bit & 7;
    const uint64_t value = in[i] & mask;
    StoreLE<uint64_t>(buf + byte, LoadLE<uint64_t>(buf + byte) | (value << shift));
    if (shift != 0 && bit_width + shift > 64)
      buf[byte + 8] |= static_cast<uint8_t>(value >> (64 - shift));
  }
  std::memcpy(out, buf, static_cast<size_t>(bit_width));
}

}  // namespace floe::parquet

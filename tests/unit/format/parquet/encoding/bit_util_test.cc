#include "floe/format/parquet/encoding/bit_util.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>

namespace floe::parquet {
namespace {

TEST(BitUtilTest, BitWidth) {
  EXPECT_EQ(BitWidth(0), 0);
  EXPECT_EQ(BitWidth(1), 1);
  EXPECT_EQ(BitWidth(2), 2);
  EXPECT_EQ(BitWidth(7), 3);
  EXPECT_EQ(BitWidth(8), 4);
  EXPECT_EQ(BitWidth(0xffffffffu), 32);
  EXPECT_EQ(BitWidth(~uint64_t{0}), 64);
}

TEST(BitUtilTest, ZigZag) {
  EXPECT_EQ(ZigZagEncode(0), 0u);
  EXPECT_EQ(ZigZagEncode(-1), 1u);
  EXPECT_EQ(ZigZagEncode(1), 2u);
  EXPECT_EQ(ZigZagEncode(-2), 3u);
  EXPECT_EQ(ZigZagEncode(std::numeric_limits<int64_t>::max()), ~uint64_t{0} - 1);
  EXPECT_EQ(ZigZagEncode(std::numeric_limits<int64_t>::min()), ~uint64_t{0});
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{12345}, int64_t{-987654321},
                    std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()}) {
    EXPECT_EQ(ZigZagDecode(ZigZagEncode(v)), v);
  }
}

TEST(BitUtilTest, Uleb128RoundTripsAndRejectsMalformed) {
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{127}, uint64_t{128}, uint64_t{300},
                     uint64_t{1} << 35, ~uint64_t{0}}) {
    std::string s;
    AppendUleb128(&s, v);
    const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    size_t pos = 0;
    uint64_t got = 0;
    ASSERT_TRUE(ReadUleb128(bytes, &pos, &got));
    EXPECT_EQ(got, v);
    EXPECT_EQ(pos, s.size());
    for (size_t len = 0; len < s.size(); ++len) {
      pos = 0;
      EXPECT_FALSE(ReadUleb128(bytes.first(len), &pos, &got));
    }
  }
  std::string s;
  AppendUleb128(&s, 300);
  EXPECT_EQ(s, "\xac\x02");
  // 11 continuation bytes, and a 10th byte carrying bits past 64.
  const uint8_t too_long[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
  const uint8_t too_big[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
  size_t pos = 0;
  uint64_t got;
  EXPECT_FALSE(ReadUleb128(too_long, &pos, &got));
  pos = 0;
  EXPECT_FALSE(ReadUleb128(too_big, &pos, &got));
}

TEST(BitUtilTest, Pack8AndUnpack8RoundTripEveryWidth) {
  std::mt19937_64 rng(5);
  for (int width = 0; width <= 64; ++width) {
    uint64_t values[8];
    for (uint64_t& v : values) v = rng() & LowBitsMask(width);
    uint8_t packed[64] = {};
    Pack8(values, width, packed);
    uint64_t unpacked[8];
    Unpack8(packed, static_cast<size_t>(width), width, unpacked);
    for (int i = 0; i < 8; ++i) EXPECT_EQ(unpacked[i], values[i]) << width << " " << i;
  }
}

TEST(BitUtilTest, Pack8MatchesTheSpecExample) {
  // Encodings.md: 0..7 with bit width 3 packs to 10001000 11000110 11111010.
  const uint64_t values[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  uint8_t packed[3];
  Pack8(values, 3, packed);
  EXPECT_EQ(packed[0], 0x88);
  EXPECT_EQ(packed[1], 0xC6);
  EXPECT_EQ(packed[2], 0xFA);
}

}  // namespace
}  // namespace floe::parquet

#include "floe/format/parquet/encoding/delta_binary_packed.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <string>
#include <vector>

#include "floe/format/parquet/encoding/bit_util.h"
#include "test_bytes.h"

namespace floe::parquet {
namespace {

using floe::testing::AsBytes;
using floe::testing::Bytes;

template <typename T>
std::string Encode(const std::vector<T>& values) {
  std::string out;
  EncodeDeltaBinaryPacked(std::span<const T>(values), &out);
  return out;
}

template <typename T>
Result<std::vector<T>> Decode(const std::string& encoded, size_t max_values = 1 << 20,
                              size_t* consumed = nullptr) {
  std::vector<T> out;
  FLOE_RETURN_IF_ERROR(DecodeDeltaBinaryPacked(AsBytes(encoded), max_values, &out, consumed));
  return out;
}

template <typename T>
std::vector<T> RandomValues(size_t n, uint32_t seed, int bits) {
  std::mt19937_64 rng(seed);
  std::vector<T> values(n);
  for (T& v : values) {
    v = static_cast<T>(static_cast<std::make_unsigned_t<T>>(rng() & LowBitsMask(bits)));
  }
  return values;
}

TEST(DeltaBinaryPackedTest, SpecExampleOneEncodesAsExpected) {
  // 1..5: every delta is 1, so the block is min delta 1 and bit width 0.
  const std::string encoded = Encode<int32_t>({1, 2, 3, 4, 5});
  EXPECT_EQ(encoded, Bytes({0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0, 0, 0, 0}));
  auto decoded = Decode<int32_t>(encoded);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, (std::vector<int32_t>{1, 2, 3, 4, 5}));
}

TEST(DeltaBinaryPackedTest, SpecExampleTwoEncodesAsExpected) {
  // 7,5,3,1,2,3,4,5: deltas -2,-2,-2,1,1,1,1; min -2; 0,0,0,3,3,3,3 at width 2.
  const std::string encoded = Encode<int64_t>({7, 5, 3, 1, 2, 3, 4, 5});
  std::string expected = Bytes({0x80, 0x01, 0x04, 0x08, 0x0E, 0x03, 2, 0, 0, 0, 0xC0, 0x3F});
  expected.append(6, '\0');  // the first miniblock is padded to 32 values
  EXPECT_EQ(encoded, expected);
  auto decoded = Decode<int64_t>(encoded);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, (std::vector<int64_t>{7, 5, 3, 1, 2, 3, 4, 5}));
}

template <typename T>
void ExpectRoundTrip(const std::vector<T>& values) {
  const std::string encoded = Encode(values);
  size_t consumed = 0;
  auto decoded = Decode<T>(encoded + "trailing", values.size(), &consumed);
  ASSERT_TRUE(decoded.ok()) << values.size() << ": " << decoded.status().ToString();
  ASSERT_EQ(*decoded, values);
  EXPECT_EQ(consumed, encoded.size());
}

TEST(DeltaBinaryPackedTest, RoundTripsRandomValuesAtBoundaryCounts) {
  for (size_t n : {0, 1, 2, 31, 32, 33, 127, 128, 129, 130, 257, 1000, 4097}) {
    for (int bits : {0, 1, 7, 20, 32}) {
      ExpectRoundTrip(RandomValues<int32_t>(n, static_cast<uint32_t>(n + bits), bits));
    }
    for (int bits : {0, 1, 33, 50, 64}) {
      ExpectRoundTrip(RandomValues<int64_t>(n, static_cast<uint32_t>(n + bits), bits));
    }
  }
}

TEST(DeltaBinaryPackedTest, RoundTripsExtremesWithWrappingDeltas) {
  const int32_t i32min = std::numeric_limits<int32_t>::min();
  const int32_t i32max = std::numeric_limits<int32_t>::max();
  const int64_t i64min = std::numeric_limits<int64_t>::min();
  const int64_t i64max = std::numeric_limits<int64_t>::max();
  std::vector<int32_t> a;
  std::vector<int64_t> b;
  for (int i = 0; i < 300; ++i) {
    a.push_back(i % 3 == 0 ? i32min : i % 3 == 1 ? i32max : -i);
    b.push_back(i % 3 == 0 ? i64min : i % 3 == 1 ? i64max : -i);
  }
  // INT32 deltas wrap modulo 2^32; the int32 decoder refuses miniblocks wider
  // than 32 bits, so this round trip also shows none were written.
  ExpectRoundTrip(a);
  ExpectRoundTrip(b);
  ExpectRoundTrip(std::vector<int32_t>(500, 42));
  ExpectRoundTrip(std::vector<int64_t>{i64min, i64max});
}

TEST(DeltaBinaryPackedTest, DecodesInBatches) {
  const auto values = RandomValues<int64_t>(1000, 3, 40);
  const std::string encoded = Encode(values);
  for (size_t batch : {1, 7, 32, 129}) {
    auto decoder = DeltaBinaryPackedDecoder<int64_t>::Make(AsBytes(encoded));
    ASSERT_TRUE(decoder.ok());
    EXPECT_EQ(decoder->total_values(), values.size());
    std::vector<int64_t> all;
    std::vector<int64_t> chunk(batch);
    while (decoder->values_left() > 0) {
      auto got = decoder->GetBatch(chunk);
      ASSERT_TRUE(got.ok());
      all.insert(all.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(*got));
    }
    EXPECT_EQ(all, values);
    auto end = decoder->Finish();
    ASSERT_TRUE(end.ok());
    EXPECT_EQ(*end, encoded.size());
  }
}

TEST(DeltaBinaryPackedTest, AcceptsArbitraryPaddingAndUnusedWidths) {
  // 10, 11, 13, 17: deltas 1, 2, 4, min 1, relative 0, 1, 3 at width 2. Header
  // 5 bytes, min delta 1, widths 4, body 8 of which only the first is data.
  std::string encoded = Encode<int32_t>({10, 11, 13, 17});
  ASSERT_EQ(encoded.size(), 5u + 1 + 4 + 8);
  ASSERT_EQ(encoded[6], 2);
  for (size_t i = 7; i < 10; ++i) encoded[i] = static_cast<char>(0xFF);  // unused widths
  for (size_t i = 11; i < encoded.size(); ++i) encoded[i] = static_cast<char>(0xA5);  // padding
  encoded[10] = static_cast<char>(encoded[10] | 0xC0);  // the 4th (padding) value's bits
  auto decoded = Decode<int32_t>(encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, (std::vector<int32_t>{10, 11, 13, 17}));
}

TEST(DeltaBinaryPackedTest, TruncatedInputIsAnErrorAtEveryOffset) {
  // 1 + 2 * 128 values fill both blocks, so no byte is padding.
  for (int bits : {1, 13, 32}) {
    const auto values = RandomValues<int32_t>(257, static_cast<uint32_t>(bits), bits);
    const std::string encoded = Encode(values);
    for (size_t len = 0; len < encoded.size(); ++len) {
      auto decoded = Decode<int32_t>(encoded.substr(0, len));
      ASSERT_FALSE(decoded.ok()) << bits << " truncated to " << len;
      EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption);
    }
  }
}

TEST(DeltaBinaryPackedTest, HostileHeadersAreCorruption) {
  const auto corrupt = [](const std::string& encoded) {
    auto decoded = Decode<int64_t>(encoded);
    return !decoded.ok() && decoded.status().code() == StatusCode::kCorruption;
  };
  EXPECT_TRUE(corrupt(Bytes({0x00, 0x04, 0x01, 0x00})));        // block size 0
  EXPECT_TRUE(corrupt(Bytes({0x64, 0x04, 0x01, 0x00})));        // 100, not a multiple of 128
  EXPECT_TRUE(corrupt(Bytes({0x80, 0x01, 0x00, 0x01, 0x00})));  // no miniblocks
  EXPECT_TRUE(corrupt(Bytes({0x80, 0x01, 0x03, 0x01, 0x00})));  // 128 / 3
  EXPECT_TRUE(corrupt(Bytes({0x80, 0x01, 0x08, 0x01, 0x00})));  // 16 values per miniblock
  EXPECT_TRUE(corrupt(Bytes({0x80, 0x01, 0x04})));              // header cut short
  EXPECT_TRUE(corrupt(std::string(30, '\xff')));                // overlong varints
  // Block size 2^40.
  EXPECT_TRUE(corrupt(Bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0x04, 0x01, 0x00})));
  // A miniblock wider than 64 bits.
  EXPECT_TRUE(corrupt(Bytes({0x80, 0x01, 0x04, 0x02, 0x00, 0x00, 65, 0, 0, 0})));
  // 2^40 values declared, a few bytes present: an error, not a huge allocation.
  const std::string huge =
      Bytes({0x80, 0x01, 0x04, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0x00, 0x00, 0, 0, 0, 0});
  EXPECT_TRUE(corrupt(huge));
  auto decoded = Decode<int64_t>(huge, std::numeric_limits<size_t>::max());
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption);
}

TEST(DeltaBinaryPackedTest, ValueCountAboveTheCallersLimitIsCorruption) {
  const std::string encoded = Encode(RandomValues<int32_t>(100, 1, 10));
  std::vector<int32_t> out;
  EXPECT_EQ(DecodeDeltaBinaryPacked(AsBytes(encoded), 99, &out).code(), StatusCode::kCorruption);
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(DecodeDeltaBinaryPacked(AsBytes(encoded), 100, &out).ok());
}

TEST(DeltaBinaryPackedTest, Int32RejectsWidthsAbove32ButInt64AcceptsThem) {
  // Two values, second = first + 2^32 - 1 + min delta 0, at width 33.
  std::string encoded = Bytes({0x80, 0x01, 0x04, 0x02, 0x00, 0x00, 33, 0, 0, 0});
  std::string body(32 / 8 * 33, '\0');
  body[0] = body[1] = body[2] = body[3] = static_cast<char>(0xFF);
  encoded += body;
  auto wide = Decode<int64_t>(encoded);
  ASSERT_TRUE(wide.ok()) << wide.status().ToString();
  EXPECT_EQ(*wide, (std::vector<int64_t>{0, 0xFFFFFFFFll}));
  auto narrow = Decode<int32_t>(encoded);
  ASSERT_FALSE(narrow.ok());
  EXPECT_EQ(narrow.status().code(), StatusCode::kCorruption);
}

TEST(DeltaBinaryPackedTest, ZeroWidthBlocksAreCheapButStillNeedTheirHeaders) {
  // 10000 equal values: 79 blocks of header bytes only.
  const std::vector<int64_t> values(10000, -7);
  const std::string encoded = Encode(values);
  EXPECT_LT(encoded.size(), 500u);
  ExpectRoundTrip(values);
  // Dropping the last block's header is an error.
  EXPECT_FALSE(Decode<int64_t>(encoded.substr(0, encoded.size() - 5)).ok());
}

TEST(DeltaBinaryPackedTest, MutatedInputNeverCrashes) {
  std::mt19937 rng(19);
  const std::string valid = Encode(RandomValues<int64_t>(600, 8, 45));
  for (int trial = 0; trial < 2000; ++trial) {
    std::string bytes = valid.substr(0, rng() % (valid.size() + 1));
    for (int flips = 0; flips < 1 + trial % 5 && !bytes.empty(); ++flips) {
      bytes[rng() % bytes.size()] = static_cast<char>(rng() & 0xff);
    }
    (void)Decode<int64_t>(bytes, 100000);
    (void)Decode<int32_t>(bytes, 100000);
  }
}

}  // namespace
}  // namespace floe::parquet

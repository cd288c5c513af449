#include "floe/format/parquet/encoding/rle.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "floe/format/parquet/encoding/bit_util.h"
#include "test_bytes.h"

namespace floe::parquet {
namespace {

using floe::testing::AsBytes;
using floe::testing::Bytes;

std::string Encode(const std::vector<uint32_t>& values, int bit_width) {
  RleBitPackedEncoder encoder(bit_width);
  for (uint32_t v : values) encoder.Put(v);
  return encoder.Flush();
}

Result<std::vector<uint32_t>> Decode(const std::string& encoded, int bit_width, size_t count) {
  std::vector<uint32_t> out(count);
  RleBitPackedDecoder decoder(AsBytes(encoded), bit_width);
  FLOE_RETURN_IF_ERROR(decoder.GetExactly(out));
  return out;
}

// Values with runs of repeats mixed with noise, all below 2^bit_width.
std::vector<uint32_t> MixedValues(size_t n, int bit_width, uint32_t seed) {
  std::mt19937 rng(seed);
  const uint32_t mask = static_cast<uint32_t>(LowBitsMask(bit_width));
  std::vector<uint32_t> values;
  while (values.size() < n) {
    const uint32_t v = rng() & mask;
    const size_t repeat = rng() % 3 == 0 ? 1 + rng() % 40 : 1;
    for (size_t i = 0; i < repeat && values.size() < n; ++i) values.push_back(v);
  }
  return values;
}

TEST(RleTest, SpecExampleBitPackedGroup) {
  // Encodings.md: 0..7 at bit width 3 are 10001000 11000110 11111010 after a
  // bit-packed header of one group, (1 << 1) | 1.
  const std::string encoded = Encode({0, 1, 2, 3, 4, 5, 6, 7}, 3);
  EXPECT_EQ(encoded, Bytes({0x03, 0x88, 0xC6, 0xFA}));
  auto decoded = Decode(encoded, 3, 8);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, (std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 6, 7}));
}

TEST(RleTest, RepeatsBecomeRleRuns) {
  EXPECT_EQ(Encode(std::vector<uint32_t>(8, 5), 3), Bytes({0x10, 0x05}));
  // 1000 copies of a 12-bit value: header 2000 as a varint, value in 2 bytes.
  EXPECT_EQ(Encode(std::vector<uint32_t>(1000, 0xabc), 12), Bytes({0xD0, 0x0F, 0xBC, 0x0A}));
  // Bit width 0: a run carries no value bytes.
  EXPECT_EQ(Encode(std::vector<uint32_t>(100, 0), 0), Bytes({0xC8, 0x01}));
  // Fewer than 8 repeats stay bit-packed (padded to a group of 8).
  EXPECT_EQ(Encode(std::vector<uint32_t>(7, 1), 1), Bytes({0x03, 0x7F}));
}

TEST(RleTest, DecodesRunsWrittenByHand) {
  // RLE run of 3 x 4, then a bit-packed group of 1..8 at width 4 (only 5 used).
  const std::string encoded = Bytes({0x06, 0x04, 0x03, 0x21, 0x43, 0x65, 0x87});
  auto decoded = Decode(encoded, 4, 8);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, (std::vector<uint32_t>{4, 4, 4, 1, 2, 3, 4, 5}));
}

TEST(RleTest, RoundTripsEveryBitWidthAndBoundaryCount) {
  for (int width = 0; width <= 32; ++width) {
    for (size_t n : {0, 1, 7, 8, 9, 15, 16, 63, 64, 65, 504, 505, 512, 1000, 5000}) {
      const auto values = MixedValues(n, width, static_cast<uint32_t>(width * 1000 + n));
      const std::string encoded = Encode(values, width);
      auto decoded = Decode(encoded, width, n);
      ASSERT_TRUE(decoded.ok()) << width << "/" << n << ": " << decoded.status().ToString();
      ASSERT_EQ(*decoded, values) << width << "/" << n;
    }
  }
}

TEST(RleTest, RoundTripsDistinctValuesAcrossManyGroups) {
  // More than 63 groups in a row forces bit-packed runs to be split.
  std::vector<uint32_t> values;
  for (uint32_t i = 0; i < 3000; ++i) values.push_back(i % 1024);
  const std::string encoded = Encode(values, 10);
  auto decoded = Decode(encoded, 10, values.size());
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, values);
}

TEST(RleTest, DecodesInBatchesOfAnySize) {
  const auto values = MixedValues(2000, 5, 9);
  const std::string encoded = Encode(values, 5);
  for (size_t batch : {1, 3, 8, 17, 100}) {
    RleBitPackedDecoder decoder(AsBytes(encoded), 5);
    std::vector<uint32_t> all;
    std::vector<uint32_t> chunk(batch);
    while (all.size() < values.size()) {
      const size_t want = std::min(batch, values.size() - all.size());
      auto got = decoder.GetBatch(std::span<uint32_t>(chunk).first(want));
      ASSERT_TRUE(got.ok());
      ASSERT_EQ(*got, want);
      all.insert(all.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(want));
    }
    EXPECT_EQ(all, values) << batch;
  }
}

TEST(RleTest, EncoderIsReusableAfterFlush) {
  RleBitPackedEncoder encoder(4);
  for (uint32_t v : {1u, 2u, 3u}) encoder.Put(v);
  const std::string first = encoder.Flush();
  for (uint32_t v : {1u, 2u, 3u}) encoder.Put(v);
  EXPECT_EQ(encoder.Flush(), first);
  EXPECT_EQ(encoder.Flush(), "");
}

TEST(RleTest, TruncatedInputIsAnErrorAtEveryOffset) {
  for (int width : {1, 3, 8, 13, 32}) {
    // Distinct neighbours give pure bit-packed runs of whole groups, so the
    // last byte always holds bits of the last value.
    std::vector<uint32_t> values;
    for (uint32_t i = 0; i < 256; ++i)
      values.push_back(static_cast<uint32_t>(i & LowBitsMask(width)));
    const std::string encoded = Encode(values, width);
    for (size_t len = 0; len < encoded.size(); ++len) {
      auto decoded = Decode(encoded.substr(0, len), width, values.size());
      ASSERT_FALSE(decoded.ok()) << width << " truncated to " << len;
      EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption);
    }
  }
}

TEST(RleTest, TruncatedMixedRunsNeverYieldWrongValues) {
  // Cutting only the zero padding of a last group may still decode (some
  // writers trim it); anything else is an error. Never wrong values.
  for (int width : {0, 1, 3, 8, 13, 32}) {
    const auto values = MixedValues(300, width, static_cast<uint32_t>(width));
    const std::string encoded = Encode(values, width);
    for (size_t len = 0; len < encoded.size(); ++len) {
      auto decoded = Decode(encoded.substr(0, len), width, values.size());
      if (decoded.ok()) {
        EXPECT_EQ(*decoded, values) << width << " truncated to " << len;
        EXPECT_GT(8 * len, 8 * encoded.size() - 8 * static_cast<size_t>(width)) << len;
      } else {
        EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption);
      }
    }
  }
}

TEST(RleTest, TrimmedLastGroupYieldsTheValuesPresent) {
  // One declared group of 8 at width 8, but only 3 bytes were written.
  const std::string encoded = Bytes({0x03, 10, 20, 30});
  auto decoded = Decode(encoded, 8, 3);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, (std::vector<uint32_t>{10, 20, 30}));
  EXPECT_FALSE(Decode(encoded, 8, 4).ok());
}

TEST(RleTest, HostileHeadersAreCorruption) {
  const auto corrupt = [](const std::string& encoded, int width, size_t count) {
    auto decoded = Decode(encoded, width, count);
    return !decoded.ok() && decoded.status().code() == StatusCode::kCorruption;
  };
  // RLE run of 2^31 values (above the spec's limit): varint 2^32.
  EXPECT_TRUE(corrupt(Bytes({0x80, 0x80, 0x80, 0x80, 0x10, 0x01}), 1, 4));
  // Bit-packed run of 2^28 groups.
  EXPECT_TRUE(corrupt(Bytes({0x81, 0x80, 0x80, 0x80, 0x02, 0x00}), 1, 4));
  // Zero-length runs.
  EXPECT_TRUE(corrupt(Bytes({0x00, 0x01}), 1, 1));
  EXPECT_TRUE(corrupt(Bytes({0x01, 0x01}), 1, 1));
  // A varint that never ends.
  EXPECT_TRUE(corrupt(std::string(20, '\x80'), 1, 1));
  // An RLE value wider than the bit width.
  EXPECT_TRUE(corrupt(Bytes({0x10, 0x09}), 3, 8));
  // Bit widths outside 0..32.
  EXPECT_TRUE(corrupt(Bytes({0x10, 0, 0, 0, 0, 0}), 33, 8));
  EXPECT_TRUE(corrupt(Bytes({0x10, 0x01}), -1, 8));
}

TEST(RleTest, LongRunNeedsNoAllocationOrData) {
  // The largest legal RLE run in 6 bytes; reading a few values is fine.
  const std::string encoded = Bytes({0xFE, 0xFF, 0xFF, 0xFF, 0x0F, 0x01});
  RleBitPackedDecoder decoder(AsBytes(encoded), 1);
  std::vector<uint32_t> out(1000);
  auto got = decoder.GetBatch(out);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, 1000u);
  EXPECT_EQ(out.back(), 1u);
}

TEST(RleTest, LengthPrefixedRuns) {
  const std::string page = Bytes({0x02, 0x00, 0x00, 0x00, 0x10, 0x01, 0x99});
  size_t consumed = 0;
  auto runs = ReadLengthPrefixedRuns(AsBytes(page), &consumed);
  ASSERT_TRUE(runs.ok());
  EXPECT_EQ(runs->size(), 2u);
  EXPECT_EQ(consumed, 6u);
  EXPECT_FALSE(ReadLengthPrefixedRuns(AsBytes(Bytes({0x08, 0, 0, 0, 1})), &consumed).ok());
  EXPECT_FALSE(ReadLengthPrefixedRuns(AsBytes(Bytes({0x01, 0, 0})), &consumed).ok());
}

TEST(RleTest, DeprecatedBitPackedLevelsSpecExample) {
  // Encodings.md: 0..7 at width 3, MSB first, are 00000101 00111001 01110111.
  const std::vector<uint32_t> values = {0, 1, 2, 3, 4, 5, 6, 7};
  const std::string encoded = EncodeBitPackedLevels(values, 3);
  EXPECT_EQ(encoded, Bytes({0x05, 0x39, 0x77}));
  std::vector<uint32_t> out(8);
  auto consumed = DecodeBitPackedLevels(AsBytes(encoded), 3, out);
  ASSERT_TRUE(consumed.ok());
  EXPECT_EQ(*consumed, 3u);
  EXPECT_EQ(out, values);
}

TEST(RleTest, DeprecatedBitPackedLevelsRoundTripAndBounds) {
  for (int width = 0; width <= 32; ++width) {
    const auto values = MixedValues(30, width, static_cast<uint32_t>(width));
    const std::string encoded = EncodeBitPackedLevels(values, width);
    EXPECT_EQ(encoded.size(), (30 * static_cast<size_t>(width) + 7) / 8);
    std::vector<uint32_t> out(values.size());
    auto consumed = DecodeBitPackedLevels(AsBytes(encoded + "tail"), width, out);
    ASSERT_TRUE(consumed.ok());
    EXPECT_EQ(*consumed, encoded.size());
    EXPECT_EQ(out, values);
    if (!encoded.empty()) {
      EXPECT_FALSE(
          DecodeBitPackedLevels(AsBytes(encoded.substr(0, encoded.size() - 1)), width, out).ok());
    }
  }
  std::vector<uint32_t> out(1);
  EXPECT_FALSE(DecodeBitPackedLevels(AsBytes(Bytes({1, 2, 3, 4, 5})), 33, out).ok());
}

TEST(RleTest, RandomBytesNeverCrash) {
  // Whatever the bytes, decoding returns values or an error (ASan checks the rest).
  std::mt19937 rng(17);
  std::vector<uint32_t> out(700);
  for (int trial = 0; trial < 2000; ++trial) {
    std::string bytes(rng() % 64, '\0');
    for (char& c : bytes) c = static_cast<char>(rng() & 0xff);
    const int width = static_cast<int>(rng() % 34);
    RleBitPackedDecoder decoder(AsBytes(bytes), width);
    auto got = decoder.GetBatch(out);
    if (got.ok()) {
      EXPECT_LE(*got, out.size());
      for (size_t i = 0; i < *got; ++i) ASSERT_LE(uint64_t{out[i]}, LowBitsMask(width));
    }
  }
}

}  // namespace
}  // namespace floe::parquet

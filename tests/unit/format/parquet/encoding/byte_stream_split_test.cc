#include "floe/format/parquet/encoding/byte_stream_split.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "test_bytes.h"

namespace floe::parquet {
namespace {

using floe::testing::AsBytes;
using floe::testing::Bytes;

TEST(ByteStreamSplitTest, SpecExample) {
  const std::string values =
      Bytes({0xAA, 0xBB, 0xCC, 0xDD, 0x00, 0x11, 0x22, 0x33, 0xA3, 0xB4, 0xC5, 0xD6});
  std::string encoded;
  ASSERT_TRUE(EncodeByteStreamSplit(AsBytes(values), 4, &encoded).ok());
  EXPECT_EQ(encoded,
            Bytes({0xAA, 0x00, 0xA3, 0xBB, 0x11, 0xB4, 0xCC, 0x22, 0xC5, 0xDD, 0x33, 0xD6}));
  std::string decoded(12, '\0');
  ASSERT_TRUE(DecodeByteStreamSplit(
                  AsBytes(encoded), 4,
                  std::span<uint8_t>(reinterpret_cast<uint8_t*>(decoded.data()), decoded.size()))
                  .ok());
  EXPECT_EQ(decoded, values);
}

template <typename T>
void ExpectTypedRoundTrip(size_t n) {
  std::mt19937_64 rng(n);
  std::vector<T> values(n);
  for (T& v : values) v = static_cast<T>(static_cast<int64_t>(rng())) / static_cast<T>(3);
  std::string encoded = "keep";
  ASSERT_TRUE(EncodeByteStreamSplit(std::span<const T>(values), &encoded).ok());
  ASSERT_EQ(encoded.size(), 4 + n * sizeof(T));
  std::vector<T> decoded(n);
  ASSERT_TRUE(DecodeByteStreamSplit(AsBytes(encoded).subspan(4), std::span<T>(decoded)).ok());
  EXPECT_EQ(decoded, values);
}

TEST(ByteStreamSplitTest, RoundTripsNumbers) {
  for (size_t n : {0, 1, 2, 7, 1000}) {
    ExpectTypedRoundTrip<float>(n);
    ExpectTypedRoundTrip<double>(n);
    ExpectTypedRoundTrip<int32_t>(n);
    ExpectTypedRoundTrip<int64_t>(n);
  }
}

TEST(ByteStreamSplitTest, RoundTripsFixedLenByteArraysOfAnyWidth) {
  std::mt19937 rng(3);
  for (size_t width : {1, 2, 3, 5, 12, 16, 33}) {
    std::string values(width * 101, '\0');
    for (char& c : values) c = static_cast<char>(rng() & 0xff);
    std::string encoded;
    ASSERT_TRUE(EncodeByteStreamSplit(AsBytes(values), width, &encoded).ok());
    // Stream k starts with byte k of the first value.
    for (size_t k = 0; k < width; ++k) EXPECT_EQ(encoded[k * 101], values[k]);
    std::vector<uint8_t> decoded(values.size());
    ASSERT_TRUE(DecodeByteStreamSplit(AsBytes(encoded), width, decoded).ok());
    EXPECT_EQ(std::string(decoded.begin(), decoded.end()), values);
  }
}

TEST(ByteStreamSplitTest, SizeMismatchesAreErrors) {
  std::vector<uint8_t> out(8);
  EXPECT_EQ(DecodeByteStreamSplit(AsBytes(std::string(7, 'x')), 4, out).code(),
            StatusCode::kCorruption);  // not whole values
  EXPECT_EQ(DecodeByteStreamSplit(AsBytes(std::string(12, 'x')), 4, out).code(),
            StatusCode::kCorruption);  // more values than expected
  EXPECT_EQ(DecodeByteStreamSplit(AsBytes(std::string(4, 'x')), 4, out).code(),
            StatusCode::kCorruption);  // fewer
  EXPECT_EQ(DecodeByteStreamSplit(AsBytes(std::string(8, 'x')), 0, out).code(),
            StatusCode::kCorruption);
  std::string encoded;
  EXPECT_EQ(EncodeByteStreamSplit(AsBytes(std::string(7, 'x')), 4, &encoded).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(EncodeByteStreamSplit(AsBytes(std::string(8, 'x')), 0, &encoded).code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(encoded.empty());
}

}  // namespace
}  // namespace floe::parquet

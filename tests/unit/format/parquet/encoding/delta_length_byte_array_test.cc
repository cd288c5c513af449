#include "floe/format/parquet/encoding/delta_length_byte_array.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "floe/format/parquet/encoding/delta_binary_packed.h"
#include "test_bytes.h"

namespace floe::parquet {
namespace {

using floe::testing::AsBytes;

std::string Encode(const std::vector<std::string_view>& values) {
  std::string out;
  EncodeDeltaLengthByteArray(values, &out);
  return out;
}

TEST(DeltaLengthByteArrayTest, SpecExample) {
  const std::vector<std::string_view> values = {"Hello", "World", "Foobar", "ABCDEF"};
  const std::string encoded = Encode(values);
  std::string lengths;
  EncodeDeltaBinaryPacked(std::vector<int32_t>{5, 5, 6, 6}, &lengths);
  EXPECT_EQ(encoded, lengths + "HelloWorldFoobarABCDEF");

  std::vector<std::string_view> out;
  size_t consumed = 0;
  ASSERT_TRUE(DecodeDeltaLengthByteArray(AsBytes(encoded), 4, &out, &consumed).ok());
  EXPECT_EQ(out, values);
  EXPECT_EQ(consumed, encoded.size());
  // The views point into the page: no copies.
  EXPECT_EQ(out[0].data(), encoded.data() + lengths.size());
}

TEST(DeltaLengthByteArrayTest, RoundTripsRandomStringsIncludingEmpty) {
  std::mt19937 rng(1);
  for (size_t n : {0, 1, 2, 127, 128, 129, 1000}) {
    std::vector<std::string> storage(n);
    for (std::string& s : storage) {
      s.resize(rng() % 3 == 0 ? 0 : rng() % 50);
      for (char& c : s) c = static_cast<char>(rng() & 0xff);
    }
    const std::vector<std::string_view> values(storage.begin(), storage.end());
    const std::string encoded = Encode(values);
    std::vector<std::string_view> out;
    ASSERT_TRUE(DecodeDeltaLengthByteArray(AsBytes(encoded), n, &out).ok()) << n;
    EXPECT_EQ(out, values);
  }
}

TEST(DeltaLengthByteArrayTest, MalformedPagesAreCorruption) {
  std::vector<std::string_view> out;
  const std::string encoded = Encode({"abc", "defg"});
  // Count differs from the caller's.
  EXPECT_EQ(DecodeDeltaLengthByteArray(AsBytes(encoded), 3, &out).code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeDeltaLengthByteArray(AsBytes(encoded), 1, &out).code(), StatusCode::kCorruption);
  // A negative length.
  std::string negative;
  EncodeDeltaBinaryPacked(std::vector<int32_t>{3, -1}, &negative);
  negative += "abcdef";
  EXPECT_EQ(DecodeDeltaLengthByteArray(AsBytes(negative), 2, &out).code(), StatusCode::kCorruption);
  // Lengths past the end of the page.
  std::string too_long;
  EncodeDeltaBinaryPacked(std::vector<int32_t>{3, 2000000000}, &too_long);
  too_long += "abcdef";
  EXPECT_EQ(DecodeDeltaLengthByteArray(AsBytes(too_long), 2, &out).code(), StatusCode::kCorruption);
  EXPECT_TRUE(out.empty());
}

TEST(DeltaLengthByteArrayTest, TruncatedInputIsAnErrorAtEveryOffset) {
  const std::string encoded = Encode({"alpha", "", "gamma", "delta", "x"});
  std::vector<std::string_view> out;
  for (size_t len = 0; len < encoded.size(); ++len) {
    Status st = DecodeDeltaLengthByteArray(AsBytes(encoded).first(len), 5, &out);
    ASSERT_FALSE(st.ok()) << len;
    EXPECT_EQ(st.code(), StatusCode::kCorruption);
  }
  EXPECT_TRUE(out.empty());
}

TEST(DeltaLengthByteArrayTest, MutatedInputNeverCrashes) {
  std::mt19937 rng(23);
  const std::string valid = Encode({"one", "two", "three", "", "five", "six", "seventeen"});
  for (int trial = 0; trial < 2000; ++trial) {
    std::string bytes = valid;
    for (int flips = 0; flips < 1 + trial % 3; ++flips) {
      bytes[rng() % bytes.size()] = static_cast<char>(rng() & 0xff);
    }
    std::vector<std::string_view> out;
    if (DecodeDeltaLengthByteArray(AsBytes(bytes), 7, &out).ok()) {
      for (std::string_view v : out) {
        ASSERT_GE(v.data(), bytes.data());
        ASSERT_LE(v.data() + v.size(), bytes.data() + bytes.size());
      }
    }
  }
}

}  // namespace
}  // namespace floe::parquet

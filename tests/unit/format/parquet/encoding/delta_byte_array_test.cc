#include "floe/format/parquet/encoding/delta_byte_array.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "floe/format/parquet/encoding/delta_binary_packed.h"
#include "floe/format/parquet/encoding/delta_length_byte_array.h"
#include "test_bytes.h"

namespace floe::parquet {
namespace {

using floe::testing::AsBytes;

std::string Encode(const std::vector<std::string_view>& values) {
  std::string out;
  EncodeDeltaByteArray(values, &out);
  return out;
}

std::vector<std::string_view> Views(const ByteArrayBuffer& buffer) {
  std::vector<std::string_view> views;
  for (size_t i = 0; i < buffer.size(); ++i) views.push_back(buffer[i]);
  return views;
}

TEST(DeltaByteArrayTest, SpecExample) {
  const std::vector<std::string_view> values = {"axis", "axle", "babble", "babyhood"};
  std::string expected;
  EncodeDeltaBinaryPacked(std::vector<int32_t>{0, 2, 0, 3}, &expected);
  EncodeDeltaLengthByteArray(std::vector<std::string_view>{"axis", "le", "babble", "yhood"},
                             &expected);
  const std::string encoded = Encode(values);
  EXPECT_EQ(encoded, expected);
  EXPECT_NE(encoded.find("axislebabbleyhood"), std::string::npos);

  ByteArrayBuffer out;
  ASSERT_TRUE(DecodeDeltaByteArray(AsBytes(encoded), 4, &out).ok());
  EXPECT_EQ(Views(out), values);
}

TEST(DeltaByteArrayTest, RoundTripsSortedAndRandomStrings) {
  std::mt19937 rng(2);
  for (size_t n : {0, 1, 2, 128, 129, 2000}) {
    std::vector<std::string> storage(n);
    for (std::string& s : storage) {
      s = "user/" + std::to_string(rng() % 500) + "/";
      s.append(rng() % 10, static_cast<char>('a' + rng() % 26));
    }
    if (n % 2 == 0) std::sort(storage.begin(), storage.end());
    const std::vector<std::string_view> values(storage.begin(), storage.end());
    ByteArrayBuffer out;
    out.Append("earlier page");  // decoding appends
    ASSERT_TRUE(DecodeDeltaByteArray(AsBytes(Encode(values)), n, &out).ok()) << n;
    ASSERT_EQ(out.size(), n + 1);
    EXPECT_EQ(out[0], "earlier page");
    auto views = Views(out);
    views.erase(views.begin());
    EXPECT_EQ(views, values);
  }
}

TEST(DeltaByteArrayTest, MalformedPagesAreCorruption) {
  ByteArrayBuffer out;
  // The first prefix must be 0: there is no previous value.
  std::string bad_first;
  EncodeDeltaBinaryPacked(std::vector<int32_t>{1}, &bad_first);
  EncodeDeltaLengthByteArray(std::vector<std::string_view>{"x"}, &bad_first);
  EXPECT_EQ(DecodeDeltaByteArray(AsBytes(bad_first), 1, &out).code(), StatusCode::kCorruption);
  // A prefix longer than the previous value, and a negative one.
  for (int32_t prefix : {4, -1}) {
    std::string bad;
    EncodeDeltaBinaryPacked(std::vector<int32_t>{0, prefix}, &bad);
    EncodeDeltaLengthByteArray(std::vector<std::string_view>{"abc", "d"}, &bad);
    EXPECT_EQ(DecodeDeltaByteArray(AsBytes(bad), 2, &out).code(), StatusCode::kCorruption);
  }
  // Prefix and suffix counts that disagree.
  std::string mismatch;
  EncodeDeltaBinaryPacked(std::vector<int32_t>{0, 0}, &mismatch);
  EncodeDeltaLengthByteArray(std::vector<std::string_view>{"abc"}, &mismatch);
  EXPECT_EQ(DecodeDeltaByteArray(AsBytes(mismatch), 2, &out).code(), StatusCode::kCorruption);
  EXPECT_EQ(out.size(), 0u);
}

TEST(DeltaByteArrayTest, ExpansionAboveTheLimitIsRefused) {
  // Each value repeats the previous 1000 bytes: a small page, a large output.
  const std::string long_value(1000, 'q');
  const std::vector<std::string_view> values(1000, long_value);
  const std::string encoded = Encode(values);
  EXPECT_LT(encoded.size(), 2000u);
  ByteArrayBuffer out;
  EXPECT_EQ(DecodeDeltaByteArray(AsBytes(encoded), values.size(), &out, 100000).code(),
            StatusCode::kCorruption);
  EXPECT_EQ(out.size(), 0u);
  ASSERT_TRUE(DecodeDeltaByteArray(AsBytes(encoded), values.size(), &out, 1000000).ok());
  EXPECT_EQ(Views(out), values);
}

TEST(DeltaByteArrayTest, TruncatedInputIsAnErrorAtEveryOffset) {
  const std::string encoded = Encode({"apple", "applesauce", "apricot", "banana"});
  ByteArrayBuffer out;
  for (size_t len = 0; len < encoded.size(); ++len) {
    Status st = DecodeDeltaByteArray(AsBytes(encoded).first(len), 4, &out);
    ASSERT_FALSE(st.ok()) << len;
    EXPECT_EQ(st.code(), StatusCode::kCorruption);
  }
}

TEST(DeltaByteArrayTest, MutatedInputNeverCrashes) {
  std::mt19937 rng(29);
  const std::string valid = Encode({"apple", "applesauce", "apricot", "banana", "bandana"});
  for (int trial = 0; trial < 2000; ++trial) {
    std::string bytes = valid;
    for (int flips = 0; flips < 1 + trial % 3; ++flips) {
      bytes[rng() % bytes.size()] = static_cast<char>(rng() & 0xff);
    }
    ByteArrayBuffer out;
    if (DecodeDeltaByteArray(AsBytes(bytes), 5, &out).ok()) {
      EXPECT_EQ(out.size(), 5u);
    }
  }
}

}  // namespace
}  // namespace floe::parquet

#include "floe/format/avro/avro_binary.h"

#include <gtest/gtest.h>

#include <limits>

#include "test_bytes.h"

namespace floe::avro {
namespace {

using floe::testing::AsBytes;
using floe::testing::Bytes;

TEST(AvroBinaryTest, ZigZagMatchesTheSpecTable) {
  EXPECT_EQ(ZigZag(0), 0u);
  EXPECT_EQ(ZigZag(-1), 1u);
  EXPECT_EQ(ZigZag(1), 2u);
  EXPECT_EQ(ZigZag(-2), 3u);
  EXPECT_EQ(ZigZag(2147483647), 4294967294u);
  EXPECT_EQ(ZigZag(-2147483648LL), 4294967295u);
  EXPECT_EQ(ZigZag(std::numeric_limits<int64_t>::max()), std::numeric_limits<uint64_t>::max() - 1);
  EXPECT_EQ(ZigZag(std::numeric_limits<int64_t>::min()), std::numeric_limits<uint64_t>::max());
}

TEST(AvroBinaryTest, LongsRoundTripAtEveryEdge) {
  const int64_t values[] = {
      0,     1,    -1,        63,        -64,       64,        -65,           8191,
      -8192, 8192, INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, INT64_MAX - 1, INT64_MIN + 1};
  for (int64_t v : values) {
    std::string s;
    AppendLong(v, &s);
    BinaryDecoder d(AsBytes(s));
    auto r = d.ReadLong();
    ASSERT_TRUE(r.ok()) << v << ": " << r.status().ToString();
    EXPECT_EQ(*r, v);
    EXPECT_TRUE(d.done());
  }
  std::string s;
  AppendLong(-64, &s);
  EXPECT_EQ(s, Bytes({0x7F}));
  s.clear();
  AppendLong(64, &s);
  EXPECT_EQ(s, Bytes({0x80, 0x01}));
  s.clear();
  AppendLong(INT64_MIN, &s);
  EXPECT_EQ(s.size(), 10u);
}

TEST(AvroBinaryTest, VarintOverflowAndTruncationAreCorruption) {
  // Eleven continuation bytes.
  std::string too_long(10, static_cast<char>(0x80));
  too_long.push_back(0);
  BinaryDecoder a(AsBytes(too_long));
  EXPECT_EQ(a.ReadLong().status().code(), StatusCode::kCorruption);
  // A tenth byte with bits above bit 63.
  std::string overflow(9, static_cast<char>(0xFF));
  overflow.push_back(0x02);
  BinaryDecoder b(AsBytes(overflow));
  EXPECT_EQ(b.ReadLong().status().code(), StatusCode::kCorruption);
  std::string truncated = Bytes({0x80, 0x80});
  BinaryDecoder c(AsBytes(truncated));
  EXPECT_EQ(c.ReadLong().status().code(), StatusCode::kCorruption);
  std::string big;
  AppendLong(int64_t{1} << 40, &big);
  BinaryDecoder d(AsBytes(big));
  EXPECT_EQ(d.ReadInt().status().code(), StatusCode::kCorruption);
}

TEST(AvroBinaryTest, BytesLengthsAreCheckedAgainstWhatIsLeft) {
  std::string s;
  AppendLong(1000, &s);
  s += "abc";
  BinaryDecoder d(AsBytes(s));
  EXPECT_EQ(d.ReadBytes().status().code(), StatusCode::kCorruption);
  std::string neg;
  AppendLong(-1, &neg);
  BinaryDecoder n(AsBytes(neg));
  EXPECT_EQ(n.ReadBytes().status().code(), StatusCode::kCorruption);
  std::string ok;
  AppendBytes("hello", &ok);
  AppendFloat(1.5f, &ok);
  AppendDouble(-2.25, &ok);
  BinaryDecoder o(AsBytes(ok));
  EXPECT_EQ(*o.ReadBytes(), "hello");
  EXPECT_EQ(*o.ReadFloat(), 1.5f);
  EXPECT_EQ(*o.ReadDouble(), -2.25);
  EXPECT_TRUE(o.done());
  EXPECT_FALSE(o.ReadDouble().ok());
  std::string boolean = Bytes({2});
  BinaryDecoder b(AsBytes(boolean));
  EXPECT_FALSE(b.ReadBoolean().ok());
}

}  // namespace
}  // namespace floe::avro

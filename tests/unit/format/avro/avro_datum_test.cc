#include "floe/format/avro/avro_datum.h"

#include <gtest/gtest.h>

#include <cmath>

#include "test_bytes.h"

namespace floe::avro {
namespace {

using floe::testing::AsBytes;
using V = AvroValue;

constexpr const char* kEveryType = R"({"type":"record","name":"all","fields":[
  {"name":"n","type":"null"},{"name":"b","type":"boolean"},{"name":"i","type":"int"},
  {"name":"l","type":"long"},{"name":"f","type":"float"},{"name":"d","type":"double"},
  {"name":"by","type":"bytes"},{"name":"s","type":"string"},
  {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B","C"]}},
  {"name":"fx","type":{"type":"fixed","name":"F","size":3}},
  {"name":"a","type":{"type":"array","items":"long"}},
  {"name":"m","type":{"type":"map","values":["null","string"]}},
  {"name":"u","type":["null","int","string"]},
  {"name":"r","type":{"type":"record","name":"inner","fields":[{"name":"x","type":"int"}]}}]})";

AvroValue EveryTypeValue() {
  return V::Record({V::Null(), V::Boolean(true), V::Int(-7), V::Long(INT64_MIN), V::Float(1.5f),
                    V::Double(-0.0), V::Bytes(std::string("\0\xff", 2)), V::String("h\xc3\xa9llo"),
                    V::Enum(2), V::Fixed("abc"), V::Array({V::Long(1), V::Long(-2), V::Long(3)}),
                    V::Map({"k1", "k2"}, {V::Union(1, V::String("v")), V::Union(0, V::Null())}),
                    V::Union(2, V::String("s")), V::Record({V::Int(42)})});
}

TEST(AvroDatumTest, EveryTypeRoundTrips) {
  auto schema = ParseAvroSchema(kEveryType);
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  const AvroValue value = EveryTypeValue();
  std::string bytes;
  ASSERT_TRUE(EncodeDatum(*schema, value, &bytes).ok());
  DatumDecoder decoder(*schema);
  BinaryDecoder in(AsBytes(bytes));
  AvroValue out;
  Status s = decoder.Decode(&in, &out);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(in.done());
  EXPECT_EQ(out, value);
  EXPECT_TRUE(std::signbit(out.items[5].d));
  // Truncation at every byte is an error, never a crash.
  for (size_t n = 0; n < bytes.size(); ++n) {
    std::string cut = bytes.substr(0, n);
    BinaryDecoder c(AsBytes(cut));
    EXPECT_FALSE(decoder.Decode(&c, &out).ok()) << n;
  }
}

TEST(AvroDatumTest, EncoderRejectsValuesThatDoNotFit) {
  auto schema = ParseAvroSchema(kEveryType);
  ASSERT_TRUE(schema.ok());
  std::string bytes;
  AvroValue v = EveryTypeValue();
  v.items[9] = V::Fixed("abcd");
  Status s = EncodeDatum(*schema, v, &bytes);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("fx"), std::string::npos) << s.ToString();
  v = EveryTypeValue();
  v.items[12] = V::Union(3, V::Null());
  EXPECT_FALSE(EncodeDatum(*schema, v, &bytes).ok());
  v = EveryTypeValue();
  v.items[2] = V::Long(1);
  EXPECT_FALSE(EncodeDatum(*schema, v, &bytes).ok());
  v = EveryTypeValue();
  v.items[8] = V::Enum(3);
  EXPECT_FALSE(EncodeDatum(*schema, v, &bytes).ok());
}

Status DecodeBytes(const AvroSchema& schema, const std::string& bytes, AvroValue* out) {
  DatumDecoder decoder(schema);
  BinaryDecoder in(AsBytes(bytes));
  return decoder.Decode(&in, out);
}

TEST(AvroDatumTest, NegativeBlockCountsCarryByteSizes) {
  auto schema = ParseAvroSchema(R"({"type":"array","items":"int"})");
  ASSERT_TRUE(schema.ok());
  std::string bytes;
  AppendLong(-2, &bytes);
  AppendLong(2, &bytes);  // two one-byte ints
  AppendLong(5, &bytes);
  AppendLong(-6, &bytes);
  AppendLong(1, &bytes);
  AppendLong(7, &bytes);
  AppendLong(0, &bytes);
  AvroValue out;
  ASSERT_TRUE(DecodeBytes(*schema, bytes, &out).ok());
  EXPECT_EQ(out, V::Array({V::Int(5), V::Int(-6), V::Int(7)}));
  // A block size that disagrees with its items.
  std::string wrong;
  AppendLong(-1, &wrong);
  AppendLong(3, &wrong);
  AppendLong(5, &wrong);
  AppendLong(0, &wrong);
  EXPECT_FALSE(DecodeBytes(*schema, wrong, &out).ok());
  std::string min;
  AppendLong(INT64_MIN, &min);
  EXPECT_FALSE(DecodeBytes(*schema, min, &out).ok());
}

TEST(AvroDatumTest, HugeCountsFailBeforeAllocating) {
  auto schema = ParseAvroSchema(R"({"type":"record","name":"r","fields":[
      {"name":"xs","type":{"type":"array","items":"long"}}]})");
  ASSERT_TRUE(schema.ok());
  std::string bytes;
  AppendLong(int64_t{1} << 60, &bytes);
  AvroValue out;
  Status s = DecodeBytes(*schema, bytes, &out);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("field xs"), std::string::npos) << s.ToString();
  // Items that take no bytes are bounded by count.
  auto nulls = ParseAvroSchema(R"({"type":"array","items":"null"})");
  ASSERT_TRUE(nulls.ok());
  std::string many;
  AppendLong(int64_t{1} << 40, &many);
  EXPECT_FALSE(DecodeBytes(*nulls, many, &out).ok());
  std::string few;
  AppendLong(3, &few);
  AppendLong(0, &few);
  ASSERT_TRUE(DecodeBytes(*nulls, few, &out).ok());
  EXPECT_EQ(out.items.size(), 3u);
  auto map = ParseAvroSchema(R"({"type":"map","values":"null"})");
  ASSERT_TRUE(map.ok());
  std::string keys;
  AppendLong(int64_t{1} << 40, &keys);
  EXPECT_FALSE(DecodeBytes(*map, keys, &out).ok());
}

TEST(AvroDatumTest, BadUnionBranchAndEnumIndexNameTheField) {
  auto schema = ParseAvroSchema(R"({"type":"record","name":"r","fields":[
      {"name":"inner","type":{"type":"record","name":"i","fields":[{"name":"u","type":["null","int"]}]}}]})");
  ASSERT_TRUE(schema.ok());
  std::string bytes;
  AppendLong(2, &bytes);
  AvroValue out;
  Status s = DecodeBytes(*schema, bytes, &out);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("field inner.u"), std::string::npos) << s.ToString();
}

TEST(AvroDatumTest, RecursionIsLimited) {
  auto schema = ParseAvroSchema(
      R"({"type":"record","name":"n","fields":[{"name":"next","type":["null","n"]}]})");
  ASSERT_TRUE(schema.ok());
  std::string bytes;
  for (int i = 0; i < 1000; ++i) AppendLong(1, &bytes);
  AppendLong(0, &bytes);
  AvroValue out;
  EXPECT_EQ(DecodeBytes(*schema, bytes, &out).code(), StatusCode::kCorruption);
  std::string shallow;
  for (int i = 0; i < 5; ++i) AppendLong(1, &shallow);
  AppendLong(0, &shallow);
  EXPECT_TRUE(DecodeBytes(*schema, shallow, &out).ok());
}

}  // namespace
}  // namespace floe::avro

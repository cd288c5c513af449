#include "floe/format/avro/avro_value_json.h"

#include <gtest/gtest.h>

namespace floe::avro {
namespace {

constexpr const char* kSchema = R"({"type":"record","name":"r","fields":[
  {"name":"b","type":"bytes"},{"name":"f","type":"float"},{"name":"d","type":["null","double"]},
  {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}},
  {"name":"m","type":{"type":"map","values":"long"}},{"name":"o","type":["null","string"]}]})";

TEST(AvroValueJsonTest, RoundTripsThroughText) {
  auto schema = ParseAvroSchema(kSchema);
  ASSERT_TRUE(schema.ok());
  const std::string line = R"({"b":"AP8=","f":"NaN","d":-0.0,"e":"B","m":{"x":1,"y":-2},"o":null})";
  auto value = AvroValueFromJson(*schema, line);
  ASSERT_TRUE(value.ok()) << value.status().ToString();
  EXPECT_EQ(value->items[0].bytes, std::string("\0\xff", 2));
  EXPECT_EQ(value->items[2].i, 1);  // the double branch
  std::string out;
  AppendAvroJson(*schema, schema->root, *value, &out);
  EXPECT_EQ(out, line);
}

TEST(AvroValueJsonTest, MissingNullableKeysAreNullAndMismatchesNameTheField) {
  auto schema = ParseAvroSchema(kSchema);
  ASSERT_TRUE(schema.ok());
  auto ok = AvroValueFromJson(*schema, R"({"b":"","f":1,"e":"A","m":{}})");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->items[5].i, 0);
  auto bad = AvroValueFromJson(*schema, R"({"b":"","f":1,"e":"C","m":{}})");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("e:"), std::string::npos) << bad.status().ToString();
  EXPECT_FALSE(AvroValueFromJson(*schema, R"({"b":"","f":1,"e":"A","m":{},"zz":1})").ok());
  EXPECT_FALSE(AvroValueFromJson(*schema, R"({"b":"","f":1e300,"e":"A","m":{}})").ok());
  EXPECT_FALSE(AvroValueFromJson(*schema, "{").ok());
}

}  // namespace
}  // namespace floe::avro

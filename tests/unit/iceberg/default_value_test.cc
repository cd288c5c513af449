#include "floe/iceberg/default_value.h"

#include <gtest/gtest.h>

#include "floe/columnar/text_rows.h"
#include "floe/schema/schema.h"

namespace floe::iceberg {
namespace {

// The value `json` takes in a column of `type`, rendered as floe's JSON
// text output, or the error.
std::string Typed(TypePtr type, std::string_view json) {
  Column c(std::move(type));
  Status s = AppendJsonSingleValue(json, &c);
  if (!s.ok()) return "error: " + std::string(s.message());
  std::string out;
  AppendJsonValue(c, 0, &out);
  return out;
}

TEST(DefaultValueTest, TypesTheSpecsJsonSingleValues) {
  EXPECT_EQ(Typed(Type::Boolean(), "true"), "true");
  EXPECT_EQ(Typed(Type::Int(), "34"), "34");
  EXPECT_EQ(Typed(Type::Long(), "-9007199254740993"), "-9007199254740993");
  EXPECT_EQ(Typed(Type::Double(), "1.5"), "1.5");
  EXPECT_EQ(Typed(Type::String(), R"("dflt")"), R"("dflt")");
  EXPECT_EQ(Typed(Type::Decimal(9, 2), R"("14.20")"), R"("14.20")");
  EXPECT_EQ(Typed(Type::Date(), R"("2017-11-16")"), R"("2017-11-16")");
  EXPECT_EQ(Typed(Type::Timestamp(), R"("2017-11-16T22:31:08.123456")"),
            R"("2017-11-16T22:31:08.123456")");
  EXPECT_EQ(Typed(Type::TimestampTz(), R"("2017-11-16T22:31:08.123456+01:00")"),
            R"("2017-11-16T21:31:08.123456Z")");
  EXPECT_EQ(Typed(Type::Uuid(), R"("f79c3e09-677c-4bbd-a479-3f349cb785e7")"),
            R"("f79c3e09-677c-4bbd-a479-3f349cb785e7")");
  Column fixed(Type::Fixed(2));
  ASSERT_TRUE(AppendJsonSingleValue(R"("0aFf")", &fixed).ok());
  EXPECT_EQ(fixed.Bytes(0), std::string("\x0a\xff", 2));
}

TEST(DefaultValueTest, RejectsValuesOfTheWrongShape) {
  EXPECT_NE(Typed(Type::Int(), R"("34")").find("error: "), std::string::npos);
  EXPECT_NE(Typed(Type::String(), "34").find("error: "), std::string::npos);
  EXPECT_NE(Typed(Type::Fixed(3), R"("0aff")").find("error: 2 bytes"), std::string::npos);
  EXPECT_NE(Typed(Type::Binary(), R"("0g")").find("error: "), std::string::npos);
  EXPECT_NE(Typed(Type::Date(), R"("not a date")").find("error: "), std::string::npos);
  EXPECT_NE(Typed(Type::Long(), "{").find("error: not JSON"), std::string::npos);
}

TEST(DefaultValueTest, SchemaJsonKeepsDefaultsAndColumnsRepeatThem) {
  auto schema = SchemaFromJson(R"({"type": "struct", "schema-id": 0, "fields": [
      {"id": 1, "name": "n", "required": true, "type": "int", "initial-default": 7,
       "write-default": 8},
      {"id": 2, "name": "t", "required": false, "type": "string", "initial-default": null}]})");
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  const NestedField& n = schema->fields()[0];
  EXPECT_EQ(n.initial_default, "7");
  EXPECT_EQ(n.write_default, "8");
  EXPECT_FALSE(schema->fields()[1].initial_default.has_value());
  auto again = SchemaFromJson(SchemaToJson(*schema));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->fields(), schema->fields());

  auto column = InitialDefaultColumn(n, 3);
  ASSERT_TRUE(column.ok()) << column.status().ToString();
  ASSERT_EQ(column->length(), 3);
  EXPECT_EQ(column->Value<int32_t>(2), 7);
  NestedField bad = n;
  bad.initial_default = R"("seven")";
  EXPECT_NE(InitialDefaultColumn(bad, 1).status().message().find("column n: initial-default"),
            std::string::npos);
}

}  // namespace
}  // namespace floe::iceberg

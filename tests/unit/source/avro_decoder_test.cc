#include "floe/source/avro_decoder.h"

#include <gtest/gtest.h>

#include "floe/columnar/text_rows.h"
#include "floe/format/avro/avro_datum.h"
#include "floe/format/avro/avro_value_json.h"
#include "floe/source/avro_table_schema.h"

namespace floe::source {
namespace {

constexpr std::string_view kWriter = R"({"type": "record", "name": "V", "fields": [
  {"name": "seq", "type": "long"},
  {"name": "subject", "type": ["null", "string"]},
  {"name": "hr", "type": "int"},
  {"name": "kind", "type": {"type": "enum", "name": "K", "symbols": ["VS", "LB"]}},
  {"name": "temp", "type": {"type": "bytes", "logicalType": "decimal", "precision": 4, "scale": 1}},
  {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
  {"name": "text_at", "type": "string"},
  {"name": "day", "type": {"type": "int", "logicalType": "date"}},
  {"name": "ignored", "type": {"type": "map", "values": {"type": "array", "items": "string"}}},
  {"name": "bp", "type": {"type": "record", "name": "BP", "fields": [
    {"name": "sys", "type": "int"}, {"name": "dia", "type": "float"}]}},
  {"name": "tags", "type": {"type": "array", "items": ["null", "string"]}},
  {"name": "attrs", "type": {"type": "map", "values": "long"}}
]})";

Schema TableSchema() {
  return Schema({
      NestedField(1, "seq", true, Type::Long()),
      NestedField(2, "subject", false, Type::String()),
      NestedField(3, "hr", false, Type::Long()),  // int widens
      NestedField(4, "kind", false, Type::String()),
      NestedField(5, "temp", false, Type::Decimal(6, 1)),
      NestedField(6, "at", false, Type::TimestampTz()),
      NestedField(7, "text_at", false, Type::TimestampTz()),
      NestedField(8, "day", false, Type::Date()),
      NestedField(9, "bp", false,
                  Type::Struct({NestedField(10, "dia", false, Type::Double()),
                                NestedField(11, "sys", true, Type::Int()),
                                NestedField(12, "extra", false, Type::String())})),
      NestedField(13, "tags", false, Type::List(NestedField(14, "element", false, Type::String()))),
      NestedField(15, "attrs", false,
                  Type::Map(NestedField(16, "key", true, Type::String()),
                            NestedField(17, "value", false, Type::Long()))),
      NestedField(18, "absent", false, Type::String()),
  });
}

constexpr std::string_view kRecord = R"({"seq": 7, "subject": "S-1", "hr": 61, "kind": "LB",
  "temp": "AW4=", "at": 1764059400123, "text_at": "2026-11-25T08:30:00+01:00", "day": 20417,
  "ignored": {"a": ["x", "y"], "b": []}, "bp": {"sys": 120, "dia": 80.5},
  "tags": ["a", null], "attrs": {"k": 1}})";

std::string Encode(const avro::AvroSchema& schema, std::string_view json, int32_t id = 42) {
  auto value = avro::AvroValueFromJson(schema, json);
  EXPECT_TRUE(value.ok()) << value.status().ToString();
  std::string out = WireFormatHeader(id);
  EXPECT_TRUE(avro::EncodeDatum(schema, *value, &out).ok());
  return out;
}

AvroDecoder Decoder(std::string_view writer = kWriter, size_t max_bytes = 1 << 20) {
  auto schema = WriterSchema::Parse(1, writer);
  EXPECT_TRUE(schema.ok()) << schema.status().ToString();
  return AvroDecoder(std::make_shared<FixedWriterSchema>(*schema), max_bytes);
}

std::string Row(const RecordBatch& b, int64_t r) {
  std::string out;
  AppendJsonRow(b, r, &out);
  return out;
}

TEST(AvroDecoderTest, DecodesByFieldNameWithConversions) {
  auto writer = avro::ParseAvroSchema(kWriter);
  ASSERT_TRUE(writer.ok());
  AvroDecoder decoder = Decoder();
  RecordBatch batch = RecordBatch::Empty(TableSchema());
  const std::string value = Encode(*writer, kRecord);
  ASSERT_TRUE(decoder.Parse(value).ok());
  EXPECT_EQ(decoder.Scalar("/kind"), "LB");
  EXPECT_EQ(decoder.Scalar("/subject"), "S-1");
  EXPECT_EQ(decoder.Scalar("/bp/sys"), "120");
  EXPECT_EQ(decoder.Scalar("/bp"), std::nullopt);
  EXPECT_EQ(decoder.Scalar("/nope"), std::nullopt);
  Status s = decoder.AppendParsed(&batch);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(batch.num_rows, 1);
  EXPECT_EQ(Row(batch, 0),
            R"({"seq":7,"subject":"S-1","hr":61,"kind":"LB","temp":"36.6",)"
            R"("at":"2025-11-25T08:30:00.123000Z","text_at":"2026-11-25T07:30:00.000000Z",)"
            R"("day":"2025-11-25","bp":{"dia":80.5,"sys":120,"extra":null},"tags":["a",null],)"
            R"("attrs":[{"key":"k","value":1}],"absent":null})");
}

TEST(AvroDecoderTest, BadRecordsAreRefusedAndLeaveTheBatchAsItWas) {
  auto writer = avro::ParseAvroSchema(kWriter);
  ASSERT_TRUE(writer.ok());
  AvroDecoder decoder = Decoder(kWriter, 4096);
  RecordBatch batch = RecordBatch::Empty(TableSchema());
  const std::string good = Encode(*writer, kRecord);
  ASSERT_TRUE(decoder.Append(good, &batch).ok());
  // Every truncation of the datum, a wrong magic byte, bytes past the datum, too large.
  for (size_t n = 0; n < good.size(); ++n) {
    Status s = decoder.Append(good.substr(0, n), &batch);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << n << ": " << s.ToString();
  }
  std::string magic = good;
  magic[0] = 1;
  EXPECT_EQ(decoder.Append(magic, &batch).code(), StatusCode::kCorruption);
  EXPECT_EQ(decoder.Append(good + "x", &batch).code(), StatusCode::kCorruption);
  EXPECT_EQ(decoder.Append(good + std::string(5000, 'x'), &batch).code(),
            StatusCode::kInvalidArgument);
  // A huge block count is refused before anything is allocated.
  auto hostile = avro::ParseAvroSchema(
      R"({"type": "record", "name": "H", "fields": [{"name": "tags", "type": {"type": "array", "items": "null"}}]})");
  ASSERT_TRUE(hostile.ok());
  AvroDecoder nulls = Decoder(avro::AvroSchemaToJson(*hostile));
  RecordBatch b2 = RecordBatch::Empty(Schema({NestedField(
      1, "tags", false, Type::List(NestedField(2, "element", false, Type::String())))}));
  std::string huge = WireFormatHeader(1);
  avro::AppendLong(int64_t{1} << 40, &huge);
  avro::AppendLong(0, &huge);
  EXPECT_EQ(nulls.Append(huge, &b2).code(), StatusCode::kCorruption);
  // Not UTF-8.
  std::string bad_utf8 = Encode(*writer, kRecord);
  const size_t at = bad_utf8.find("S-1");
  ASSERT_NE(at, std::string::npos);
  bad_utf8[at] = '\xff';
  EXPECT_EQ(decoder.Append(bad_utf8, &batch).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(decoder.Append(good, &batch).ok());
  EXPECT_EQ(batch.num_rows, 2);
  EXPECT_EQ(Row(batch, 0), Row(batch, 1));
}

TEST(AvroDecoderTest, IncompatibleFieldsFailOnlyTheRecordsThatReachThem) {
  // hr as a string branch of a union: records using the int branch decode.
  AvroDecoder decoder = Decoder(R"({"type": "record", "name": "R", "fields": [
    {"name": "seq", "type": "long"}, {"name": "hr", "type": ["null", "int", "boolean"]}]})");
  auto writer = avro::ParseAvroSchema(
      R"({"type": "record", "name": "R", "fields": [
    {"name": "seq", "type": "long"}, {"name": "hr", "type": ["null", "int", "boolean"]}]})");
  ASSERT_TRUE(writer.ok());
  RecordBatch batch = RecordBatch::Empty(
      Schema({NestedField(1, "seq", true, Type::Long()), NestedField(2, "hr", true, Type::Int())}));
  std::string v = WireFormatHeader(1);
  avro::AppendLong(1, &v);
  avro::AppendLong(1, &v);  // branch int
  avro::AppendLong(60, &v);
  EXPECT_TRUE(decoder.Append(v, &batch).ok());
  std::string b = WireFormatHeader(1);
  avro::AppendLong(2, &b);
  avro::AppendLong(2, &b);  // branch boolean
  b.push_back(1);
  Status s = decoder.Append(b, &batch);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("boolean cannot go into a int"), std::string_view::npos)
      << s.ToString();
  std::string n = WireFormatHeader(1);
  avro::AppendLong(3, &n);
  avro::AppendLong(0, &n);  // null into a required column
  EXPECT_EQ(decoder.Append(n, &batch).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(batch.num_rows, 1);
  // A required table field the writer lacks: every record says so.
  RecordBatch wide = RecordBatch::Empty(Schema(
      {NestedField(1, "seq", true, Type::Long()), NestedField(2, "dose", true, Type::Double())}));
  s = decoder.Append(v, &wide);
  EXPECT_NE(s.message().find("required field dose is not in the writer's schema"),
            std::string_view::npos)
      << s.ToString();
}

TEST(AvroDecoderTest, TableSchemaFromAvroMapsLogicalTypesAndNullability) {
  auto writer = avro::ParseAvroSchema(kWriter);
  ASSERT_TRUE(writer.ok());
  auto schema = TableSchemaFromAvro(*writer);
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  EXPECT_EQ(schema->AsStruct()->ToString(),
            "struct<1: seq: required long, 2: subject: optional string, 3: hr: required int, "
            "4: kind: required string, 5: temp: required decimal(4,1), 6: at: required "
            "timestamptz, 7: text_at: required string, 8: day: required date, 9: ignored: "
            "required map<string, list<string>>, 13: bp: required struct<14: sys: required int, "
            "15: dia: required float>, 16: tags: required list<string>, 18: attrs: required "
            "map<string, long>>");
  auto recursive = avro::ParseAvroSchema(
      R"({"type": "record", "name": "N", "fields": [{"name": "next", "type": ["null", "N"]}]})");
  ASSERT_TRUE(recursive.ok());
  EXPECT_FALSE(TableSchemaFromAvro(*recursive).ok());
}

}  // namespace
}  // namespace floe::source

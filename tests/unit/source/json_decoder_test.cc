#include "floe/source/json_decoder.h"

#include <gtest/gtest.h>

#include "floe/columnar/text_rows.h"

namespace floe::source {
namespace {

Schema VitalsSchema() {
  return Schema({
      NestedField(1, "seq", true, Type::Long()),
      NestedField(2, "subject", false, Type::String()),
      NestedField(3, "hr", false, Type::Int()),
      NestedField(4, "temp", false, Type::Decimal(4, 1)),
      NestedField(5, "at", false, Type::TimestampTz()),
      NestedField(6, "ok", false, Type::Boolean()),
      NestedField(7, "score", false, Type::Double()),
      NestedField(8, "bp", false,
                  Type::Struct({NestedField(9, "sys", true, Type::Int()),
                                NestedField(10, "dia", false, Type::Int())})),
      NestedField(11, "tags", false, Type::List(NestedField(12, "element", false, Type::String()))),
      NestedField(13, "attrs", false,
                  Type::Map(NestedField(14, "key", true, Type::String()),
                            NestedField(15, "value", false, Type::Long()))),
      NestedField(16, "day", false, Type::Date()),
  });
}

std::string Row(const RecordBatch& b, int64_t r) {
  std::string out;
  AppendJsonRow(b, r, &out);
  return out;
}

TEST(JsonDecoderTest, DecodesNestedRecordsByFieldName) {
  JsonDecoder decoder;
  RecordBatch batch = RecordBatch::Empty(VitalsSchema());
  ASSERT_TRUE(decoder
                  .Append(R"({"subject": "S-1", "seq": 7, "hr": 61, "temp": 36.6,
                    "at": "2026-11-25T08:30:00+01:00", "ok": true, "score": 2,
                    "bp": {"dia": 80, "sys": 120}, "tags": ["a", null], "attrs": {"k": 1},
                    "day": "2026-11-25", "unknown": {"deep": [1, {"x": 2}]}})",
                          &batch)
                  .ok());
  ASSERT_TRUE(decoder.Append(R"({"seq": 8, "temp": "-3.5", "at": 1764059400000})", &batch).ok());
  ASSERT_EQ(batch.num_rows, 2);
  EXPECT_EQ(Row(batch, 0),
            R"({"seq":7,"subject":"S-1","hr":61,"temp":"36.6","at":"2026-11-25T07:30:00.000000Z",)"
            R"("ok":true,"score":2.0,"bp":{"sys":120,"dia":80},"tags":["a",null],)"
            R"("attrs":[{"key":"k","value":1}],"day":"2026-11-25"})");
  EXPECT_EQ(Row(batch, 1),
            R"({"seq":8,"subject":null,"hr":null,"temp":"-3.5","at":"2025-11-25T08:30:00.000000Z",)"
            R"("ok":null,"score":null,"bp":null,"tags":null,"attrs":null,"day":null})");
}

// A bad record is refused whole: the batch is as before, and the next
// record lands right after the last good one.
TEST(JsonDecoderTest, RefusesBadRecordsAndLeavesTheBatchAsItWas) {
  JsonDecoder decoder(256);
  RecordBatch batch = RecordBatch::Empty(VitalsSchema());
  ASSERT_TRUE(decoder.Append(R"({"seq": 1, "subject": "first", "tags": ["x"]})", &batch).ok());
  const std::string before = Row(batch, 0);
  struct Case {
    std::string json, error;
  };
  const Case cases[] = {
      {R"({"seq": 2, "subject": )", "not JSON"},
      {R"({"seq": 2} trailing)", "not JSON"},
      {R"([1, 2])", "must be a JSON object, got an array"},
      {R"({"seq": 2, "hr": "fast"})", "hr: expected int, got a string"},
      {R"({"seq": 2, "hr": 3000000000})", "hr: 3000000000 is out of range for int"},
      {R"({"seq": 2.5})", "seq: expected long, got a fraction"},
      {R"({"subject": "no seq"})", "required field seq is missing"},
      {R"({"seq": null})", "seq: is required, got null"},
      {R"({"seq": 2, "seq": 3})", "field seq given twice"},
      {R"({"seq": 2, "temp": 36.66})", "temp"},
      {R"({"seq": 2, "temp": 0.123456789012345678})", "more than 15 significant digits"},
      {R"({"seq": 2, "tags": ["ok", 5]})", "tags: element: expected string, got a number"},
      {R"({"seq": 2, "bp": {"dia": 80}})", "bp: required field sys is missing"},
      {R"({"seq": 2, "at": "yesterday"})", "at"},
      {R"({"seq": 2, "subject": ")" + std::string(300, 'x') + R"("})",
       "larger than max_record_size"},
      {"{\"seq\": 2, \"subject\": \"\xff\"}", "not JSON"},
      {std::string(100, '[') + std::string(100, ']'), "not JSON"},
  };
  for (const Case& c : cases) {
    Status s = decoder.Append(c.json, &batch);
    EXPECT_FALSE(s.ok()) << c.json;
    EXPECT_NE(s.message().find(c.error), std::string::npos) << c.json << " -> " << s.ToString();
    ASSERT_EQ(batch.num_rows, 1);
    for (const Column& col : batch.columns) ASSERT_EQ(col.length(), 1) << c.json;
  }
  EXPECT_EQ(Row(batch, 0), before);
  ASSERT_TRUE(decoder.Append(R"({"seq": 3, "tags": []})", &batch).ok());
  EXPECT_EQ(Row(batch, 1),
            R"({"seq":3,"subject":null,"hr":null,"temp":null,"at":null,"ok":null,"score":null,)"
            R"("bp":null,"tags":[],"attrs":null,"day":null})");
}

}  // namespace
}  // namespace floe::source

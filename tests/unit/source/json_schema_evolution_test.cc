#include "floe/source/json_schema_evolution.h"

#include <gtest/gtest.h>

#include "floe/columnar/text_rows.h"
#include "floe/source/json_decoder.h"

namespace floe::source {
namespace {

Schema Vitals() {
  return Schema({
      NestedField(1, "seq", true, Type::Long()),
      NestedField(2, "hr", false, Type::Int()),
      NestedField(3, "temp", false, Type::Float()),
      NestedField(4, "bp", false,
                  Type::Struct({NestedField(5, "sys", false, Type::Int()),
                                NestedField(6, "dia", false, Type::Int())})),
      NestedField(
          7, "notes", false,
          Type::List(NestedField(8, "element", false,
                                 Type::Struct({NestedField(9, "text", false, Type::String())})))),
  });
}

// The evolved schema as Iceberg JSON's fields, or "none" / "error: ...".
std::string Evolve(std::string_view record, const Schema& schema = Vitals(),
                   const EvolutionLimits& limits = {}) {
  Result<std::optional<SchemaEvolution>> e = EvolveSchemaFor(record, schema, 9, limits);
  if (!e.ok()) return "error: " + std::string(e.status().message());
  if (!*e) return "none";
  std::string changes;
  for (const std::string& c : (*e)->changes) changes += (changes.empty() ? "" : "; ") + c;
  return changes + " | last id " + std::to_string((*e)->last_column_id);
}

TEST(JsonSchemaEvolutionTest, NewKeysBecomeOptionalFieldsAtAnyDepth) {
  EXPECT_EQ(Evolve(R"({"seq": 1, "hr": 60})"), "none");
  EXPECT_EQ(Evolve(R"({"seq": 1, "site": "S01"})"), "added site string | last id 10");
  EXPECT_EQ(Evolve(R"({"seq": 1, "bp": {"sys": 120, "map": 93.3}})"),
            "added bp.map double | last id 10");
  EXPECT_EQ(Evolve(R"({"notes": [{"text": "a"}, {"text": "b", "by": "dr x"}]})"),
            "added notes.element.by string | last id 10");
  // A new struct and a new list take ids for their parts, depth first.
  const Result<std::optional<SchemaEvolution>> e = EvolveSchemaFor(
      R"({"device": {"model": "m1", "fw": 3, "ok": true, "tags": ["a"]}, "big": 18446744073709551615})",
      Vitals(), 9);
  ASSERT_TRUE(e.ok() && *e);
  const Schema& s = (*e)->schema;
  EXPECT_EQ(s.fields().size(), 7u);
  EXPECT_EQ(Type::Struct({s.fields()[5]})->ToString(),
            "struct<10: device: optional struct<11: model: optional string, 12: fw: optional long, "
            "13: ok: "
            "optional boolean, 14: tags: optional list<string>>>");
  EXPECT_EQ(Type::Struct({s.fields()[6]})->ToString(), "struct<16: big: optional decimal(38,0)>");
  ASSERT_NE(s.FindById(15), nullptr);
  EXPECT_EQ(s.FindById(15)->name, "element");
  EXPECT_TRUE(s.Validate().ok());
}

TEST(JsonSchemaEvolutionTest, KeysWithoutValuesWait) {
  EXPECT_EQ(Evolve(R"({"seq": 1, "later": null, "empty": [], "hollow": {"a": null, "b": [[]]}})"),
            "none");
  EXPECT_EQ(Evolve(R"({"seq": 1, "later": [null, 3]})"), "added later list<long> | last id 11");
}

TEST(JsonSchemaEvolutionTest, NumbersPastTheirRangeWiden) {
  EXPECT_EQ(Evolve(R"({"hr": 3000000000})"), "widened hr int -> long | last id 9");
  EXPECT_EQ(Evolve(R"({"bp": {"dia": -3000000000}})"), "widened bp.dia int -> long | last id 9");
  EXPECT_EQ(Evolve(R"({"temp": 1e300})"), "widened temp float -> double | last id 9");
  EXPECT_EQ(Evolve(R"({"hr": 2147483647, "temp": 3.4e38})"), "none");
  // Not promotions Iceberg has: the decoder's errors, dead letters.
  EXPECT_EQ(Evolve(R"({"hr": 1.5, "seq": "x", "temp": "warm"})"), "none");
  EXPECT_EQ(Evolve(R"({"hr": 18446744073709551615})"), "none");
  // A partition source keeps its type.
  EvolutionLimits fixed;
  fixed.fixed_types = {2};
  EXPECT_EQ(Evolve(R"({"hr": 3000000000})", Vitals(), fixed), "none");
}

TEST(JsonSchemaEvolutionTest, LimitsAndBadInput) {
  EvolutionLimits small;
  small.max_fields = 11;  // Vitals has 9
  EXPECT_EQ(Evolve(R"({"a": 1, "b": 2, "c": 3})", Vitals(), small),
            "error: the record would grow the table's schema past 11 fields");
  EXPECT_EQ(Evolve("[1]").substr(0, 30), "error: a record must be a JSON");
  EXPECT_EQ(Evolve("{").substr(0, 15), "error: not JSON");
  std::string deep(100, '[');
  EXPECT_EQ(Evolve(R"({"x": )" + deep).substr(0, 15), "error: not JSON");
  // From nothing: an inferred table's first record.
  EXPECT_EQ(Evolve(R"({"id": 7, "at": "2026-01-01"})", Schema()),
            "added id long; added at string | last id 11");
}

TEST(JsonSchemaEvolutionTest, StrictDecodingRefusesWhatEvolutionWouldAdd) {
  JsonDecoder decoder;
  RecordBatch batch = RecordBatch::Empty(Vitals());
  ASSERT_TRUE(decoder.Parse(R"({"seq": 1, "bp": {"sys": 1, "map": 2.5}, "x": null})").ok());
  const Status strict = decoder.AppendParsed(&batch, true);
  EXPECT_EQ(strict.code(), StatusCode::kNotFound) << strict.ToString();
  EXPECT_EQ(strict.message(), "bp: map is not a field of the table");
  EXPECT_EQ(batch.num_rows, 0);
  ASSERT_TRUE(decoder.AppendParsed(&batch).ok());  // lenient: the key is skipped
  EXPECT_EQ(batch.num_rows, 1);
  ASSERT_TRUE(decoder.Parse(R"({"seq": 2, "x": null, "y": [], "z": {"w": null}})").ok());
  EXPECT_TRUE(decoder.AppendParsed(&batch, true).ok());  // nothing to add
  ASSERT_TRUE(decoder.Parse(R"({"seq": 3, "hr": 3000000000})").ok());
  EXPECT_EQ(decoder.AppendParsed(&batch, true).code(), StatusCode::kOutOfRange);
  EXPECT_EQ(batch.num_rows, 2);
}

}  // namespace
}  // namespace floe::source

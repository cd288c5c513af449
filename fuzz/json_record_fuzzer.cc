// libFuzzer target for the decoder of Kafka record values (JSON objects
// into rows of a table's schema, source/json_decoder.h): the bytes of
// untrusted producers. Whatever the input, a record is appended whole or not
// at all: every column keeps the batch's row count, and a refused record
// leaves the batch as it was. The first byte picks one-step Append,
// Parse + Scalar + AppendParsed (the routing path), or the schema
// evolution path: a strict AppendParsed and, when it refuses for a key or a
// range, EvolveSchemaFor, whose schema must be valid, keep every old field
// and then decode the record.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "floe/source/json_decoder.h"
#include "floe/source/json_schema_evolution.h"

namespace {

floe::Schema RecordSchema() {
  using floe::NestedField;
  using floe::Type;
  return floe::Schema({
      NestedField(1, "id", true, Type::Long()),
      NestedField(2, "n", false, Type::Int()),
      NestedField(3, "s", false, Type::String()),
      NestedField(4, "d", false, Type::Decimal(9, 2)),
      NestedField(5, "t", false, Type::TimestampTz()),
      NestedField(6, "f", false, Type::Double()),
      NestedField(7, "b", false, Type::Boolean()),
      NestedField(8, "u", false, Type::Uuid()),
      NestedField(9, "bin", false, Type::Binary()),
      NestedField(10, "day", false, Type::Date()),
      NestedField(11, "point", false,
                  Type::Struct({NestedField(12, "x", true, Type::Int()),
                                NestedField(13, "tags", false,
                                            Type::List(NestedField(14, "element", false,
                                                                   Type::String())))})),
      NestedField(
          15, "m", false,
          Type::Map(NestedField(16, "key", true, Type::String()),
                    NestedField(17, "value", false,
                                Type::List(NestedField(18, "element", true, Type::Long()))))),
  });
}

void CheckLengths(const floe::RecordBatch& batch) {
  for (const floe::Column& c : batch.columns) {
    if (c.length() != batch.num_rows) std::abort();
  }
}

// The strict decode, and what evolution makes of a record it refuses.
void EvolveAndDecode(const floe::Schema& schema, std::string_view text) {
  static floe::source::JsonDecoder decoder(1 << 20);
  floe::RecordBatch batch = floe::RecordBatch::Empty(schema);
  if (!decoder.Parse(text).ok()) return;
  const floe::Status strict = decoder.AppendParsed(&batch, true);
  if (strict.code() != floe::StatusCode::kNotFound &&
      strict.code() != floe::StatusCode::kOutOfRange) {
    return;
  }
  auto evolved = floe::source::EvolveSchemaFor(text, schema, schema.HighestFieldId());
  if (!evolved.ok() || !*evolved) return;
  const floe::Schema& next = (*evolved)->schema;
  if (!next.Validate().ok() || next.HighestFieldId() > (*evolved)->last_column_id) std::abort();
  for (const floe::NestedField& f : schema.fields()) {
    if (next.FindById(f.id) == nullptr) std::abort();
  }
  // The record's keys are all fields now: only a value of a wrong kind may refuse it.
  floe::RecordBatch evolved_batch = floe::RecordBatch::Empty(next);
  if (!decoder.Parse(text).ok()) std::abort();
  const floe::Status again = decoder.AppendParsed(&evolved_batch, true);
  if (again.code() == floe::StatusCode::kNotFound) std::abort();
  CheckLengths(evolved_batch);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const floe::Schema schema = RecordSchema();
  static floe::source::JsonDecoder decoder(1 << 20);
  floe::RecordBatch batch = floe::RecordBatch::Empty(schema);
  // A good row first, so a refused record must leave it as it was.
  if (!decoder.Append(R"({"id": 1, "point": {"x": 2, "tags": ["a"]}, "m": {"k": [1]}})", &batch)
           .ok()) {
    std::abort();
  }
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  floe::Status s;
  if (data[0] % 3 == 2) {
    EvolveAndDecode(schema, text);
    return 0;
  }
  if (data[0] % 3 == 0) {
    s = decoder.Append(text, &batch);
  } else if (s = decoder.Parse(text); s.ok()) {
    (void)decoder.Scalar("/s");
    (void)decoder.Scalar("/point/x");
    s = decoder.AppendParsed(&batch);
  }
  CheckLengths(batch);
  if (batch.num_rows != (s.ok() ? 2 : 1)) std::abort();
  return 0;
}
